"""A person's own script, read from what they typed or saved: plain text or the script JSON.

Plain text is one paragraph a scene (paragraphs are separated by a blank line; the lines of one
paragraph are joined); text of one paragraph is a scene a line, or with one line, two sentences a scene.
A "Scene 2:", "2." or "-" before a scene is dropped. Every way in reads it here: ``make --script``, the
API, a batch row, and both of the studio's pastes (Topic page, Script page). The JSON is what
``python -m viralreel_core script`` prints, or what the API's ``/generate-script`` answers: ``{"topic",
"title", "scenes": [{"number" or "scene_number", "visuals", "narration"}]}``. A scene without visuals
keeps them empty: the script writer fills them in later (``run/own_script.py``), so reading a script
never spends anything::

    script = script_from_text(Path("notes.txt").read_text())
    [s.narration for s in script.scenes]  # the paragraphs, word for word
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from viralreel_core.errors import BadInput
from viralreel_core.limits import MAX_DRAFT_SCENES, MAX_TOPIC_CHARS
from viralreel_core.models import Scene, Script, search_terms_of
from viralreel_core.text.clean import clean_text, reject_nul

__all__ = ["MAX_SCRIPT_TEXT_CHARS", "TOPIC_FROM_TEXT_CHARS", "narrations_from_text", "read_script_file",
           "script_from_text", "script_from_data", "topic_from_narration"]

MAX_SCRIPT_TEXT_CHARS = 20_000  # far more than a few minutes of speech: anything longer is a mistake
TOPIC_FROM_TEXT_CHARS = 80  # a topic read from the first sentence, for the post kit and the project's name
_JSON_HINT = "Send {\"topic\", \"title\", \"scenes\": [{\"scene_number\", \"visuals\", \"narration\"}, …]}."
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s+")
# "Scene 2:", "Part 2 -", "2." or "2)", a bullet: a scene's own label, never its words (a year "2024:" is kept)
_MARKER = re.compile(r"^\s*(?:scene\s*\d{1,2}\s*[:.)-]?|part\s*\d{1,2}\s*[:.)-]|\d{1,2}\s*[:.)]|[-*•])(?=\s|$)\s*",
                     re.IGNORECASE)


def _words(text: Any) -> str:
    return " ".join(clean_text(str(text or "")).split())


def topic_from_narration(narration: str) -> str:
    """A topic read from the first sentence of ``narration``, cut at a word to ``TOPIC_FROM_TEXT_CHARS``."""
    first = _SENTENCE_END.split(_words(narration), maxsplit=1)[0]
    if len(first) <= TOPIC_FROM_TEXT_CHARS:
        return first
    cut = first[:TOPIC_FROM_TEXT_CHARS + 1].rsplit(" ", 1)[0] or first[:TOPIC_FROM_TEXT_CHARS]
    return cut.rstrip(",;:-–— ") + "…"


def _checked_count(count: int, max_scenes: int, hint: str) -> None:
    if not 1 <= count <= max_scenes:
        raise BadInput(f"A script has 1 to {max_scenes} scenes, not {count}.", hint=hint)


def _fit(pieces: list[str], limit: int) -> list[str]:
    """``pieces`` joined in order into at most ``limit`` scenes of about equal size."""
    if len(pieces) <= limit:
        return pieces
    per, extra = divmod(len(pieces), limit)
    out, at = [], 0
    for i in range(limit):
        take = per + (1 if i < extra else 0)
        out.append(" ".join(pieces[at:at + take]))
        at += take
    return out


def narrations_from_text(text: str, max_scenes: int = MAX_DRAFT_SCENES) -> list[str]:
    """The scenes' narrations in plain ``text``: its paragraphs; with one paragraph, its lines; with one line,
    its sentences two at a time (joined to fit ``max_scenes``: that split is ours, not the person's). A scene's
    label ("Scene 2:", "2.", "-") is dropped. BadInput when there are no words, or more scenes than allowed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    blocks = [b for b in _PARAGRAPH_BREAK.split(text) if b.strip()]
    if len(blocks) == 1:
        blocks = [line for line in text.split("\n") if line.strip()]
    if len(blocks) == 1:
        sentences = [s for s in _SENTENCE_END.split(text) if s.strip()]
        blocks = _fit([" ".join(sentences[i:i + 2]) for i in range(0, len(sentences), 2)], max_scenes)
    narrations = [p for p in (_words(_MARKER.sub("", b)) for b in blocks) if p]
    if not narrations:
        raise BadInput("The script is empty.", hint="Write what the voice says: one paragraph a scene.")
    _checked_count(len(narrations), max_scenes,
                   "Separate the scenes with a blank line, one paragraph a scene; join or cut some.")
    return narrations


def script_from_data(data: Any, *, max_scenes: int = MAX_DRAFT_SCENES, topic: str | None = None) -> Script:
    """A script from its JSON (scenes with ``scene_number`` or ``number``, ``visuals``, ``narration``), in the
    order given; visuals may be empty. BadInput naming the scene for anything unusable."""
    if not isinstance(data, Mapping) or not isinstance(data.get("scenes"), list):
        raise BadInput("The script has no list of scenes.", hint=_JSON_HINT)
    scenes = data["scenes"]
    _checked_count(len(scenes), max_scenes, _JSON_HINT)
    made = []
    for i, scene in enumerate(scenes, 1):
        if not isinstance(scene, Mapping):
            raise BadInput(f"Scene {i} is not an object.", hint=_JSON_HINT)
        narration = _words(reject_nul(str(scene.get("narration") or ""), f"Scene {i}'s narration"))
        if not narration:
            raise BadInput(f"Scene {i} has no narration.", hint="Write what the voice should say.")
        visuals = _words(reject_nul(str(scene.get("visuals") or ""), f"Scene {i}'s visuals"))
        made.append(Scene(i, visuals, narration, search_terms_of(scene.get("search_terms"))))
    topic = _words(topic or data.get("topic") or data.get("title")) or topic_from_narration(made[0].narration)
    return Script(topic=topic[:MAX_TOPIC_CHARS], title=_words(data.get("title")) or topic[:MAX_TOPIC_CHARS],
                  scenes=tuple(made))


def script_from_text(text: str, *, max_scenes: int = MAX_DRAFT_SCENES, topic: str | None = None) -> Script:
    """A script from plain text (one paragraph a scene) or from the script JSON; ``topic`` names what it is
    about (default: the JSON's, else the first sentence). BadInput says what to change."""
    text = reject_nul(str(text or ""), "The script")
    if len(text) > MAX_SCRIPT_TEXT_CHARS:
        raise BadInput(f"The script is {len(text)} characters long; the limit is {MAX_SCRIPT_TEXT_CHARS}.",
                       hint="A short video says a few hundred words: shorten it.")
    stripped = text.strip().lstrip("\ufeff")
    if stripped.startswith("{"):
        try:
            data = json.loads(stripped)
        except ValueError as exc:
            raise BadInput(f"The script looks like JSON but cannot be read ({exc}).",
                           hint="Fix the JSON, or give plain text: one paragraph a scene.") from None
        return script_from_data(data, max_scenes=max_scenes, topic=topic)
    paragraphs = narrations_from_text(stripped, max_scenes)
    scenes = tuple(Scene(i, "", p) for i, p in enumerate(paragraphs, 1))
    topic = _words(topic) or topic_from_narration(paragraphs[0])
    return Script(topic=topic[:MAX_TOPIC_CHARS], title=topic[:MAX_TOPIC_CHARS], scenes=scenes)


def read_script_file(path: str | Path) -> str:
    """The text of a script file (UTF-8, a byte-order mark allowed); BadInput naming the file otherwise."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise BadInput(f"{path.name} is not UTF-8 text.", hint="Save it as plain text (UTF-8) or JSON.") from None
    except OSError as exc:
        raise BadInput(f"Cannot read the script {path} ({exc.strerror or exc}).",
                       hint="Give the path of a text file (one paragraph a scene) or of the script JSON.") from None
