"""Files and processes under the renders: ffmpeg, frame shapes, the memory budget, music, atomic writes."""
