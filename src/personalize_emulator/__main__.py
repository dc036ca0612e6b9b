"""``python -m personalize_emulator`` is the ``personalize-emulator`` command."""

import sys

from .cli import main

sys.exit(main())
