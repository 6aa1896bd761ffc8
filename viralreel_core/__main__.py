"""``python -m viralreel_core``: the headless CLI."""

import sys

from viralreel_core.cli.main import main

sys.exit(main())
