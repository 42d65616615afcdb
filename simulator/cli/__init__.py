"""The command line (`parley`, `python main.py`) and text mode: the terminal's presentation layer."""
