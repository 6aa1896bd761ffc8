"""One run from topic to video: the pipeline and the checks made before anything is spent."""
