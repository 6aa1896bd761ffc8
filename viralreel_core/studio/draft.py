"""The topic form and the script a person edits: a draft, and the accepted script the later steps use.

Every scene carries a stable id (``uid``) that survives edits and reordering, so a scene's voice and
clip follow it wherever it moves. Nothing downstream sees the draft until it is accepted.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from viralreel_core.errors import BadInput
from viralreel_core.limits import MAX_DRAFT_SCENES
from viralreel_core.models import Scene, Script, search_terms_of
from viralreel_core.run.checks import validate_topic
from viralreel_core.text.length_plan import SECONDS_PER_SCENE, scenes_for_length
from viralreel_core.text.timing import WORDS_PER_SECOND, estimate_seconds

__all__ = ["SECONDS_PER_SCENE", "TONES", "Draft", "TopicForm", "new_uid", "scenes_for_length"]

TONES = ("viral", "funny", "serious", "inspiring", "educational")


def new_uid() -> str:
    """A fresh scene id."""
    return uuid.uuid4().hex[:8]


@dataclass
class TopicForm:
    """What the person asked for on the Topic page."""

    topic: str = ""
    scenes: int | None = None  # None: chosen from the target length
    tone: str = "viral"
    target_seconds: int = 30  # 10–180 (limits.MIN_LENGTH…MAX_LENGTH): the scenes and their words follow it
    language: str = "auto"  # or a code from ``languages.LANGUAGES``: the script's, voice's and captions'

    def scene_count(self) -> int:
        return self.scenes or scenes_for_length(self.target_seconds)

    def problem(self) -> str | None:
        """Why the topic cannot be used yet (None when it can)."""
        try:
            validate_topic(self.topic)
        except BadInput as exc:
            return str(exc)
        return None


def _clean(value: Any) -> str:
    return "" if value is None else str(value).strip()


class Draft:
    """The script being edited (``draft``) and the accepted one (``script``), each scene with its id.

    ``version`` goes up whenever the draft is replaced, so a table showing it knows to redraw.
    """

    def __init__(self) -> None:
        self.draft: Script | None = None
        self.draft_uids: list[str] = []
        self.script: Script | None = None
        self.uids: list[str] = []
        self.version = 0

    def replace(self, script: Script, uids: Sequence[str]) -> None:
        """Replace the draft (renumbered 1..n)."""
        self.draft = script.renumbered()
        self.draft_uids = list(uids)
        self.version += 1

    def replace_scene(self, uid: str, scene: Scene) -> None:
        """Put ``scene`` in the place of the draft's scene ``uid`` (nothing if that scene was deleted)."""
        if self.draft is None or uid not in self.draft_uids:
            return
        at = self.draft_uids.index(uid)
        scenes = list(self.draft.scenes)
        scenes[at] = replace(scene, number=at + 1)
        self.replace(replace(self.draft, scenes=tuple(scenes)), self.draft_uids)

    def rows(self, words_per_second: float = WORDS_PER_SECOND) -> list[dict[str, Any]]:
        """The draft as table rows: scene number, visuals, narration, estimated seconds (at the voice's pace,
        ``words_per_second``) and words, uid."""
        if self.draft is None:
            return []
        scale = WORDS_PER_SECOND / words_per_second
        return [{"scene": s.number, "visuals": s.visuals, "narration": s.narration,
                 "search": "; ".join(s.search_terms),
                 "seconds": round(estimate_seconds(s.narration) * scale, 2) if s.narration.strip() else 0.0,
                 "words": len(s.narration.split()), "uid": uid}
                for s, uid in zip(self.draft.scenes, self.draft_uids, strict=True)]

    def edit(self, rows: Iterable[Mapping[str, Any]], topic: str = "") -> bool:
        """Take the table as edited (rows added, deleted, renumbered to reorder); True if the draft changed.

        Rows hold ``uid`` (None for a new row), ``scene`` (an int or None), ``visuals`` and ``narration``, and may
        hold ``search`` (the stock search phrases, "a; b"; a row without it keeps the scene's).
        A row whose scene number was changed moves to that place; new rows go last.
        """
        if self.draft is None:
            self.draft, self.draft_uids = Script(topic, "", ()), []
        old_numbers = dict(zip(self.draft_uids, range(1, len(self.draft_uids) + 1), strict=True))
        old_terms = {uid: sc.search_terms for uid, sc in zip(self.draft_uids, self.draft.scenes, strict=True)}
        entries = []
        for pos, row in enumerate(rows):
            uid, visuals, narration = _clean(row.get("uid")), _clean(row.get("visuals")), _clean(row.get("narration"))
            if not (uid or visuals or narration):
                # a row just added and not filled in yet: not a scene until it has some text. Taking it
                # now would redraw the table under the person's cursor and lose what they type next.
                continue
            uid = uid or new_uid()
            number = row.get("scene")
            number = int(number) if number is not None else None
            moved = number is not None and old_numbers.get(uid) not in (None, number)
            place = number if number is not None else (old_numbers.get(uid) or MAX_DRAFT_SCENES + pos + 1)
            # the stock search phrases: as the row's "search" cell has them, else as the scene had them
            terms = search_terms_of(row["search"]) if "search" in row else old_terms.get(uid, ())
            entries.append(((place, 0 if moved else 1, pos), uid, visuals, narration, terms))
        entries.sort(key=lambda e: e[0])
        scenes = tuple(Scene(i, visuals, narration, terms)
                       for i, (_, _, visuals, narration, terms) in enumerate(entries, 1))
        uids = [uid for _, uid, _, _, _ in entries]
        if scenes == self.draft.scenes and uids == self.draft_uids:
            return False
        self.replace(replace(self.draft, scenes=scenes), uids)
        return True

    def problems(self) -> list[str]:
        """What keeps the draft from being accepted (empty when it can be)."""
        if self.draft is None or not self.draft.scenes:
            return ["There is no script yet: write one from the topic, or add scenes to the table."]
        problems = []
        if len(self.draft.scenes) > MAX_DRAFT_SCENES:
            problems.append(f"The script has {len(self.draft.scenes)} scenes; the limit is {MAX_DRAFT_SCENES}.")
        for scene in self.draft.scenes:
            missing = [what for what, text in (("visuals", scene.visuals), ("narration", scene.narration))
                       if not text.strip()]
            if missing:
                problems.append(f"Scene {scene.number} has no {' and no '.join(missing)}.")
        return problems

    @property
    def pending(self) -> bool:
        """Whether the draft differs from the accepted script."""
        if self.draft is None:
            return False
        return self.script is None or self.draft.scenes != self.script.scenes or self.draft_uids != self.uids

    def accept(self) -> None:
        """Make the draft the accepted script; BadInput listing what is wrong with it."""
        problems = self.problems()
        if problems:
            raise BadInput(" ".join(problems), hint="Fix the table, then accept the script.")
        self.script = self.draft
        self.uids = list(self.draft_uids)

    def scenes(self) -> list[tuple[str, Scene]]:
        """The accepted script's scenes with their ids."""
        if self.script is None:
            return []
        return list(zip(self.uids, self.script.scenes, strict=True))

    def number_of(self, uid: str) -> int | None:
        """The accepted scene's number (None when the id is not in the accepted script)."""
        return self.uids.index(uid) + 1 if uid in self.uids else None
