"""Voices: ElevenLabs, OpenAI speech and the offline Piper voice."""
