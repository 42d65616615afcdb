"""Parley entry point: `python main.py` opens the simulator window; see `python main.py --help`."""
import sys


def _main() -> int:
    if len(sys.argv) == 1:
        # The window's first frame must not wait for the engine, NumPy or YAML: open it straight away
        # and let the scenario catalog load in the background (the command line imports all of them).
        try:
            from simulator.ui.app import NO_DISPLAY, run_app
        except ImportError:
            pass
        else:
            status = run_app()
            if status != NO_DISPLAY:
                return status
    from simulator.cli.main import main
    return main(None if len(sys.argv) > 1 else ["--text-fallback"])


if __name__ == "__main__":
    sys.exit(_main())
