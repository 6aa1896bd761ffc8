"""ViralReel core: topic → script → voice + clips → captioned vertical MP4.

The public surface used by the studio pages and the CLI.
"""

from .assembler import Assembler, SceneMedia
from .cache import AssetCache, cache_key
from .config import ApiKeys, CaptionStyle, Settings
from .errors import (
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
from .models import Clip, ProgressEvent, Project, RenderResult, Scene, Script, VoiceTrack, WordTiming
from .pipeline import Pipeline, validate_topic

__all__ = [
    "ApiKeys", "AssemblyError", "Assembler", "AssetCache", "AuthError", "BadInput", "CacheError",
    "CaptionStyle", "Clip", "ContentRejected", "Pipeline", "ProgressEvent", "Project", "ProviderError",
    "ProviderTimeout", "QuotaExceeded", "RateLimited", "RenderResult", "Scene", "SceneMedia", "Script",
    "Settings", "ViralReelError", "VoiceTrack", "WordTiming", "cache_key", "validate_topic",
]
