"""The command line as a user meets it: validate exit codes and JSON, list, text-mode play, no display, Ctrl-C,
--version, help for every argument, counts in words, the interface language."""
import argparse
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time

import pytest

from simulator.content.loader import bundled_scenarios
from simulator.ui.app import unseen_driver

from .conftest import FIXTURES, ROOT, load_ok


def run(*args, stdin="", **extra_env):
    env = dict(os.environ, PYTHONPATH=str(ROOT), PARLEY_LANG="en", **extra_env)  # English whatever the system's
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=120)


def test_validate_exit_codes_and_json(tmp_path):
    ok = run("validate", str(FIXTURES / "minimal.yaml"))
    assert ok.returncode == 0 and "1 valid" in ok.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text((FIXTURES / "minimal.yaml").read_text().replace("next: calm-end", "next: nowhere"))
    res = run("validate", str(bad), "--json")
    assert res.returncode == 1
    data = json.loads(res.stdout)
    errors = [d for d in data["files"][0]["diagnostics"] if d["severity"] == "error"]
    diag = errors[0]  # (the fixture's warnings, such as unbalanced-lengths, are listed too)
    assert data["invalid"] == 1
    assert diag["code"] == "unknown-next" and diag["line"] > 0 and diag["hint"]
    plain = run("validate", str(bad))
    assert plain.returncode == 1 and f"{bad}:" in plain.stdout and ": error: " in plain.stdout
    assert run("validate", str(tmp_path / "missing.yaml")).returncode == 2
    assert run("validate").returncode == 2
    assert run("validate", "scenarios/").returncode == 0


def test_list_shows_bundled_scenarios():
    res = run("list")
    assert res.returncode == 0
    assert "deaf-driver-traffic-stop" in res.stdout and "collision-limited-english" in res.stdout
    assert "min" in res.stdout and "recruit" in res.stdout


def test_play_text_handles_bad_input_and_end_of_input():
    res = run("play", str(FIXTURES / "minimal.yaml"), "--text", "--seed", "2", stdin="9\nabc\n1\n")
    assert res.returncode == 3
    assert "Please type a number from 1 to 3." in res.stdout
    assert "Input ended before the scenario finished" in res.stdout
    assert "Traceback" not in res.stderr


def shown_numbers(seed: int, moves: list[str], **options) -> str:
    """What to type in text mode to make `moves` (choice ids of the minimal scenario): each option's
    number in the order the session shows it (shuffled from the seed unless shuffle=False)."""
    from simulator.engine.session import Session, SessionOptions
    session = Session(load_ok(FIXTURES / "minimal.yaml"), seed=seed, options=SessionOptions(timers=False, **options))
    typed = []
    for move in moves:
        typed.append(f"{[c.id for c in session.presented()].index(move) + 1}\n")
        session.choose(move)
    return "".join(typed)


def test_play_text_to_an_ending_writes_the_log(tmp_path):
    log = tmp_path / "run.jsonl"
    report = tmp_path / "report.json"
    res = run("play", str(FIXTURES / "minimal.yaml"), "--text", "--seed", "2", "--log", str(log),
              "--report", str(report), stdin=shown_numbers(2, ["write", "thank"]))
    assert res.returncode == 0, res.stderr
    assert "=== Ending: Resolved (Resolved) ===" in res.stdout and "Distress history:" in res.stdout  # the outcome in words
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert events[0]["seed"] == 2 and events[-1]["type"] == "ending_reached"
    assert [e["choice"] for e in events if e["type"] == "choice_made"] == ["write", "thank"]
    shown = [e["choices"] for e in events if e["type"] == "node_entered"]
    assert sorted(shown[0]) == ["demand", "listen", "write"]  # the log records the order shown
    graded = json.loads(report.read_text())
    assert graded["result"] == "pass" and graded["scenario"]["id"] == "minimal"
    assert "Result: PASS" in res.stdout  # the debrief is printed at the end of text mode


def test_play_text_in_the_authored_order(tmp_path):
    """--authored-order shows the options as the scenario writes them (3 is `write`, then `thank`),
    and the log's options say so."""
    log = tmp_path / "run.jsonl"
    assert shown_numbers(2, ["write", "thank"], shuffle=False) == "3\n3\n"
    res = run("play", str(FIXTURES / "minimal.yaml"), "--text", "--seed", "2", "--authored-order",
              "--log", str(log), stdin="3\n3\n")
    assert res.returncode == 0, res.stderr
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert events[0]["options"]["shuffle"] is False
    assert [e["choices"] for e in events if e["type"] == "node_entered"][0] == ["listen", "demand", "write"]
    assert [e["choice"] for e in events if e["type"] == "choice_made"] == ["write", "thank"]


def test_play_by_bundled_id_and_unknown_names():
    res = run("play", "deaf-driver-traffic-stop", "--text", "--seed", "1", stdin="1\n")
    assert res.returncode == 3 and "Deaf" in res.stdout + res.stderr or "Ruth" in res.stdout
    missing = run("play", "no-such-scenario", "--text")
    assert missing.returncode == 2 and "bundled" in missing.stderr


def test_validate_checks_the_scoring_section(tmp_path):
    text = (FIXTURES / "minimal.yaml").read_text()
    bad = tmp_path / "scored.yaml"
    bad.write_text(text + "scoring:\n  objectives:\n    listen: {met_by: {choices: [no-such-choice]}}\n")
    res = run("validate", str(bad))
    assert res.returncode == 1, res.stdout
    assert "no-such-choice" in res.stdout
    play = run("play", str(bad), "--text", stdin="1\n")
    assert play.returncode == 1 and "scoring section" in play.stderr


def _isolated_env(tmp_path, **extra):
    env = dict(os.environ, PYTHONPATH=str(ROOT), PARLEY_CONFIG_DIR=str(tmp_path / "c"),
               PARLEY_DATA_DIR=str(tmp_path / "d"), PARLEY_CACHE_DIR=str(tmp_path / "k"), PARLEY_LANG="en")
    env.update(extra)
    return {k: v for k, v in env.items() if v is not None}


def test_no_display_falls_back_to_text_mode(tmp_path):
    """A display that cannot be opened (SDL_VIDEODRIVER=x11 with no X server): one line, then text mode."""
    env = _isolated_env(tmp_path, DISPLAY=None, SDL_VIDEODRIVER="x11")
    done = subprocess.run([sys.executable, str(ROOT / "main.py")], input="", capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120)
    assert done.stderr.count("\n") == 1 and "cannot open a window" in done.stderr, done.stderr
    assert "playing the first bundled scenario in text mode instead" in done.stderr
    assert "===" in done.stdout  # the first bundled scenario's title
    assert done.returncode == 3  # text mode's status for end of input before an ending


def test_no_display_at_all_does_not_hang(tmp_path):
    """DISPLAY, WAYLAND_DISPLAY and SDL_VIDEODRIVER unset: SDL falls back on a driver that shows nothing
    (offscreen); the window must not wait invisibly for input but say so and play in the terminal."""
    env = _isolated_env(tmp_path, DISPLAY=None, WAYLAND_DISPLAY=None, SDL_VIDEODRIVER=None)
    done = subprocess.run([sys.executable, str(ROOT / "main.py")], input="", capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=60)
    assert done.stderr.count("\n") == 1, done.stderr
    assert "text mode instead" in done.stderr and "Traceback" not in done.stderr
    assert "===" in done.stdout and done.returncode == 3
    # the same for `parley play SCENARIO` without --text
    play = subprocess.run([sys.executable, str(ROOT / "main.py"), "play", str(FIXTURES / "minimal.yaml")],
                          input="", capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert play.stderr.count("\n") == 1 and "playing in text mode instead" in play.stderr, play.stderr
    assert "=== Minimal test scenario ===" in play.stdout and play.returncode == 3


@pytest.mark.parametrize("driver,requested,unseen", [
    ("offscreen", None, True), ("dummy", None, True), ("dummy", "", True), ("offscreen", "x11", True),
    ("dummy", "dummy", False), ("offscreen", "x11,offscreen", False), ("DUMMY", "dummy", False),
    ("x11", None, False), ("wayland", None, False), ("windows", None, False), ("cocoa", None, False),
])
def test_unseen_drivers_count_as_no_display_unless_asked_for(driver, requested, unseen):
    assert unseen_driver(driver, requested) is unseen


class _Running:
    """A subprocess whose standard output is read line by line in the background."""

    def __init__(self, args, env, stdin=subprocess.DEVNULL):
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), *args], stdin=stdin,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
        self.lines: queue.Queue = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        buffer = ""
        while True:
            ch = self.proc.stdout.read(1)
            if not ch:
                self.lines.put(None)
                return
            buffer += ch
            if ch == "\n" or buffer.endswith(": "):  # a prompt has no newline
                self.lines.put(buffer)
                buffer = ""

    def wait_for(self, marker: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                continue
            assert line is not None, f"output ended before {marker!r}: {self.seen}"
            self.seen.append(line)
            if marker in line:
                return
        raise AssertionError(f"no {marker!r} within {timeout} s: {self.seen}")

    def interrupt(self) -> tuple[int, str]:
        self.proc.send_signal(signal.SIGINT)
        _, err = self.proc.communicate(timeout=60)
        return self.proc.returncode, err


def _assert_one_line_interrupt(status, err):
    assert status == 130, (status, err)
    assert "Traceback" not in err and err.count("\n") == 1 and "interrupted" in err, err


def test_ctrl_c_in_text_mode_exits_130_and_keeps_the_log(tmp_path):
    log = tmp_path / "run.jsonl"
    run_ = _Running(["play", str(FIXTURES / "minimal.yaml"), "--text", "--seed", "2", "--log", str(log)],
                    _isolated_env(tmp_path), stdin=subprocess.PIPE)
    run_.wait_for("Your choice")
    run_.proc.stdin.write("3\n")
    run_.proc.stdin.flush()
    run_.wait_for("Your choice")  # the second decision's prompt: one decision is in the log
    _assert_one_line_interrupt(*run_.interrupt())
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert [e["type"] for e in events].count("choice_made") == 1 and events[-1]["type"] == "node_entered"


def test_ctrl_c_during_validate_exits_130(tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(400):  # each bundled scenario prints one warning, so progress shows on stdout
        shutil.copy(ROOT / "scenarios" / "deaf-driver-traffic-stop.yaml", folder / f"copy-{i:03}.yaml")
    run_ = _Running(["validate", str(folder)], _isolated_env(tmp_path))
    run_.wait_for("copy-000.yaml")
    _assert_one_line_interrupt(*run_.interrupt())


def test_ctrl_c_in_the_window_exits_130(tmp_path):
    """The window as asked for (SDL_VIDEODRIVER=dummy, so it runs here without a display)."""
    run_ = _Running([], _isolated_env(tmp_path, SDL_VIDEODRIVER="dummy", PARLEY_ANNOUNCE_READY="1"))
    run_.wait_for("window ready")
    _assert_one_line_interrupt(*run_.interrupt())


# --- --version, help, list's width, counts in words ------------------------------------------------

def test_version_prints_the_installed_version():
    from importlib import metadata
    res = run("--version")
    assert res.returncode == 0 and res.stdout == f"parley {metadata.version('parley')}\n", res


def test_version_falls_back_on_pyproject(monkeypatch):
    import tomllib
    from importlib import metadata

    from simulator.cli import main as cli_main

    def missing(name):
        raise metadata.PackageNotFoundError(name)
    monkeypatch.setattr(metadata, "version", missing)
    with open(ROOT / "pyproject.toml", "rb") as handle:
        assert cli_main.version() == tomllib.load(handle)["project"]["version"]


def all_actions(parser: argparse.ArgumentParser, where: str = "parley"):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from all_actions(sub, f"{where} {name}")
        else:
            yield where, action


def test_every_argument_of_every_command_has_help():
    from simulator.cli.main import _parser
    seen = 0
    for where, action in all_actions(_parser()):
        seen += 1
        assert action.help and action.help != argparse.SUPPRESS and len(action.help) > 10, (where, action.dest)
    assert seen > 20
    res = run("play", "--help")
    assert "SCENARIO" in res.stdout and "bundled scenario's id" in res.stdout


def test_list_fits_a_narrow_terminal_and_is_a_table_on_a_wide_one():
    narrow = run("list", COLUMNS="60")
    assert narrow.returncode == 0
    lines = narrow.stdout.splitlines()
    assert max(len(line) for line in lines) <= 60, narrow.stdout
    joined = " ".join(narrow.stdout.split())
    for title in ("Traffic stop: the driver who does not answer",
                  "Fender-bender at Larkin and 14th: the driver who says yes",
                  "limited-english, interpreter, neutrality, bystander, proportionality"):
        assert title in joined  # wrapped between words, never cut
    assert "deaf-driver-traffic-stop (15 min)" in narrow.stdout and "recruit" in narrow.stdout
    wide = run("list", COLUMNS="300")
    rows = wide.stdout.split("\n\n")[0].splitlines()  # the table; then a line per translated or varied scenario
    assert len(rows) == len(bundled_scenarios()) + 1
    assert rows[0].split() == ["id", "title", "audience", "duration", "topics"]
    deaf = next(r for r in rows if r.startswith("deaf-driver-traffic-stop "))
    assert deaf.rstrip().endswith("proportionality")
    notes = wide.stdout.split("\n\n")[1]
    assert "deaf-driver-traffic-stop: languages: en, es; variants:" in notes
    assert "collision-limited-english: languages: en, es" in notes


def test_validate_counts_in_the_singular_and_the_plural(tmp_path):
    from simulator.cli.validate import summary_line
    assert summary_line(1, 0, 1, 1, 0) == "1 file checked: 0 valid, 1 with problems (1 error, 0 warnings)."
    assert summary_line(2, 2, 0, 0, 1) == "2 files checked: 2 valid, 0 with problems (0 errors, 1 warning)."
    bad = tmp_path / "bad.yaml"
    bad.write_text('id: x\ntitle: "unclosed\n')
    res = run("validate", str(bad))
    assert res.stdout.splitlines()[-1] == "1 file checked: 0 valid, 1 with problems (1 error, 0 warnings).", res.stdout
    assert "file(s)" not in res.stdout


# --- a YAML error at the end of a file is reported inside the file ------------------------------------

@pytest.mark.parametrize("text,line,column,left_open", [
    ('id: x\ntitle: "unclosed\n', 2, 17, "quoted text that starts at line 2, column 8"),
    ("id: x\nlist: [a, b\n", 2, 12, "[...] list that starts at line 2, column 7"),
    ("id: x\nlist: [a, b", 2, 12, "[...] list that starts at line 2, column 7"),  # no line break at the end
    ("id: x\r\ntitle: 'unclosed\r\n", 2, 17, "quoted text"),
    ("a: 1\nb: {c: 2\n\n\n", 2, 9, "{...} mapping"),  # blank lines after: still at the text's end
])
def test_a_yaml_error_at_the_end_of_the_file_is_inside_the_file(tmp_path, text, line, column, left_open):
    path = tmp_path / "short.yaml"
    path.write_bytes(text.encode())
    res = run("validate", str(path), "--json")
    diag = json.loads(res.stdout)["files"][0]["diagnostics"][0]
    assert diag["code"] == "yaml-syntax" and (diag["line"], diag["column"]) == (line, column), diag
    assert left_open in diag["hint"]
    lines = text.replace("\r\n", "\n").split("\n")
    assert diag["line"] <= len(lines) and diag["column"] <= len(lines[diag["line"] - 1]) + 1
    assert f"{path}:{line}:{column}: error:" in run("validate", str(path)).stdout


# --- the interface language --------------------------------------------------------------------------

def test_lang_option_and_environment_choose_the_interface_language(pseudo, monkeypatch, capsys):
    from simulator.cli.main import main
    monkeypatch.delenv("PARLEY_LANG", raising=False)
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.setenv(name, "en_GB.UTF-8")
    assert main(["--lang", "es", "list"]) == 0 and pseudo.language() == "es"
    assert main(["list", "--lang=en"]) == 0 and pseudo.language() == "en"  # after the command too
    monkeypatch.setenv("PARLEY_LANG", "es")
    assert main(["list"]) == 0 and pseudo.language() == "es"
    monkeypatch.delenv("PARLEY_LANG")
    monkeypatch.setenv("LANGUAGE", "es_MX")  # no option, no PARLEY_LANG: the system's language
    assert main(["list"]) == 0 and pseudo.language() == "es"
    capsys.readouterr()
    assert main(["--lang", "fr", "list"]) == 2 and "invalid choice" in capsys.readouterr().err


def test_cli_words_go_through_gettext(pseudo, tmp_path, capsys):
    from simulator.cli.main import _parser, main
    pseudo.set_language("es")
    for where, action in all_actions(_parser()):
        assert action.help.startswith("\u27e6"), (where, action.dest, action.help)
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nlist: [a, b\n")
    assert main(["--lang", "es", "validate", str(bad)]) == 1
    last = capsys.readouterr().out.splitlines()[-1]
    assert last.startswith("\u27e6") and last.count("\u27e6") == 4, last  # the line, files, errors, warnings
    assert main(["--lang", "es", "list"]) == 0
    listing = capsys.readouterr().out
    assert "\u27e6Audience: {audience}\u27e7" not in listing and "\u27e6Audience: recruit" in listing
    assert main(["--lang", "es", "play", "no-such-scenario", "--text"]) == 2
    assert capsys.readouterr().err.startswith("\u27e6parley: \u27e6no scenario file")  # "parley: {problem}", both translated
    assert main(["--lang", "es", "play", "x", "--seed", "-1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("\u27e6{prog}") is False and err.startswith("\u27e6parley play: error:") and "\u27e6must be" in err


def test_a_reader_that_goes_away_stops_the_command_quietly():
    """`parley list | head -1`: the pipe closes before the output is written; one quiet exit, no traceback."""
    child = subprocess.Popen([sys.executable, str(ROOT / "main.py"), "list"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, cwd=ROOT)
    child.stdout.close()  # before the program has started writing
    err = child.stderr.read().decode()
    assert child.wait(60) == 1
    assert "Traceback" not in err and "BrokenPipe" not in err, err
