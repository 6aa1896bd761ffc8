"""The studio's pages, run through ``streamlit_app.py``'s ``st.navigation``, and their shared pieces.

Named ``app_pages`` rather than ``pages``: Streamlit runs the files of a ``pages/`` folder beside the
entry script as pages of their own until ``st.navigation`` first runs, which would skip the entry.
"""
