"""Step 5 · Assemble: caption style and transitions, render with progress, then watch and download."""

from pathlib import Path

import streamlit as st

from pages import player, publish, ui
from pages.post_kit_section import show_post_kit
from pages.widgets import caption_preview, poster_for
from viralreel_core import CaptionStyle
from viralreel_core.errors import ViralReelError
from viralreel_core.media import music
from viralreel_core.render.caption_styles import (
    ANIMATION_LABELS,
    ANIMATIONS,
    FONT_WEIGHTS,
    PRESET_LABELS,
    PRESETS,
    caption_style,
)
from viralreel_core.workspace.music_uploads import store_music, uploaded_tracks
from viralreel_core.workspace.projects import thumbnail_for

AUDIO_TYPES = {".mp3": "audio/mpeg", ".ogg": "audio/ogg", ".wav": "audio/wav", ".m4a": "audio/mp4"}

studio = ui.header("assemble", "Captions timed to the words, the title on the first frame, scenes that change "
                               "without black, one MP4. Scenes that did not change come straight from the cache.")
if studio.script is None:
    ui.need_script("There is nothing to assemble yet: the video is built from the accepted script.")

# -- the result: first, so a finished video is the first thing seen (on a phone too) ---------------
result = studio.last_render
if result and Path(result["video_path"]).is_file():
    st.subheader("Your video")
    video_col, info_col = st.columns([1, 2], gap="large")
    path = Path(result["video_path"])
    with video_col, st.container(key="final_video"):
        player.video(path)
        poster = poster_for(path, studio.cache.directory / "thumbnails")
        if poster is not None:
            ui.video_poster("final_video", poster)
    with info_col:
        tally = result.get("session_tally", {})
        reused = result.get("segments_reused", 0)
        r1 = st.columns(4)
        r1[0].metric("Duration", f"{result.get('duration', 0):.1f} s")
        r1[1].metric("Size", ui.size(result.get("size_bytes", 0)))
        r1[2].metric("Scenes", result.get("scenes_count", 0))
        r1[3].metric("Render time", f"{result.get('seconds', 0):.1f} s")
        # two counts of different things, each "reused of all": rendered scenes, and the media made for them
        r2 = st.columns(4)
        r2[0].metric("Scenes reused", f"{reused} of {reused + result.get('segments_rendered', 0)}",
                     help="Scenes whose rendered part came from the cache unchanged; only the others were "
                          "rendered again.")
        hits, asked = tally.get("hits", 0), tally.get("hits", 0) + tally.get("misses", 0)
        r2[1].metric("Media reused", f"{hits} of {asked}",
                     help="Scripts, voices and clips for this project that came from the cache instead of being "
                          "made again.")
        r2[2].metric("Money spent", ui.money(tally.get("spent_usd", 0.0)), help="New provider calls this session.")
        r2[3].metric("Saved by cache", ui.money(tally.get("saved_usd", 0.0)),
                     help="What the reused assets would have cost again.")
        if result.get("reused"):
            st.caption(":material/recycling: Nothing changed since this video was made, so it was not written again.")
        if result.get("skipped_scenes"):
            left_out = ", ".join(map(str, result["skipped_scenes"]))
            st.warning(f"Left out: scene(s) {left_out}.", icon=":material/content_cut:")
        for credit in result.get("credits", []):
            st.caption(credit)
        player.download(path, key="download_video")
        st.caption(f"Saved as `{ui.shown(path)}`")
        ui.link("projects", "Save the project and see past renders")
    st.divider()

usable, missing = studio.render_plan()
if missing:
    with st.container(border=True):
        st.markdown("**Not every scene is ready**" + (" — these will be left out:" if usable else ":"))
        for line in missing:
            st.markdown(f"- {line}")
        c1, c2, _ = st.columns([1, 1, 2])
        with c1:
            ui.link("voice", "Record voices")
        with c2:
            ui.link("clips", "Make clips")
if not usable:
    if any(s.usable for s in studio.states("voice")):
        ui.need("No scene has both a voice and a clip yet.", "clips", "Make the clips")
    ui.need("No scene has both a voice and a clip yet.", "voice", "Record the voices")

# -- caption style ---------------------------------------------------------------------------------
style_col, preview_col = st.columns([2, 1], gap="large")
with style_col:
    st.subheader("Captions")
    chosen = studio.options["captions"].get("preset", "classic")
    st.session_state["caption_preset"] = chosen if chosen in PRESETS else "classic"

    def _pick_preset() -> None:  # a preset is a whole look: every control below takes its values
        studio.options["captions"] = caption_style(st.session_state["caption_preset"]).to_dict()

    st.selectbox("Style", list(PRESETS), format_func=PRESET_LABELS.__getitem__, key="caption_preset",
                 on_change=_pick_preset,
                 help="A complete look: font, size, colours, place and how the spoken word shows. "
                      "Adjust it below; captions stay clear of the platforms' buttons (top 12 %, bottom 20 %).")
    if CaptionStyle(**studio.options["captions"]) != caption_style(st.session_state["caption_preset"]):
        st.caption(f"{PRESET_LABELS[st.session_state['caption_preset']]}, adjusted.")
    a, b = st.columns(2)
    a.slider("Font size", 40, 140, step=2, **ui.bind_caption("caption_size", "font_size"),
             help="For a frame 1080 on its short side; scales with the video size.")
    b.slider("Position", 0.15, 0.90, step=0.01, format="%.2f", **ui.bind_caption("caption_position", "position"),
             help="Where the middle of the caption sits: 0 is the top of the frame, 1 the bottom. "
                  "The caption is kept between 12 % and 80 % of the height.")
    c, d = st.columns(2)
    c.slider("Words at a time", 1, 5, **ui.bind_caption("caption_words", "max_words"))
    d.slider("Outline", 0, 14, **ui.bind_caption("caption_stroke", "stroke_width"))
    e, f, g = st.columns(3)
    e.color_picker("Text", **ui.bind_caption("caption_text_color", "text_color"))
    f.color_picker("Spoken word", **ui.bind_caption("caption_highlight", "highlight_color"))
    g.color_picker("Outline colour", **ui.bind_caption("caption_stroke_color", "stroke_color"))
    j, k = st.columns(2)
    j.selectbox("Spoken word shows as", ANIMATIONS, format_func=ANIMATION_LABELS.__getitem__,
                **ui.bind_caption("caption_animation", "animation"))
    k.selectbox("Weight", FONT_WEIGHTS, format_func=str.capitalize, **ui.bind_caption("caption_weight", "font_weight"))
    m, n = st.columns(2)
    look = studio.options["captions"]

    def _box(field: str, value: object) -> None:
        look[field] = value
        look["box_color"] = look.get("box_color") or "#000000"  # a box given an opacity gets a colour

    m.slider("Box behind", 0.0, 1.0, step=0.05, help="How opaque a rounded box behind the caption is (0: none).",
             **ui.bind("caption_box_opacity", lambda: float(look.get("box_opacity", 0.0)),
                       lambda v: _box("box_opacity", v)))
    n.color_picker("Box colour", **ui.bind("caption_box_color", lambda: look.get("box_color") or "#000000",
                                           lambda v: _box("box_color", v)))
    h, i, o = st.columns(3)
    h.toggle("UPPERCASE", **ui.bind_caption("caption_upper", "uppercase"))
    o.toggle("Shadow", **ui.bind_caption("caption_shadow", "shadow"))
    i.toggle("Transitions between scenes", **ui.bind_option("transitions", "transitions"),
             help="Each scene arrives with a short push that settles (never a dip to black); off: plain cuts.")
    if st.button("Reset caption style", key="caption_reset"):
        studio.options["captions"] = caption_style(st.session_state["caption_preset"]).to_dict()
        st.rerun()

with preview_col:
    first_clip = studio.clips[usable[0][0]].asset.video_path
    background = thumbnail_for(first_clip, studio.cache.directory / "thumbnails")
    try:
        st.image(caption_preview(CaptionStyle(**studio.options["captions"]), background,
                                 (studio.options["width"], studio.options["height"])), caption="Preview",
                 width="stretch")
    except ViralReelError as exc:
        st.error(ui.shown(exc), icon=":material/palette:")

# -- music -----------------------------------------------------------------------------------------
st.subheader("Music")
folder = studio.settings().music_dir  # this visitor's own: nobody else's uploads are listed
choices = {"": "None", **{n: n.capitalize() for n in music.tracks()}, **uploaded_tracks(folder)}
if studio.options.get("music") not in choices:  # e.g. a project from before its upload was deleted
    studio.options["music"] = ""
m1, m2 = st.columns([1, 2])
with m1:
    st.selectbox("Background music", list(choices), format_func=choices.__getitem__,
                 **ui.bind_option("music", "music"),
                 help="Calm, Lofi and Upbeat were made by this project, free to use (CC0); or upload your own. "
                      "Ducked while the voice speaks; the video is normalized to −14 LUFS.")
    with st.popover("Upload music", icon=":material/upload:", width="stretch"):
        version = st.session_state.get("music_upload_version", 0)
        # no ``type=`` filter: ``store_music`` checks the name and the content and says what is wrong
        # its own limit, so the box says the same as the caption (not the server's 200 MB for clips)
        upload = st.file_uploader("Your own track", key=f"music_upload_{version}",
                                  max_upload_size=music.MAX_MUSIC_BYTES // 2**20,
                                  help="Looped to the video's length and ducked under the voice. Use music you "
                                       "have the right to publish.")
        st.caption(f"{', '.join(t.upper() for t in music.MUSIC_TYPES)} · up to {music.MAX_MUSIC_BYTES // 2**20} MB")
        if upload is not None:
            try:
                studio.options["music"] = store_music(folder, upload.name, upload.getvalue())
            except ViralReelError as exc:
                st.session_state["music_upload_error"] = str(exc)
            st.session_state["music_upload_version"] = version + 1  # the uploader empties; the error stays
            st.rerun()
    if problem := st.session_state.pop("music_upload_error", None):
        st.error(ui.shown(problem), icon=":material/error:")
m2.slider("Music volume", 0.0, 1.0, step=0.05, **ui.bind_option("music_volume", "music_volume"),
          help="The music's loudness as a share of the voice's: 0.25 is 12 dB under it.")
if studio.options["music"]:
    track = music.resolve(studio.options["music"], folder)
    m2.audio(str(track), format=AUDIO_TYPES[track.suffix.lower()])

# -- render ----------------------------------------------------------------------------------------
st.divider()
busy = studio.busy("assemble")
label = f"Render the video ({len(usable)} scene{'s' * (len(usable) != 1)})"
if st.button(label, icon=":material/movie_edit:", type="primary", disabled=busy, key="render"):
    try:
        studio.start_render()
    except ViralReelError as exc:
        st.error(ui.shown(exc), icon=":material/error:")
    else:
        st.rerun()
if not busy:
    settings = studio.settings()
    st.caption(f"{settings.width}×{settings.height}, {settings.fps} fps, H.264 + AAC. "
               "Change the aspect ratio on the Topic step.")
ui.job_panel("assemble")
ui.show_errors("assemble")

# -- posting: the kit that goes with the video, and publishing it -----------------------------------
if result and Path(result["video_path"]).is_file():
    show_post_kit(studio)
    publish.section(Path(result["video_path"]), studio.script.title if studio.script else "")
