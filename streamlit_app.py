"""ViralReel Studio — the Streamlit entry point: `streamlit run streamlit_app.py`.

Sets up the session's studio (settings from the environment and st.secrets, keys typed in the sidebar),
applies any finished background work, draws the sidebar (providers, keys, cache, output size) and runs
the page the person is on. The pages live in pages/ and are thin scripts over viralreel_core.studio.
(Streamlit treats a `pages/` folder beside the entry as its old automatic multipage layout until
st.navigation first runs; a page run that way hands over to this script: see pages/ui.py.)
"""

import streamlit as st

from pages import publish, session, ui, visitor
from pages.widgets import SHORT_SIDES
from viralreel_core import providers
from viralreel_core.media.aspect import frame_size

# "auto": the sidebar starts open on a wide screen and collapsed on a phone
st.set_page_config(page_title="ViralReel Studio", page_icon="🎬", layout="wide", initial_sidebar_state="auto")


publish.setup()  # before the visitor is found: a page that is Google's answer to Connect finishes it and stops
studio = session.setup()
if notice := st.session_state.pop("visitor_notice", None):
    st.warning(notice, icon=":material/link_off:")
studio.poll()  # results of background work that finished since the last run


def page(step: str, default: bool = False) -> st.Page:
    path, title, icon = ui.PAGES[step]
    return st.Page(path, title=title, icon=icon, default=default)


navigation = st.navigation({
    "Make a video": [page("topic", default=True), page("script"), page("voice"), page("clips"), page("assemble")],
    "Library": [page("projects")],
})

PROVIDER_OPTIONS = {"script": "script_provider", "voice": "voice_provider", "clips": "clip_provider"}
PROVIDER_LABELS = {"script": "Script writer", "voice": "Voice", "clips": "Clips"}

STEP_OF_PAGE = {"": "topic", "script": "script", "voice": "voice", "clips": "clips", "assemble": "assemble"}

with st.sidebar:
    st.caption(f"Project **{studio.display_name}** · `{studio.id}`")
    who = st.session_state["visitor"]
    visitor.sidebar(who, session.is_owner(), on_clear=session.clear_workspace)
    budget = studio.wallet.budget
    if budget is not None and budget.daily_limit is not None:
        st.caption(f":material/payments: Spent today: {ui.money(budget.spent_today())} of "
                   f"{ui.money(budget.daily_limit)} (the owner's daily limit)")
    current = STEP_OF_PAGE.get(navigation.url_path, "projects")
    ui.background_work(current)

    st.subheader("Providers", help="`auto` uses a paid service when its key is set, and the offline one otherwise.")
    for step, option in PROVIDER_OPTIONS.items():
        choices, label = ui.provider_choices(step, option)
        st.selectbox(PROVIDER_LABELS[step], choices, format_func=label,  # "auto → …" changes with the keys
                     **ui.bind_option(f"sidebar_{option}", option, choices))
        problem = studio.provider_problem(step)
        if problem:
            st.caption(f":material/warning: {ui.shown(problem)}")
        elif price := studio.price_note(step):
            st.caption(f":material/payments: {price}")

    sources = session.key_sources()
    with st.expander("API keys", icon=":material/key:"):
        st.caption("Optional. A key typed here stays in this browser session only: it is never shown again "
                   "or saved in a project, a log or a link. Keys can also come from `st.secrets` or the environment.")
        if not session.is_owner():
            st.caption(":material/info: The keys in this server's Secrets are the owner's and are not used for "
                       "visitors: type your own, or use the free offline providers.")
        for service, about in providers.services().items():
            source = sources[service]
            st.text_input(f"{about.label} · `{about.key_env}`", type="password", key=f"key_{service}",
                          placeholder={"typed": "typed in (hidden)", "": "not set"}.get(source, f"set in {source}"),
                          autocomplete="off", on_change=session.remember_typed_key, args=(service,))
            if source:
                where = "typed in" if source == "typed" else f"from {source}"
                st.caption(f":material/check: {about.label} key in use ({where})")
        if session.typed_keys() and any(session.typed_keys().values()):
            if st.button("Forget typed keys", key="forget_keys", icon=":material/key_off:"):
                session.typed_keys().clear()
                st.rerun()

    with st.expander("Cache", icon=":material/database:"):
        stats = studio.cache.stats()
        left, right = st.columns(2)
        left.metric("Entries", f"{stats['entries']:,}")
        right.metric("Size", ui.size(stats["bytes"]))
        left.metric("Hits", f"{stats['hits']:,}")
        right.metric("Money saved", ui.money(stats["money_saved_usd"]))
        st.caption(f"Hits also saved {stats['seconds_saved']:.0f} s of waiting. Shared by everyone on this server.")
        if session.is_owner():
            with st.popover("Clear the cache", width="stretch"):
                st.write("Remove every cached script, voice, clip and rendered scene? Saved projects keep what "
                         "they use; open projects will make what they need again.")
                st.button("Yes, clear it", type="primary", key="clear_cache", on_click=session.clear_cache)
        else:
            st.caption("Only the owner can clear the shared cache.")

    with st.expander("Output", icon=":material/settings:"):
        current = (studio.options["width"], studio.options["height"])
        aspect = studio.aspect
        shorts = sorted({*SHORT_SIDES, *([min(studio.config.frame)] if studio.config.frame else [])}, reverse=True)
        sizes = [frame_size(aspect, short) for short in shorts] if aspect else []
        if current not in sizes:
            sizes.append(current)
        st.selectbox("Video size", sizes, format_func=lambda wh: f"{wh[0]}×{wh[1]}" + (
            " (full HD)" if min(wh) == 1080 else " (quicker)" if min(wh) < 1080 else ""),
            **ui.bind("sidebar_frame", lambda: current,
                      lambda wh: studio.set_aspect(aspect, min(wh)) if aspect else None))
        st.caption("The shape is picked on the Topic step. Smaller sizes render much faster; "
                   "clips are remade at the new size.")

try:
    navigation.run()
finally:  # also when the page stops, reruns or switches: nothing is lost on a reload
    session.autosave()
