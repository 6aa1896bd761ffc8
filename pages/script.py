"""Step 2 · Script: the scenes in an editable table; nothing downstream runs until the script is accepted."""

import pandas as pd
import streamlit as st

from pages import ui
from pages.widgets import table_rows
from viralreel_core.errors import ViralReelError
from viralreel_core.limits import MAX_DRAFT_SCENES
from viralreel_core.studio.pasted_rows import pasted_rows
from viralreel_core.text.placeholders import count_placeholders

studio = ui.header("script", "Edit what is seen and said in each scene. Add, delete or renumber rows to reorder, "
                             "then accept the script to record the voice and make the clips.")
ui.job_panel("script")
ui.show_errors("script")

if studio.draft is None:
    if studio.busy("script"):
        st.stop()
    ui.need("There is no script yet. Start from a topic and the writer drafts one for you.", "topic",
            "Write a script")

draft = studio.draft
st.subheader(draft.title or draft.topic)
st.caption(f"Topic: {draft.topic}")
places = count_placeholders(s.narration for s in draft.scenes)
if places:  # the offline writer knows no facts: it leaves their places visible instead of inventing them
    st.info(f"This draft is a structure, not facts: the offline writer cannot know any, so **{places} "
            f"place{'s' if places != 1 else ''} in [square brackets]** wait for yours. Replace them in the table, "
            "or paste a script of your own below. As it is, the voice reads out the words in brackets.",
            icon=":material/edit_note:")
with st.expander("Paste your own script", expanded=bool(places)):
    pasted = st.text_area("Your script: one scene per paragraph", key="script_paste", height=140,
                          placeholder="Black holes are where gravity wins.\n\nNot even light gets out…",
                          disabled=studio.busy("script"))
    if st.button("Use this script", icon=":material/content_paste:", key="script_paste_use",
                 disabled=studio.busy("script") or not pasted.strip(),
                 help="Each paragraph becomes a scene's narration; the scenes keep their visuals."):
        try:
            changed = studio.edit_draft(pasted_rows(pasted, studio.draft_rows()))
        except ViralReelError as exc:
            st.error(ui.shown(exc), icon=":material/error:")
        else:
            if changed:
                st.rerun()

# on a phone the table's narration column sits off screen: one scene at a time, full width, instead
phone = "mobi" in str(st.context.headers.get("User-Agent") or "").lower()
one_by_one = st.toggle("One scene at a time", value=phone, key="script_one_by_one",
                       help="Each scene's visuals and narration in full-width boxes: easier on a phone.")
if one_by_one:
    cards = []
    for row in studio.draft_rows():
        with st.container(border=True):
            head, remove = st.columns([4, 1], vertical_alignment="center")
            head.markdown(f"**Scene {row['scene']}** · {row['seconds']:.1f} s · {row['words']} words")
            removed = remove.button("Remove", key=f"card_remove_{row['uid']}", icon=":material/delete:",
                                    disabled=studio.busy("script"))
            version = f"{row['uid']}_{studio.editor_version}"
            visuals = st.text_area("Visuals — what we see", row["visuals"], key=f"card_visuals_{version}", height=90,
                                   disabled=studio.busy("script"))
            narration = st.text_area("Narration — what is said", row["narration"], key=f"card_narration_{version}",
                                     height=110, disabled=studio.busy("script"))
        if not removed:
            cards.append({"uid": row["uid"], "scene": None, "visuals": visuals, "narration": narration})
    if st.button("Add a scene", icon=":material/add:", key="card_add",
                 disabled=studio.busy("script") or len(cards) >= MAX_DRAFT_SCENES):
        cards.append({"uid": None, "scene": None, "visuals": "New scene", "narration": "What the voice says here."})
    if studio.edit_draft(cards):
        st.rerun()
else:
    columns = {
        "scene": st.column_config.NumberColumn("#", min_value=1, max_value=MAX_DRAFT_SCENES, step=1, width=48,
                                               help="Change a number to move the scene there."),
        "visuals": st.column_config.TextColumn("Visuals — what we see", width=350,
                                               help="Describes the clip for this scene."),
        "narration": st.column_config.TextColumn("Narration — what is said", width=390,
                                                 help="Spoken by the voice and burned in as captions."),
        "search": st.column_config.TextColumn("Stock search", width=180,
                                              help="2–4 English phrases to search stock footage for, split "
                                                   "by ';' (e.g. glacier ice; polar bear)."),
        "seconds": st.column_config.NumberColumn("Est. s", format="%.1f", disabled=True, width=64,
                                                 help="Estimated from the word count."),
        "words": st.column_config.NumberColumn("Words", disabled=True, width=64),
        "uid": None,  # a scene's stable id: hidden, carried through edits
    }
    table = pd.DataFrame(studio.draft_rows(), columns=["scene", "visuals", "narration", "search", "seconds",
                                                       "words", "uid"])
    # a new row is numbered to go last; it becomes a scene once something is typed into it
    columns["scene"].update(default=min(len(table) + 1, MAX_DRAFT_SCENES))
    edited = st.data_editor(table, key=f"script_table_{studio.id}_{studio.editor_version}", num_rows="dynamic",
                            column_config=columns, hide_index=True, width="stretch", row_height=72,
                            height=38 + 72 * (len(table) + 2),  # every row and a new one, without scrolling
                            placeholder="", disabled=studio.busy("script"))
    if studio.edit_draft(table_rows(edited.to_dict("records"))):
        st.rerun()  # redraw the table from the new draft (numbers, estimates)

rows = studio.draft_rows()
words = sum(r["words"] for r in rows)
seconds = sum(r["seconds"] for r in rows)
target = studio.form.target_seconds
m1, m2, m3, m4 = st.columns(4)
m1.metric("Scenes", len(rows))
m2.metric("Words", words)
m3.metric("Estimated length", f"{seconds:.0f} s", delta=f"{seconds - target:+.0f} s vs target {target} s",
          delta_color="off")
m4.metric("Status", "Accepted" if studio.script is not None and not studio.draft_pending
          else "Edited" if studio.script is not None else "Draft")

problems = studio.script_problems()
for problem in problems:
    st.warning(problem, icon=":material/edit:")

busy = studio.busy("script")
left, middle, right = st.columns([1.2, 1.2, 2], gap="medium", vertical_alignment="bottom")
with left:
    if st.button("Accept script", icon=":material/check:", type="primary", key="accept_script", width="stretch",
                 disabled=bool(problems) or busy or not studio.draft_pending):
        try:
            studio.accept_script()
        except ViralReelError as exc:
            st.error(ui.shown(exc), icon=":material/error:")
        else:
            st.rerun()
with middle:
    if st.button("New version of the whole script", icon=":material/autorenew:", key="new_script", width="stretch",
                 disabled=busy or bool(studio.form.problem()),
                 help="Ask the writer again for this topic; your edits to the draft are replaced."):
        try:
            studio.start_script(new_version=True)
        except ViralReelError as exc:
            st.error(ui.shown(exc), icon=":material/error:")
        else:
            st.rerun()
with right:
    inner_left, inner_right = st.columns([1, 1], vertical_alignment="bottom")
    uids = [r["uid"] for r in rows]
    pick = inner_left.selectbox("Rewrite one scene", uids, key="rewrite_pick",
                                format_func=lambda u: f"Scene {uids.index(u) + 1}" if u in uids else "—")
    if inner_right.button("Rewrite it", icon=":material/auto_awesome:", disabled=busy or not uids, key="rewrite_scene",
                          width="stretch"):
        try:
            studio.start_rewrite(pick)
        except ViralReelError as exc:
            st.error(ui.shown(exc), icon=":material/error:")
        else:
            st.rerun()

if studio.script is not None and not studio.draft_pending:
    st.success("The script is accepted. Next: record the voice.", icon=":material/check_circle:")
    if studio.language_note:  # the voice chosen cannot speak it: said before any recording starts
        st.warning(ui.shown(studio.language_note), icon=":material/record_voice_over:")
    ui.link("voice", "Go to Voice")
elif studio.script is not None:
    st.info("You have changes the later steps do not use yet. Accept the script to use them: only the scenes "
            "you changed are made again.", icon=":material/edit_note:")
