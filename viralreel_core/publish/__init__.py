"""Publishing a finished video: to YouTube (a Short when it is vertical or square and at most 3 minutes long).

Small modules, one job each::

    token_store      the connected channel's tokens, one 0600 file outside every workspace
    youtube_auth     the person's OAuth client, the consent flow (loopback, studio or pasted), renewing, revoking
    youtube_post     what YouTube is told (title, description, tags, privacy, made for kids, synthetic), checked
    upload_sessions  resumable sessions remembered between runs
    youtube_upload   the resumable upload, its recovery after a cut, the thumbnail
    jobs             a publish as a job on the queue (CLI ``publish``, API ``POST /jobs/{id}/publish``, the studio)
"""

from viralreel_core.publish.token_store import Tokens, TokenStore
from viralreel_core.publish.youtube_auth import SCOPE, YouTubeAuth, YouTubeConfig
from viralreel_core.publish.youtube_post import VideoPost
from viralreel_core.publish.youtube_upload import PublishResult, YouTubeUploader

__all__ = ["SCOPE", "PublishResult", "TokenStore", "Tokens", "VideoPost", "YouTubeAuth", "YouTubeConfig",
           "YouTubeUploader"]
