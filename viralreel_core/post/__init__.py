"""The post kit a render comes with: captions files, title, description, hashtags and the cover."""
