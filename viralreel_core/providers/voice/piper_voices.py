"""Piper voices for other languages: found in the voices folder, or downloaded there once while online.

Voices come from the ``rhasspy/piper-voices`` repository on Hugging Face: its ``voices.json`` lists every
voice with its files' sizes and MD5 digests, and each file lives at ``{base}/{path}`` (``hi/hi_IN/pratham/
medium/hi_IN-pratham-medium.onnx`` and its ``.onnx.json``). ``main`` is used rather than the ``v1.0.0``
tag because voices added since (Hindi among them) are not in the tag; the digests come from the same
revision as the files, so what is kept is always checked against the catalogue it came from::

    model, config = voice_files("hi", Path("cache/piper-voices"))   # ~60 MB, once; later runs find it

A download is written beside its final name and renamed only after its size and MD5 match, under a
cross-process lock, so two workers never fetch one voice twice and a cut-off download is never used.
``VIRALREEL_PIPER_VOICES_URL`` points the downloads elsewhere (a mirror, or a local fake in tests).
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from pathlib import Path
from typing import Any

import requests
from filelock import FileLock

from viralreel_core.errors import ProviderError
from viralreel_core.media.files import atomic_path
from viralreel_core.providers.http import retry
from viralreel_core.providers.http.transport import make_session, timeouts
from viralreel_core.text.languages import LANGUAGES

__all__ = ["DEFAULT_VOICES_URL", "VOICES_URL_ENV", "VOICES_DIR_ENV", "PREFERRED", "installed_languages",
           "installed_voice", "voice_files", "voice_language"]

_LOGGER = logging.getLogger(__name__)

DEFAULT_VOICES_URL = "https://huggingface.co/rhasspy/piper-voices/resolve/main"
VOICES_URL_ENV = "VIRALREEL_PIPER_VOICES_URL"
VOICES_DIR_ENV = "VIRALREEL_PIPER_VOICES_DIR"
#: the voice downloaded for a language when the catalogue has it (espeak-phonemized: no second download)
PREFERRED = {
    "de": "de_DE-thorsten-medium", "es": "es_ES-davefx-medium", "fr": "fr_FR-siwis-medium",
    "it": "it_IT-paola-medium", "pt": "pt_BR-faber-medium", "nl": "nl_NL-mls-medium", "pl": "pl_PL-gosia-medium",
    "tr": "tr_TR-dfki-medium", "sv": "sv_SE-nst-medium", "vi": "vi_VN-vais1000-medium", "ru": "ru_RU-irina-medium",
    "uk": "uk_UA-ukrainian_tts-medium", "el": "el_GR-rapunzelina-low", "ar": "ar_JO-kareem-medium",
    "fa": "fa_IR-amir-medium", "hi": "hi_IN-pratham-medium", "zh": "zh_CN-huayan-medium",
}
_QUALITY = {"medium": 0, "low": 1, "high": 2, "x_low": 3}
_BLOCK = 1 << 20
_LOCK_WAIT = 600.0  # seconds to wait for another process downloading the same voice
#: seconds a catalogue that could not be reached is not asked again in this process: offline, each row of
#: a batch or each click in the studio is refused at once instead of after the connection's retries
UNREACHABLE_FOR = 60.0
_unreachable: dict[str, float] = {}


def _family(name: str) -> str:
    return name.split("_", 1)[0].split("-", 1)[0].lower()


def installed_voice(code: str, folder: Path) -> tuple[Path, Path] | None:
    """A voice for language ``code`` already in ``folder`` (the preferred one first), with its config."""
    if not folder.is_dir():
        return None
    found = sorted((p for p in folder.glob("*.onnx")
                    if not p.name.startswith(".") and _family(p.name) == code and Path(f"{p}.json").is_file()),
                   key=lambda p: (p.name.removesuffix(".onnx") != PREFERRED.get(code), p.name))
    return (found[0], Path(f"{found[0]}.json")) if found else None


def installed_languages(folder: Path) -> list[str]:
    """The language codes that have a voice in ``folder``."""
    if not folder.is_dir():
        return []
    return sorted({_family(p.name) for p in folder.glob("*.onnx")
                   if not p.name.startswith(".") and Path(f"{p}.json").is_file()})


def voice_language(config: Path) -> str | None:
    """The language code a Piper voice speaks, from its ``.onnx.json`` (None when it does not say, or
    cannot be read)."""
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
        family = (data.get("language") or {}).get("family") or str((data.get("espeak") or {}).get("voice", ""))
    except (OSError, ValueError, AttributeError):
        return None
    code = _family(str(family))
    return {"cmn": "zh", "yue": "zh"}.get(code, code) or None  # espeak names Chinese by its dialect


def _choose(code: str, catalogue: dict[str, Any]) -> str | None:
    """The catalogue's voice for ``code``: the preferred one, else the best-quality one of that language."""
    if PREFERRED.get(code) in catalogue:
        return PREFERRED[code]
    mine = [k for k, v in catalogue.items()
            if isinstance(v, dict) and str((v.get("language") or {}).get("family", "")).lower() == code]
    return min(mine, key=lambda k: (_QUALITY.get(str(catalogue[k].get("quality")), 9), k)) if mine else None


def _offline_error(code: str, folder: Path, what: str, retryable: bool = False) -> ProviderError:
    """The one line for a missing voice; not retried (the session already retried the connection) unless
    a download broke off or arrived damaged, which another try may fix."""
    name = LANGUAGES[code].name if code in LANGUAGES else code
    return ProviderError(f"No offline voice for {name} is installed here, and {what}.", provider="local",
                         retryable=retryable,
                         hint=f"Connect to the internet once so it can be downloaded (about 60 MB), put a Piper "
                              f"voice for {name} (.onnx and .onnx.json) in {folder}, or use another voice provider.")


def _fetch(session: requests.Session, url: str, target: Path, size: int, md5: str) -> None:
    """Stream ``url`` into ``target`` (renamed into place only when its size and MD5 match)."""
    digest, got = hashlib.md5(usedforsecurity=False), 0
    with atomic_path(target) as partial, session.get(url, stream=True, timeout=timeouts(60.0)) as response:
        response.raise_for_status()
        with open(partial, "wb") as out:
            for block in response.iter_content(_BLOCK):
                out.write(block)
                digest.update(block)
                got += len(block)
        if got != size or digest.hexdigest() != md5:
            raise ValueError(f"{target.name} arrived damaged ({got} of {size} bytes, or its checksum differs)")


def voice_files(code: str, folder: Path, base_url: str | None = None,
                retry_policy: retry.RetryPolicy = retry.POLICY) -> tuple[Path, Path]:
    """The ``.onnx`` and ``.onnx.json`` of a Piper voice for language ``code``: installed in ``folder``, else
    downloaded there once (checked against the catalogue's sizes and MD5s). ProviderError saying how to get
    one when neither works (offline, no voice for that language, a damaged download). ``retry_policy``: the
    run's waits between tries (``retry.policy_for(settings)``)."""
    found = installed_voice(code, folder)
    if found:
        return found
    base = (base_url or DEFAULT_VOICES_URL).rstrip("/")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _offline_error(code, folder, f"its folder cannot be made ({exc.strerror})") from exc
    if time.monotonic() < _unreachable.get(base, 0.0):
        raise _offline_error(code, folder, "the voice catalogue could not be reached")
    with FileLock(str(folder / f".{code}.lock"), timeout=_LOCK_WAIT), make_session(
            retries=2, retry_policy=retry_policy) as session:
        found = installed_voice(code, folder)  # another process may have fetched it while we waited
        if found:
            return found
        try:
            response = session.get(f"{base}/voices.json", timeout=timeouts(30.0))
            response.raise_for_status()
            catalogue = response.json()
        except (requests.RequestException, ValueError) as exc:
            _unreachable[base] = time.monotonic() + UNREACHABLE_FOR
            raise _offline_error(code, folder, "the voice catalogue could not be reached") from exc
        _unreachable.pop(base, None)
        name = _choose(code, catalogue if isinstance(catalogue, dict) else {})
        if name is None:
            raise _offline_error(code, folder, "the Piper voice catalogue has none for it")
        files = {Path(p).name: (p, meta) for p, meta in (catalogue[name].get("files") or {}).items()}
        wanted = [files.get(f"{name}{ext}") for ext in (".onnx.json", ".onnx")]  # the config first: the
        if None in wanted:  # model's arrival is what marks the voice as installed
            raise _offline_error(code, folder, f"the catalogue's entry for {name} lists no model")
        _LOGGER.info("Downloading the Piper voice %s for %s", name, code)
        try:
            for path, meta in wanted:  # type: ignore[misc]
                _fetch(session, f"{base}/{path}", folder / Path(path).name, int(meta["size_bytes"]),
                       str(meta["md5_digest"]))
        except (requests.RequestException, OSError, ValueError, KeyError, TypeError) as exc:
            raise _offline_error(code, folder, f"downloading {name} failed ({exc})", retryable=True) from exc
    return folder / f"{name}.onnx", folder / f"{name}.onnx.json"
