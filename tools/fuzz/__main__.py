"""`make fuzz` = `python -m tools.fuzz` (see run.py)."""

import sys

from tools.fuzz.run import main

sys.exit(main())
