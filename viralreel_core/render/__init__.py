"""Turning scenes into a video: segments, captions, fonts and colours, the join and its final check."""
