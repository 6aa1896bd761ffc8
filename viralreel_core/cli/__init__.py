"""The headless ways in: ``python -m viralreel_core`` make/script/doctor/cache, serve, worker, batch."""
