"""``python -m measured``: the command line (measured/cli/main.py)."""

import sys

from measured.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
