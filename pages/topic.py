"""Step 1 · Topic: what the video is about, how many scenes, in what tone, how long, in what shape."""

import streamlit as st

from pages import ui
from viralreel_core.errors import ViralReelError
from viralreel_core.limits import MAX_LENGTH, MAX_TOPIC_CHARS, MIN_LENGTH, WRITER_SCENES
from viralreel_core.media.aspect import ASPECT_LABELS, ASPECTS
from viralreel_core.studio import TONES, scenes_for_length
from viralreel_core.text.languages import LANGUAGES, detect_language, language_choices

studio = ui.header("topic", "Say what the video is about. The script writer turns it into scenes you can edit.")
form = studio.form

EXAMPLES = ["Why do cats purr?", "The future of AI", "How volcanoes work"]

left, right = st.columns([3, 2], gap="large")
with left:
    st.text_area("What is the video about?", placeholder="e.g. Why do cats purr?", height=110,
                 **ui.bind("topic_text", lambda: form.topic, lambda v: setattr(form, "topic", v)))
    def use_example() -> None:
        """Put the picked example into the topic, and leave no pill selected: a selected pill would be
        unselected by the next click on it, and that click would do nothing."""
        form.topic = st.session_state["topic_example"] or form.topic
        st.session_state["topic_example"] = None

    st.pills("Or start from an example", EXAMPLES, key="topic_example", on_change=use_example)

    length = len(" ".join(form.topic.split()))
    problem = form.problem()
    if not form.topic.strip():
        st.info("Type a topic to start: a question, a fact, a how-to. One sentence is plenty.", icon=":material/edit:")
    elif problem:
        st.error(problem, icon=":material/error:")
    else:
        st.caption(f"{length} / {MAX_TOPIC_CHARS} characters")

with right:
    st.slider("Target length (seconds)", MIN_LENGTH, MAX_LENGTH, step=5,
              help="The scenes (unless you pick a number below) and the words each says follow it, at the "
                   "chosen voice's pace.",
              **ui.bind("topic_length", lambda: form.target_seconds, lambda v: setattr(form, "target_seconds", v)))
    auto = f"Auto · {scenes_for_length(form.target_seconds)} for {form.target_seconds} s"
    counts = [0, *WRITER_SCENES]
    st.selectbox("Number of scenes", counts, format_func=lambda n: f"{n} scenes" if n else auto,
                 **ui.bind("topic_scenes", lambda: form.scenes or 0, lambda v: setattr(form, "scenes", v or None),
                           choices=counts))
    shape = studio.aspect
    size = f"{studio.options['width']}×{studio.options['height']}"
    st.selectbox("Aspect ratio", [*ASPECTS] if shape else [None, *ASPECTS],
                 format_func=lambda a: ASPECT_LABELS[a] if a else f"Custom · {size}",
                 help=f"The video's shape; now {size}. Clips made for another shape are made again.",
                 **ui.bind("topic_aspect", lambda: shape, lambda v: v and studio.set_aspect(v), choices=ASPECTS))
    tones = list(TONES) if form.tone in TONES else [*TONES, form.tone]
    st.selectbox("Tone / style", tones, accept_new_options=True, format_func=str.capitalize,
                 help="Pick one or type your own (the offline writer knows the listed tones; "
                      "an AI writer follows any).",
                 **ui.bind("topic_tone", lambda: form.tone, lambda v: setattr(form, "tone", v or "viral")))
    names = dict(language_choices())
    detected = LANGUAGES[detect_language(form.topic)].name if form.topic.strip() else ""
    st.selectbox("Language", list(names),
                 format_func=lambda c: f"Auto · {detected}" if c == "auto" and detected else names.get(c, c),
                 help="The script, the voice and the captions follow it. Auto reads it from the topic; the "
                      "offline writer writes English only (write or edit the narration in your language).",
                 **ui.bind("topic_language", lambda: form.language if form.language in names else "auto",
                           lambda v: setattr(form, "language", v or "auto"), choices=names))

st.divider()
busy = studio.busy("script")
if studio.draft is not None:
    st.caption("You already have a script. Writing a new one replaces the draft on the Script step "
               "(the accepted script and everything made from it stay until you accept again).")
# enabled whatever the topic says: in a browser the topic is sent when the box loses focus, and that is the
# click on this button; a button disabled until then would swallow the click. The topic is checked on click.
clicked = st.button("Write the script", icon=":material/edit:", type="primary", disabled=busy, key="write_script")
if busy:
    st.caption("The script is being written…")
    ui.link("script", "Follow it on the Script step")
if clicked:
    try:
        studio.start_script()
    except ViralReelError as exc:
        if str(exc) != problem or not form.topic.strip():  # a long topic's error shows above already
            st.error(ui.shown(exc), icon=":material/error:")
    else:
        st.switch_page(ui.PAGES["script"][0])

# a person who already has the words skips the writer: their narration, word for word, straight to the table
with st.expander("Paste my own script", icon=":material/content_paste:",
                 expanded=bool(st.session_state.get("own_script_text"))):
    st.caption("Already have the words? Paste them: one paragraph a scene (a blank line between scenes), said "
               "word for word and shown as the captions. Scenes get visuals from the script writer; you can edit "
               "everything on the Script step.")
    own_text = st.text_area("Your script", key="own_script_text", height=180,
                            placeholder="Cats purr with tiny muscles in their throat.\n\n"
                                        "The hum runs at the same pitch that helps bones heal.")
    if st.button("Use my script", icon=":material/arrow_forward:", key="use_own_script", disabled=busy):
        try:
            studio.start_own_script(own_text)
        except ViralReelError as exc:
            st.error(ui.shown(exc), icon=":material/error:")
        else:
            st.switch_page(ui.PAGES["script"][0])
