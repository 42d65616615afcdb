"""Parley entry point: `python main.py` opens the simulator window; see `python main.py --help`."""
import sys


def _main() -> int:
    try:
        from simulator.cli.main import main
    except KeyboardInterrupt:  # Ctrl-C before the command line has even loaded
        print("parley: interrupted (Ctrl-C).", file=sys.stderr)
        return 130
    return main()


if __name__ == "__main__":
    sys.exit(_main())
