"""Before anything is made: the video's language can be written and spoken by the providers chosen.

The one place for that rule. The CLI's ``make`` (through ``Pipeline.make``), the API and batch (through
``jobs.options.check_request``) and the studio (writing the script, accepting it, recording the voice) all
ask it, and all refuse with the same line::

    check_languages(settings, "Por qué el cielo es azul")
    # BadInput: Offline voice (Piper) does not speak Spanish here (it speaks English). ElevenLabs and OpenAI
    #           speak Spanish: choose one as the voice provider (its key: ELEVENLABS_API_KEY, OPENAI_API_KEY),
    #           or put a Piper voice for Spanish (.onnx and .onnx.json) in cache/piper-voices, or …

What a voice speaks is what it declares (``Voice.languages_here``/``speaks``, ``providers/base.py``); the
offline voice fetches a missing one here (free) when it can, so a run never meets a voiceless language at
its first scene and ends as a video missing scenes. A narration quoting another script (a Chinese title in
English) needs a voice that ``mixes_languages``: the offline voice would spell it out ("Chinese letter…").
"""

from __future__ import annotations

from viralreel_core import providers
from viralreel_core.config import Settings
from viralreel_core.errors import BadInput
from viralreel_core.models import Script
from viralreel_core.providers.base import ScriptWriter, Voice
from viralreel_core.text.languages import LANGUAGES, names_of, resolve_language, spoken_languages

__all__ = ["check_languages", "language_problem"]

_MAX_LISTED = 3  # a voice that speaks more languages than this is not listed in full in a line


def _chosen(step: str, settings: Settings) -> type:
    """The class of the provider ``settings`` use for ``step`` ("script" or "voice"), ``auto`` resolved."""
    return providers.provider_class(step, providers.resolve_name(step, getattr(settings, f"{step}_provider"), settings))


def _voices(settings: Settings, chosen: type[Voice], codes: list[str], mixing: bool = False) -> list[type[Voice]]:
    """The other voices that speak every one of ``codes`` (as ``settings`` set them up), reading them in
    one narration when ``mixing``."""
    voices: list[type[Voice]] = providers.classes("voice")  # type: ignore[assignment]
    return [cls for cls in voices if cls is not chosen and cls.auto
            and (cls.mixes_languages or not mixing) and all(cls.speaks(c, settings) for c in codes)]


def _who_speaks(code: str, settings: Settings, chosen: type[Voice]) -> str:
    """The other voices that speak ``code`` and how to choose one, as the start of a sentence ("" if none)."""
    others = _voices(settings, chosen, [code])
    if not others:
        return ""
    keys = [cls.key_env for cls in others if cls.key_env]
    verb = "speaks" if len(others) == 1 else "speak"
    return (f"{names_of([c.display_name() for c in others])} {verb} {LANGUAGES[code].name}: choose "
            f"{'it' if len(others) == 1 else 'one'} as the voice provider"
            + (f" (its key: {', '.join(keys)})" if keys else ""))


def _voice_refusal(code: str, settings: Settings, voice: type[Voice]) -> BadInput:
    name = LANGUAGES[code].name
    here = voice.languages_here(settings) or ()
    has = f" (it speaks {names_of(list(here))})" if 0 < len(here) <= _MAX_LISTED else ""
    ways = [w for w in (_who_speaks(code, settings, voice), voice.language_hint(code, settings)) if w]
    hint = (", or ".join(ways) + ".") if ways else f"No voice provider here speaks {name}: write the script in " \
                                                     "another language."
    return BadInput(f"{voice.display_name()} does not speak {name} here{has}.", hint=hint[0].upper() + hint[1:])


def _writer_refusal(code: str, settings: Settings, writer: type[ScriptWriter]) -> BadInput:
    name = LANGUAGES[code].name
    others = [cls.display_name() for cls in providers.classes("script") if cls is not writer and cls.auto
              and (cls.languages is None or code in cls.languages)]  # type: ignore[attr-defined]
    hint = (f"Choose {names_of(others)} as the script writer, " if others else "") + \
        f"send a script written in {name} (the studio's Script page, or the API's script), or choose another language."
    return BadInput(f"{writer.display_name()} writes {names_of(list(writer.languages or ()))} only, not {name}.",
                    hint=hint[0].upper() + hint[1:])


def check_languages(settings: Settings, topic: str = "", script: Script | None = None, *, writer: bool = True,
                    fetch: bool = True) -> None:
    """BadInput, in one line naming the voices that would, when the chosen voice cannot speak the video's
    language: the topic's (as the writer is asked for it) or, for a ``script``, each scene's narration's.
    For a topic, ``writer`` also asks that the script writer writes that language. ``fetch``: a voice may
    get what it lacks now (the offline voice downloads a Piper voice while online); nothing is paid."""
    voice: type[Voice] = _chosen("voice", settings)
    spoken: dict[str, bool] = {}

    def check(code: str) -> None:
        if code not in spoken:
            spoken[code] = voice.speaks(code, settings, fetch=fetch)
        if not spoken[code]:
            raise _voice_refusal(code, settings, voice)

    if script is None:
        code = resolve_language(settings.language, topic).code
        check(code)
        made_by: type[ScriptWriter] = _chosen("script", settings)
        if writer and made_by.languages is not None and code not in made_by.languages:
            raise _writer_refusal(code, settings, made_by)
        return
    for scene in script.scenes:
        needed = [lang.code for lang in spoken_languages(settings.language, scene.narration)]
        if len(needed) > 1 and not voice.mixes_languages:
            both = [cls.display_name() for cls in _voices(settings, voice, needed, mixing=True)]
            raise BadInput(f"Scene {scene.number}'s narration mixes {names_of(needed)}: {voice.display_name()} "
                           f"reads a scene in one language and would spell the {names_of(needed[1:])} out letter "
                           "by letter.", hint=f"Write the scene in {LANGUAGES[needed[0]].name} only (a name in Latin "
                                              "letters is fine)" + (f", or choose {names_of(both, 'or')} as the voice "
                                                                    "provider: it reads both." if both else "."))
        for code in needed:
            check(code)


def language_problem(settings: Settings, topic: str = "", script: Script | None = None, *, writer: bool = True,
                     fetch: bool = True) -> str | None:
    """``check_languages``'s refusal as its line, else None (for a page that shows it rather than stops)."""
    try:
        check_languages(settings, topic, script, writer=writer, fetch=fetch)
    except BadInput as exc:
        return str(exc)
    return None
