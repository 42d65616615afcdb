"""Parley entry point: `python main.py` opens the simulator; see `python main.py --help`."""
import sys

from simulator.cli import main

if __name__ == "__main__":
    sys.exit(main())
