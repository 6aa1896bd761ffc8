"""Projects: save the current project, reopen or delete saved ones, and browse past renders."""

import streamlit as st

from pages import player, session, ui
from viralreel_core.errors import ViralReelError
from viralreel_core.workspace.projects import ProjectStore, list_renders

studio = ui.header("projects", "Projects save themselves as you work: the script, your settings (never your "
                               "keys) and a copy of every voice and clip, so reopening one is instant, even "
                               "after the cache is cleared.")
store = ProjectStore(studio.config.projects_dir)

# -- the current project ---------------------------------------------------------------------------
with st.container(border=True):
    st.subheader("This project")
    name_col, save_col, copy_col, new_col = st.columns([3, 1, 1, 1], vertical_alignment="bottom")
    name_col.text_input("Name", placeholder=studio.display_name,
                        **ui.bind("project_name", lambda: studio.name, lambda v: setattr(studio, "name", v)))
    if save_col.button("Save", icon=":material/save:", type="primary", key="save_project", width="stretch",
                       disabled=studio.draft is None and not studio.form.topic.strip()):
        try:
            path = studio.save(store)
        except (ViralReelError, OSError) as exc:
            st.error(ui.shown(f"The project was not saved: {exc}"), icon=":material/error:")
        else:
            st.toast(f"Saved “{studio.display_name}”.", icon=":material/save:")
            st.session_state["project_saved"] = str(path)
    if copy_col.button("Save a copy", icon=":material/file_copy:", key="save_copy", width="stretch",
                       disabled=studio.draft is None and not studio.form.topic.strip(),
                       help="Save as a new project with its own id; the project it came from stays as it was."):
        try:
            path = studio.save_copy(store)
        except (ViralReelError, OSError) as exc:
            st.error(ui.shown(f"The copy was not saved: {exc}"), icon=":material/error:")
        else:
            st.toast(f"Saved a copy: “{studio.display_name}”.", icon=":material/file_copy:")
    with new_col.popover("New", icon=":material/add:", width="stretch"):
        if not session.has_work(studio):
            st.write("Start an empty project?")
        elif session.is_saved(studio):  # autosave kept it: nothing is lost, so say so rather than warn
            st.write(f"Start an empty project? **{studio.display_name}** is saved as it is: open it again "
                     "from *Saved projects* below.")
        else:
            st.write(f"Start an empty project? **{studio.display_name}** is saved first.")
        if st.button("Start a new project", key="new_project"):
            session.new_project()
            st.switch_page(ui.PAGES["topic"][0])
    scenes = len(studio.script.scenes) if studio.script else 0
    st.caption(f"`{studio.id}` · {scenes} accepted scene{'s' * (scenes != 1)} · "
               f"{len(studio.voices)} voice(s) · {len(studio.clips)} clip(s)")

# -- saved projects --------------------------------------------------------------------------------
st.subheader("Saved projects")
saved = store.list()
if not saved:
    st.info("No saved projects yet. Save this one to come back to it later.", icon=":material/folder_open:")
for project in saved:
    with st.container(border=True):
        info, open_col, delete_col = st.columns([4, 1, 1], vertical_alignment="center")
        current = " · *open now*" if project.id == studio.id else ""
        topic = f"  \n{project.topic}" if project.topic and project.topic != project.name else ""
        info.markdown(f"**{project.name}**{current}{topic}")
        info.caption(f"{project.scenes} scenes · saved {project.saved_at.replace('T', ' ')} · `{project.id}`")
        if open_col.button("Open", icon=":material/folder_open:", key=f"open_{project.id}", width="stretch",
                           disabled=studio.busy()):
            try:
                studio = session.open_project(project.id)
            except (ViralReelError, KeyError, ValueError, TypeError) as exc:
                st.error(ui.shown(f"Project {project.name} could not be opened: {exc}"), icon=":material/error:")
            else:
                st.switch_page(ui.PAGES["assemble" if studio.last_render else
                                        "script" if studio.draft else "topic"][0])
        with delete_col.popover("Delete", icon=":material/delete:", width="stretch"):
            st.write(f"Delete **{project.name}**? Its videos stay in the output folder.")
            if st.button("Delete it", type="primary", key=f"delete_{project.id}"):
                store.delete(project.id)
                if project.id == studio.id:  # it would save itself again: start afresh instead
                    session.new_project()
                st.toast(f"Deleted “{project.name}”.", icon=":material/delete:")
                st.rerun()

# -- past renders ----------------------------------------------------------------------------------
st.subheader("Past renders")
renders = list_renders(studio.settings().output_dir)
if not renders:
    st.info("No videos yet. Render one on the Assemble step.", icon=":material/movie_edit:")
    ui.link("assemble", "Go to Assemble")
watching = next((r for r in renders if r.video_id == st.session_state.get("watch_render")), None)
if watching is not None:
    with st.container(border=True):
        video_col, about_col = st.columns([1, 2], gap="large")
        player.video(watching.video_path, video_col)
        about_col.markdown(f"**{watching.title or watching.project_name or watching.video_path.stem}**")
        about_col.caption(f"{watching.created.replace('T', ' ')} · {watching.duration:.1f} s · "
                          f"{ui.size(watching.size_bytes)} · {watching.scenes} scenes · "
                          f"`{ui.shown(watching.video_path)}`")
        player.download(watching.video_path, "download_render", about_col)
per_row = 6
for start in range(0, min(len(renders), 36), per_row):
    for col, render in zip(st.columns(per_row, gap="small"), renders[start:start + per_row], strict=False):
        with col.container(border=True):
            if render.thumbnail is not None:
                st.image(str(render.thumbnail), width="stretch")
            st.markdown(f"**{render.title or render.project_name or render.video_path.stem}**")
            st.caption(f"{render.created.replace('T', ' ')} · {render.duration:.1f} s · {ui.size(render.size_bytes)}")
            if st.button("Watch", icon=":material/play_arrow:", key=f"watch_{render.video_id}", width="stretch",
                         disabled=watching is render):
                st.session_state["watch_render"] = render.video_id
                st.rerun()
