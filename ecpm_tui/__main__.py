"""``python -m ecpm_tui``: the same as the ``ecpm`` command."""

import sys

from ecpm_tui.cli import main

sys.exit(main())
