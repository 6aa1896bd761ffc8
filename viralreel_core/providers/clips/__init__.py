"""Clip makers: Runway, stock video, images plus motion, and the offline kinetic clips."""
