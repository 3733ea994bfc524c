"""``python -m ses_workbench`` is the same as the ``ses-workbench`` command."""

import sys

from ses_workbench.cli import main

sys.exit(main())
