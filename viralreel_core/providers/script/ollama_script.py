"""Scripts from a language model on this machine: Ollama, or any OpenAI-compatible local server (LM Studio,
llama.cpp, vLLM) at ``OLLAMA_BASE_URL``. No key, no cost.

The protocol is the OpenAI writer's (``ChatScriptWriter``): the same prompts, post texts and visuals. It
asks for ``json_schema`` output first (recent Ollama enforces it); a server that rejects it is asked in
plain text from then on, and the JSON is read out of the answer (a code fence, a sentence around it) and
checked like any script: an unusable one is retried once (the pipeline's ``SCRIPT_ATTEMPTS``).

``auto`` picks it before the offline writer when the server answers and has the model
(``model_server.probe``: 0.3 s at most when nothing listens, remembered for the process)::

    writer = OllamaScriptWriter(model="llama3.2")          # http://127.0.0.1:11434/v1
    script = writer.write(ScriptRequest("Why do cats purr?", scenes=4))
"""

from __future__ import annotations

from typing import Any

from viralreel_core.config import Settings
from viralreel_core.providers.http.model_server import probe
from viralreel_core.providers.script.openai_script import MAX_TOKENS, TEMPERATURE, ChatScriptWriter

__all__ = ["OllamaScriptWriter", "DEFAULT_BASE_URL", "DEFAULT_MODEL", "BASE_URL_ENV"]

DEFAULT_BASE_URL = "http://127.0.0.1:11434/v1"
DEFAULT_MODEL = "llama3.2"
BASE_URL_ENV = "OLLAMA_BASE_URL"
TIMEOUT = 300.0  # seconds: a model on a CPU loads before its first answer and writes slowly
NO_KEY = "ollama"  # the SDK insists on a key; a local server ignores it


class OllamaScriptWriter(ChatScriptWriter):
    """Scripts, post texts and visuals from a local model server; free, no key."""

    name = "ollama"
    label = "Ollama"
    base_url_env = BASE_URL_ENV
    options = {"ollama_model": DEFAULT_MODEL}
    formats = ("json_schema", "text")
    default_base_url = DEFAULT_BASE_URL
    default_model = DEFAULT_MODEL
    error_hints = {
        "connect": f"Start Ollama (`ollama serve`), or set {BASE_URL_ENV} to where your model server listens; "
                   "or choose the offline writer ('local').",
        "model": "Pull the model first (`ollama pull <model>`), or choose one the server has (the ollama_model "
                 "setting; `python -m viralreel_core doctor` lists them).",
        "timeout": "A local model can be slow: try again once it has loaded, or a smaller model (ollama_model).",
    }

    def __init__(self, api_key: str = NO_KEY, *, model: str | None = None, base_url: str | None = None,
                 temperature: float = TEMPERATURE, max_tokens: int = MAX_TOKENS, timeout: float = TIMEOUT) -> None:
        super().__init__(api_key or NO_KEY, model=model, base_url=base_url, temperature=temperature,
                         max_tokens=max_tokens, timeout=timeout)

    @classmethod
    def from_settings(cls, settings: Settings) -> OllamaScriptWriter:
        """The writer for ``settings``: ``ollama_model`` and ``OLLAMA_BASE_URL``."""
        return cls(model=cls.setting(settings, "ollama_model"), base_url=cls.base_url(settings))

    @classmethod
    def auto_ready(cls, settings: Settings) -> bool:
        """``auto`` picks it when the server answers (a quick probe, remembered) and has the chosen model."""
        state = probe(cls.base_url(settings) or DEFAULT_BASE_URL)
        return state.reachable and state.has_model(str(cls.setting(settings, "ollama_model")))

    @classmethod
    def server_report(cls, settings: Settings) -> dict[str, Any]:
        """Whether the server answers, the models it lists and whether the chosen one is among them (asked now)."""
        model = str(cls.setting(settings, "ollama_model"))
        state = probe(cls.base_url(settings) or DEFAULT_BASE_URL, fresh=True)
        report: dict[str, Any] = {"ok": state.reachable and state.has_model(model), "endpoint": state.endpoint,
                                  "reachable": state.reachable, "models": list(state.models), "model": model}
        if not state.reachable:
            report["problem"] = state.problem
            report["hint"] = (f"Optional: for scripts from a local model at no cost, install Ollama, run `ollama "
                              f"serve` and `ollama pull {model}` (or set {BASE_URL_ENV}).")
        elif not report["ok"]:
            report["hint"] = f"Run `ollama pull {model}`, or pick a listed model with --option ollama_model=NAME."
        return report
