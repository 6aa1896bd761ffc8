"""ViralReel core: topic → script → voice + clips → captioned vertical MP4.

The public surface used by the studio pages and the CLI.
"""

from viralreel_core.cache.store import AssetCache, cache_key
from viralreel_core.config import ApiKeys, CaptionStyle, Settings
from viralreel_core.errors import (
    AssemblyError,
    AuthError,
    BadInput,
    CacheError,
    ContentRejected,
    ProviderError,
    ProviderTimeout,
    QuotaExceeded,
    RateLimited,
    ViralReelError,
)
from viralreel_core.models import Clip, ProgressEvent, Project, RenderResult, Scene, Script, VoiceTrack, WordTiming
from viralreel_core.render.assembler import Assembler, SceneMedia
from viralreel_core.run.checks import validate_topic
from viralreel_core.run.pipeline import Pipeline

__all__ = [
    "ApiKeys", "AssemblyError", "Assembler", "AssetCache", "AuthError", "BadInput", "CacheError",
    "CaptionStyle", "Clip", "ContentRejected", "Pipeline", "ProgressEvent", "Project", "ProviderError",
    "ProviderTimeout", "QuotaExceeded", "RateLimited", "RenderResult", "Scene", "SceneMedia", "Script",
    "Settings", "ViralReelError", "VoiceTrack", "WordTiming", "cache_key", "validate_topic",
]
