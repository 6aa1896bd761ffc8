"""ViralReel Studio — the Streamlit entry point (the five-step studio lands in its own issue)."""

import streamlit as st

from viralreel_core import Settings, providers

st.set_page_config(page_title="ViralReel Studio", page_icon="🎬", layout="wide")
st.title("ViralReel Studio")
settings = Settings.from_env()
st.write("Providers in use:", {step: providers.resolve_name(step, "auto", settings) for step in providers.STEPS})
