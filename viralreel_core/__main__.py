"""``python -m viralreel_core``: the headless CLI."""

import sys

from .cli import main

sys.exit(main())
