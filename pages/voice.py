"""Step 3 · Voice: pick the voice, record every scene's narration, listen, and redo any one scene."""

import streamlit as st

from pages import ui, widgets
from pages.widgets import audio_format
from viralreel_core.errors import ViralReelError
from viralreel_core.text.timing import estimate_seconds

studio = ui.header("voice", "Each scene's narration is spoken and timed word by word for the captions. "
                            "Editing one narration re-records only that scene.")
if studio.script is None:
    ui.need_script("The voice reads the accepted script, and there is none yet.")
if studio.draft_pending:
    st.warning("The script has changes you have not accepted; the voice follows the accepted script.",
               icon=":material/edit_note:")
    ui.link("script", "Review and accept the changes")

# -- which voice -----------------------------------------------------------------------------------
choices, provider_label = ui.provider_choices("voice", "voice_provider")
with st.container(border=True):
    c1, c2, c3 = st.columns([1, 1.4, 1], gap="medium")
    c1.selectbox("Voice provider", choices, format_func=provider_label,
                 **ui.bind_option("voice_page_provider", "voice_provider", choices))
    resolved = studio.provider_names()["voice"]
    chosen = studio.voice_class()  # what the provider declares: its voice option, voices and speeds
    option = chosen.voice_option if chosen else None
    with c2:
        voices = studio.voice_choices()
        if option and voices:
            ids = [v for v, _ in voices]
            if studio.options[option] not in ids:
                ids.insert(0, studio.options[option])
            labels = dict(voices)
            st.selectbox(f"{chosen.display_name()} voice", ids, format_func=lambda v: labels.get(v, v),
                         **ui.bind_option(f"voice_{resolved}", option))
        elif option:
            label = chosen.voice_label or f"{chosen.display_name()} voice"
            optional = not chosen.options.get(option)  # empty by default: the provider's own voice
            st.text_input(f"{label} · optional" if optional else label, help=chosen.voice_help or None,
                          placeholder="Leave empty for the built-in voice" if optional else "",
                          **ui.bind_option(f"voice_{resolved}", option))
    low, high = widgets.speed_range(chosen.speed_range if chosen else None)
    if not low <= studio.options["voice_speed"] <= high:  # e.g. 1.5 set for another voice, now ElevenLabs
        studio.options["voice_speed"] = min(high, max(low, studio.options["voice_speed"]))
    c3.slider("Speed", low, high, step=0.05, format="%.2f×", **ui.bind_option("voice_speed", "voice_speed"),
              help=f"{chosen.display_name() if chosen else 'This voice'} speaks at {low:g}× to {high:g}×.")

problem = studio.provider_problem("voice")
if problem:
    st.error(ui.shown(problem), icon=":material/key:")

# -- make the voices -------------------------------------------------------------------------------
states = studio.states("voice")
needed = [s.uid for s in states if s.status in ("stale", "missing")]
ready = sum(s.usable for s in states)
ui.job_panel("voice")
ui.confirm_panel("voice")
ui.show_errors("voice", pending=bool(needed) or studio.busy("voice"))

left, right = st.columns([1, 2], vertical_alignment="center")
with left:
    label = ("Recording…" if studio.busy("voice") else f"Record {len(needed)} voice{'s' * (len(needed) != 1)}"
             if needed else "All voices recorded")
    if st.button(label, icon=":material/mic:", type="primary", key="make_voices", width="stretch",
                 disabled=not needed or studio.busy("voice") or bool(problem)):
        try:
            studio.start_voices()
        except ViralReelError as exc:
            ui.start_failed(exc)
        else:
            st.rerun()
with right:
    note = f"{ready} of {len(states)} scenes ready"
    if needed and not studio.is_offline("voice") and not problem:
        note += f" · estimated cost {ui.money(studio.estimate_cost('voice', needed))}"
    elif studio.is_offline("voice"):
        note += " · offline voice: free"
    st.caption(note)
    if ready == len(states) and states:
        ui.link("clips", "Next: make the clips")

# -- per scene -------------------------------------------------------------------------------------
for state in states:
    scene, made = state.scene, state.made
    with st.container(border=True):
        text_col, audio_col, action_col = st.columns([3, 3, 1.1], gap="medium", vertical_alignment="center")
        with text_col:
            st.markdown(f"**Scene {scene.number}** · {ui.STATUS_ICONS[state.status]} {ui.STATUS_WORDS[state.status]}")
            st.markdown(f"> {scene.narration}")
        with audio_col:
            if made is not None and made.exists():
                st.audio(made.asset.audio_path, format=audio_format(made.asset.audio_path))
                caption = f"{made.asset.duration:.1f} s spoken · {len(made.asset.words)} words timed"
                if state.status == "stale":
                    caption = (f"Recorded with {made.asset.provider}, and this step now uses {resolved}"
                               if made.asset.provider and made.asset.provider != resolved
                               else "Recorded for an earlier narration or voice setting") + " · " + caption
                st.caption(caption)
            else:
                st.caption(f"Estimated {estimate_seconds(scene.narration):.1f} s")
        with action_col:
            redo = state.status == "ready"
            if st.button("Redo" if redo else "Record", icon=":material/refresh:" if redo else ":material/mic:",
                         key=f"voice_redo_{state.uid}",
                         disabled=studio.busy("voice") or bool(problem), width="stretch",
                         help="Record a fresh take of this scene" if redo else "Record this scene only"):
                try:
                    studio.start_voices([state.uid], fresh=redo)
                except ViralReelError as exc:
                    ui.start_failed(exc)
                else:
                    st.rerun()
