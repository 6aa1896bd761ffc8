"""The studio's pages, run through ``streamlit_app.py``'s ``st.navigation``, and their shared pieces.

Streamlit also treats a ``pages/`` folder beside the entry script as its old automatic multipage
layout until ``st.navigation`` first runs; ``ui.header`` hands such a stray page run over to the entry.
"""
