"""How a command ends on a failure: one line on stderr and its exit code, the same for every command.

``2`` for bad input (what the person gave or set: fix it and run again), ``1`` for any other failure::

    except ViralReelError as exc:
        return failed(exc)
"""

from __future__ import annotations

import sys

from viralreel_core.errors import BadInput, ViralReelError

__all__ = ["failed"]


def failed(exc: ViralReelError) -> int:
    """Print ``error: <the one line>`` to stderr; the exit code: 2 for bad input, else 1."""
    print(f"error: {exc}", file=sys.stderr)
    return 2 if isinstance(exc, BadInput) else 1
