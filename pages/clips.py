"""Step 4 · Clips: a clip per scene in a storyboard; regenerate one, or upload your own."""

import streamlit as st

from pages import player, ui
from viralreel_core.errors import ViralReelError
from viralreel_core.studio.candidates import next_candidates, use_candidate, why_lines
from viralreel_core.workspace.projects import thumbnail_for
from viralreel_core.workspace.uploads import MAX_UPLOAD_BYTES, UPLOAD_TYPES

studio = ui.header("clips", "Every scene gets a short clip, in the video's shape, drawn from its visuals. "
                            "Regenerate any one, or upload your own footage for it.")
if studio.script is None:
    ui.need_script("Clips are made from the accepted script's visuals, and there is none yet.")
if studio.draft_pending:
    st.warning("The script has changes you have not accepted; the clips follow the accepted script.",
               icon=":material/edit_note:")
    ui.link("script", "Review and accept the changes")

choices, provider_label = ui.provider_choices("clips", "clip_provider")
top_left, top_right = st.columns([1, 2], gap="large", vertical_alignment="bottom")
top_left.selectbox("Clip provider", choices, format_func=provider_label,
                   **ui.bind_option("clips_page_provider", "clip_provider", choices))
for option, values in studio.option_choices("clips").items():  # e.g. the image model and quality
    top_left.selectbox(option.replace("_", " ").capitalize(), values,
                       **ui.bind_option(f"clips_option_{option}", option))
problem = studio.provider_problem("clips")
if problem:
    st.error(ui.shown(problem), icon=":material/key:")

states = studio.states("clips")
needed = [s.uid for s in states if s.status in ("stale", "missing")]
offline = studio.is_offline("clips")
with top_right:
    if needed and not offline and not problem:
        cost = studio.estimate_cost("clips", needed)
        st.info(f"Making {len(needed)} clip{'s' * (len(needed) != 1)} with "
                f"**{studio.provider_names()['clips']}** is estimated to cost **{ui.money(cost)}**. "
                "Clips already made come from the cache for free.", icon=":material/payments:")
    elif offline:
        st.caption("Offline procedural clips: free, drawn on this machine from each scene's visuals.")

ui.job_panel("clips")
ui.confirm_panel("clips")
ui.show_errors("clips", pending=bool(needed) or studio.busy("clips"))

ready = sum(s.usable for s in states)
left, right = st.columns([1, 2], vertical_alignment="center")
with left:
    label = ("Making clips…" if studio.busy("clips") else f"Make {len(needed)} clip{'s' * (len(needed) != 1)}"
             if needed else "All clips made")
    if st.button(label, icon=":material/movie:", type="primary", key="make_clips", width="stretch",
                 disabled=not needed or studio.busy("clips") or bool(problem)):
        try:
            studio.start_clips()
        except ViralReelError as exc:
            ui.start_failed(exc)
        else:
            st.rerun()
with right:
    st.caption(f"{ready} of {len(states)} scenes have a clip")
    if ready == len(states) and states:
        ui.link("assemble", "Next: assemble the video")

# -- the storyboard --------------------------------------------------------------------------------
st.subheader("Storyboard")
per_row = 3 if len(states) in (5, 6, 9) else min(4, max(1, len(states)))
thumbs_dir = studio.cache.directory / "thumbnails"
for start in range(0, len(states), per_row):
    for col, state in zip(st.columns(per_row, gap="medium"), states[start:start + per_row], strict=False):
        scene, made = state.scene, state.made
        with col.container(border=True):
            st.markdown(f"**Scene {scene.number}** · {ui.STATUS_ICONS[state.status]} {ui.STATUS_WORDS[state.status]}")
            has_clip = made is not None and made.exists()
            thumb = thumbnail_for(made.asset.video_path, thumbs_dir) if has_clip else None
            if thumb is not None:
                st.image(str(thumb), width="stretch")
            else:
                st.markdown('<div class="vr-empty">no clip yet</div>', unsafe_allow_html=True)
            st.caption(scene.visuals if len(scene.visuals) < 140 else scene.visuals[:137] + "…")
            if has_clip:
                source = "your upload" if made.uploaded else made.asset.provider or "clip"
                st.caption(f"{source} · {made.asset.duration:.1f} s · {made.asset.width}×{made.asset.height}"
                           + (f" · {made.asset.credit}" if made.asset.credit else ""))
                for line in why_lines(made.asset):  # e.g. "matched: 'glacier ice', vision: yes (8/10)"
                    st.caption(f"Why: {line}")
                others = [] if made.uploaded else next_candidates(made.asset)
                if others:
                    with st.popover(f"Next candidates ({len(others)})", icon=":material/swap_horiz:",
                                    width="stretch"):
                        for other in others:
                            if other.get("preview"):
                                st.image(other["preview"], width=140)
                            st.caption(f"{other['why']} · {float(other.get('duration') or 0):.0f} s · "
                                       f"{other.get('credit', '')}")
                            if st.button("Use this one", key=f"cand_{state.uid}_{other['key']}",
                                         disabled=studio.busy("clips"),
                                         help="Downloads this video as the scene's clip: no new search, free"):
                                try:
                                    use_candidate(studio, state.uid, other["key"])
                                except ViralReelError as exc:
                                    st.error(ui.shown(exc), icon=":material/error:")
                                else:
                                    st.rerun()
                with st.expander("Play clip", icon=":material/play_arrow:"):
                    player.video(made.asset.video_path, muted=True)
            redo = state.status == "ready" and not (made and made.uploaded)
            uploaded = bool(made and made.uploaded)
            if st.button("Make a new one" if redo else "Make one instead" if uploaded else "Make this clip",
                         icon=":material/refresh:" if redo else ":material/movie:", key=f"clip_redo_{state.uid}",
                         disabled=studio.busy("clips") or bool(problem), width="stretch",
                         help=("A fresh clip for this scene" if redo else "Make this scene's clip only")
                         + ("" if offline or problem else
                            f" · estimated {ui.money(studio.estimate_cost('clips', [state.uid]))}")
                         + (" · the offline maker draws the same clip for the same visuals: edit them on the "
                            "Script step for a different look" if offline and redo else "")):
                try:
                    if made is not None and made.uploaded:
                        studio.forget_clip(state.uid)
                    studio.start_clips([state.uid], fresh=redo)
                except ViralReelError as exc:
                    ui.start_failed(exc)
                else:
                    st.rerun()
            with st.popover("Use my own clip", icon=":material/upload:", width="stretch"):
                version = st.session_state.get(f"upload_version_{state.uid}", 0)
                # no ``type=`` filter: Streamlit would reject another file with only an icon whose reason
                # shows on hover; ``use_upload`` checks the name and the content and says what is wrong
                upload = st.file_uploader(f"Your clip for scene {scene.number}",
                                          key=f"upload_{state.uid}_{version}",
                                          max_upload_size=MAX_UPLOAD_BYTES // 2**20,
                                          help=f"A video file up to {MAX_UPLOAD_BYTES // 2**20} MB, "
                                               "0.5–120 s; it is fitted to the narration.")
                st.caption(f"{', '.join(t.upper() for t in UPLOAD_TYPES)} · 0.5–120 s · "
                           f"up to {MAX_UPLOAD_BYTES // 2**20} MB")
                if upload is not None:
                    try:
                        studio.use_upload(state.uid, upload.name, upload.getvalue())
                    except ViralReelError as exc:
                        st.error(ui.shown(exc), icon=":material/error:")
                    else:
                        st.session_state[f"upload_version_{state.uid}"] = version + 1
                        st.rerun()

st.markdown("""<style>
.vr-empty {aspect-ratio: 9 / 16; display: flex; align-items: center; justify-content: center;
  border: 2px dashed rgba(250, 250, 250, .2); border-radius: .6rem; color: rgba(250, 250, 250, .45);
  font-size: .9rem;}
</style>""", unsafe_allow_html=True)
