"""``python -m charon.agent init|dns|version``: the container image's entry point."""

import sys

from charon.agent.main import main

sys.exit(main())
