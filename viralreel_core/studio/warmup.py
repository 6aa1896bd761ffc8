"""The offline voice model loaded in the background when the studio starts.

Loading Piper takes a second or two; done while the person types a topic and reads the script, their
first *Record voices* starts speaking at once. A render or offline clips unload it again
(``Pipeline.release_models``), so it never sits beside ffmpeg; the next voice job then says it is loading it.
"""

from __future__ import annotations

import logging
import threading

from viralreel_core import providers
from viralreel_core.config import Settings
from viralreel_core.errors import ViralReelError

__all__ = ["warm_voice"]

_LOGGER = logging.getLogger(__name__)


def warm_voice(settings: Settings) -> threading.Thread | None:
    """Start loading the voice ``settings`` choose, if it is an offline one with a model; the thread, or None."""
    try:
        voice = providers.create("voice", settings)
    except ViralReelError:  # a paid voice without its key: nothing to load here
        return None
    if not voice.offline or voice.warm():
        return None

    def load() -> None:
        try:
            seconds = voice.warm_up()
            _LOGGER.info("Voice model loaded in the background in %.1f s", seconds)
        except ViralReelError as exc:  # the first voice job reports it, with its fix
            _LOGGER.info("The voice model was not loaded in the background: %s", exc)

    thread = threading.Thread(target=load, name="warm-voice", daemon=True)
    thread.start()
    return thread
