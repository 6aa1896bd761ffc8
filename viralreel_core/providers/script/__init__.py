"""Script writers: OpenAI (or any compatible server) and the offline writer with its data."""
