"""Hardening of the runtime against untrusted input: scenario text reaching the terminal and the
window, record file names, command-line values, the --log file, saves and logs, grading foreign logs,
non-finite numbers, the settings file and a scenario's own art."""
from __future__ import annotations

import copy
import io
import json
import math
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.engine.session import InvalidOptions, ReplayMismatch, SaveError, Session, SessionOptions
from simulator.engine.step import EngineError, ScenarioError, outcome_distribution

from .conftest import FIXTURES, ROOT, load_ok

MINIMAL = FIXTURES / "minimal.yaml"
DEAF = ROOT / "scenarios" / "deaf-driver-traffic-stop.yaml"
PAYLOAD = "\x1b]0;pwned\x07 \x1b[2J \u202e \x00 \x9b31m \u2066x\u2069 \r \ud800"
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def fresh_minimal():
    """A private copy of the minimal scenario (tests below change parts of it in place)."""
    return load_ok(MINIMAL)


def typed(scenario, seed: int, moves) -> str:
    """Standard input for text mode that makes `moves` (choice ids; "u" undoes): each number is looked
    up in the order the session shows its options (shuffled from the seed, as text mode shows them)."""
    session = Session(scenario, seed=seed, options=SessionOptions(timers=False, allow_undo=True))
    lines = []
    for move in moves:
        if move == "u":
            session.undo()
            lines += ["u", "to discuss the other branch"]  # text mode asks why, for the record
        else:
            lines.append(str([c.id for c in session.presented()].index(move) + 1))
            session.choose(move)
    return "".join(f"{line}\n" for line in lines)


def chosen(log_path: Path) -> list:
    return [e["choice"] for e in map(json.loads, log_path.read_text(encoding="utf-8").splitlines())
            if e["type"] == "choice_made"]


def _set(obj, name, value):
    object.__setattr__(obj, name, value)  # the model is frozen; tests poison a private copy


def poison_texts(scenario, payload: str = PAYLOAD):
    """Put `payload` into every text of the scenario that text mode can print."""
    from simulator.engine.model import Text
    seen = set()

    def visit(obj):
        if id(obj) in seen or obj is None or isinstance(obj, (str, int, float, bool)):
            return
        seen.add(id(obj))
        if isinstance(obj, Text):
            _set(obj, "values", {k: f"{payload} {v} {payload}" for k, v in obj.values.items()})
            return
        if isinstance(obj, (tuple, list)):
            for item in obj:
                visit(item)
            return
        if hasattr(obj, "values") and callable(getattr(obj, "items", None)):
            for item in obj.values():
                visit(item)
            return
        for name in getattr(type(obj), "__slots__", ()):
            if name in ("behaviour", "test", "cases", "rules"):  # shared behaviour model: leave it alone
                continue
            visit(getattr(obj, name, None))
    for name in ("title", "summary", "location", "dispatch", "content_notes", "characters", "nodes", "endings",
                 "objectives", "takeaways", "questions"):
        visit(getattr(scenario, name))
    return scenario


def write_poisoned_yaml(folder: Path) -> Path:
    """The minimal scenario with escapes in its YAML text (double-quoted YAML escapes)."""
    text = MINIMAL.read_text(encoding="utf-8")
    evil = "\\e]0;pwned\\a \\x1b[2J \\u202e \\0 \\x9b"
    text = text.replace('title: "Minimal test scenario"', f'title: "Minimal {evil} scenario"')
    text = text.replace('narrative: "Sam stands by the car."', f'narrative: "Sam {evil} stands by the car."')
    text = text.replace('text: "Ask what happened."', f'text: "Ask {evil} what happened."')
    text = text.replace('debrief: "Calm resolution."', f'debrief: "Calm {evil} resolution."')
    path = folder / "poisoned.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def cli(*args, stdin="", env=None, timeout=120):
    env = dict(env or os.environ, PYTHONPATH=str(ROOT), PARLEY_LANG="en")
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=timeout, errors="surrogateescape", check=False)


# --- 1. text mode prints no control characters or bidi overrides ---------------------------------

def test_safetext_clean_removes_controls_and_bidi_but_keeps_text():
    from simulator.safetext import clean
    assert clean(PAYLOAD + "\nnext line") == "]0;pwned [2J   31m x  \ufffd\nnext line"
    assert clean("Tiếng Việt, español, \u05e9\u05dc\u05d5\u05dd, emoji \U0001F600\ttab") == \
        "Tiếng Việt, español, \u05e9\u05dc\u05d5\u05dd, emoji \U0001F600 tab"
    assert not UNSAFE.search(clean("".join(map(chr, range(0x250)))).replace("\n", ""))


def test_text_mode_output_has_no_control_characters_from_a_poisoned_scenario():
    from scoring.report import text_debrief
    from simulator.cli.textmode import TextPlayer
    scenario = poison_texts(fresh_minimal())
    session = Session(scenario, seed=2, options=SessionOptions(timers=False, allow_undo=True))
    out = io.StringIO()
    # choices: write (reveals), undo, write, thank -> the calm ending; every text is printed on the way
    moves = typed(scenario, 2, ["write", "u", "write", "thank"])
    status = TextPlayer(session, io.StringIO(moves), out, debrief=text_debrief).run()
    assert status == 0 and session.ended
    # an escalation cause with a poisoned reason, as a scenario's own behaviour rule could give
    session.log.append({"seq": len(session.log), "type": "escalation_changed", "t": 9.0, "from": 1, "to": 2,
                        "cause": {"kind": "rule", "rule": "x\x1b[2J", "choice": "c\u202e", "why": PAYLOAD, "delta": 1},
                        "causes": [{"kind": "rule", "rule": "x\x1b[2J", "choice": "c", "why": PAYLOAD, "delta": 1}]})
    TextPlayer(session, io.StringIO(""), out).summary()
    printed = out.getvalue()
    assert "pwned" in printed and "=== Debrief ===" in printed  # the text is there, only neutralised
    assert not UNSAFE.search(printed.replace("\n", "")), repr(UNSAFE.search(printed.replace("\n", "")))


def test_text_mode_debrief_text_is_cleaned_too():
    from simulator.cli.textmode import TextPlayer
    session = Session(fresh_minimal(), seed=2, options=SessionOptions(timers=False))
    out = io.StringIO()
    TextPlayer(session, io.StringIO(typed(session.scenario, 2, ["write", "thank"])), out,
               debrief=lambda s: f"Debrief {PAYLOAD}").run()
    assert "Debrief" in out.getvalue() and not UNSAFE.search(out.getvalue().replace("\n", ""))


def test_cli_text_mode_with_escapes_in_the_yaml_never_writes_them(tmp_path):
    path = write_poisoned_yaml(tmp_path)
    res = cli("play", str(path), "--text", "--seed", "2", stdin=typed(fresh_minimal(), 2, ["write", "thank"]))
    both = res.stdout + res.stderr
    assert "Traceback" not in both
    # either the loader refuses such text (then its diagnostics are cleaned) or it is played cleaned
    assert res.returncode in (0, 1), both
    if res.returncode == 0:
        assert "pwned" in res.stdout and "Ending" in res.stdout
    assert not UNSAFE.search(both.replace("\n", "")), repr(both[:400])


# --- 2. the window never crashes on a character ---------------------------------------------------

@pytest.fixture()
def window():
    import pygame

    from tests.ui_helpers import make_app
    app = make_app()
    yield app
    pygame.display.quit()


BAD_STRINGS = ["a\x00b", "\x00", PAYLOAD, "\u200b", "\ufeff", "\u202e", "\ud800\udfff", "x" * 5000,
               "\x00\n\x00\n", "tab\there", "\U0001F600 \U0010FFFF \ue000", ""]


def test_window_fonts_render_and_lay_out_any_string(window):
    from simulator.ui.text import Span, clean, layout, wrap
    fonts = window.fonts
    for text in BAD_STRINGS:
        for bold in (False, True):
            font = fonts.get(24, bold)
            surface = font.render(text, True, (255, 255, 255))
            assert surface.get_height() > 0
            font.size(text)
            lines = wrap(font, text, 300)
            assert all("\x00" not in line for line in lines)
        result = layout(fonts, [Span(text, 24, (255, 255, 255)), Span(text, 18, (200, 200, 200), bold=True)], 400)
        result.draw(window.surface, 0, 0, reveal=3)
        result.draw(window.surface, 0, 0)
        assert all(line[1] >= 0 for line in result.lines)
    assert clean("a\x00b\x1b[2J\u202ec\ud800\td\ne") == "ab[2Jc\ufffd d\ne"


def test_initials_badge_survives_control_characters(window):
    from simulator.ui.art import initials_badge
    font = window.fonts.get(30, True)
    for name in ("\x00", "\u200b \u200b", "\x1b[2J Ann", ""):
        badge = initials_badge(name, 200, (70, 84, 104), (255, 255, 255), font)
        assert badge.get_size() == (150, 200)


def test_window_plays_a_scenario_whose_texts_hold_nul_and_escapes(tmp_path):
    import pygame

    from simulator.content.loader import load_scenario
    from tests.ui_helpers import make_app, play_to_ending, start_scenario, to_library
    path = write_poisoned_yaml(tmp_path)
    if load_scenario(path, use_cache=False).scenario is None:
        pytest.skip("the loader refuses control characters in scenario text (then nothing reaches the window)")
    app = make_app(scenario_path=path)
    try:
        to_library(app)
        start_scenario(app, path)
        play_to_ending(app, pick=lambda n: 3 if n >= 3 else 1)
        assert app.top.name == "ending"
        app.top.wait(60)
        app.step(1 / 60)
        app.draw()
    finally:
        pygame.display.quit()


# --- 3. record file names -----------------------------------------------------------------------

NAME = re.compile(r"^[0-9T]+-[A-Za-z0-9_-]+-[A-Za-z0-9_-]+(-[0-9]+)?\.json$")


def _fake_session(scenario_id: str):
    session = Session(fresh_minimal(), seed=1)
    session.choose("listen", 1.0)
    fake_scenario = SimpleNamespace(id=scenario_id, source="/somewhere/evil\n.yaml")
    return SimpleNamespace(scenario=fake_scenario, log=session.log)


@pytest.mark.parametrize("scenario_id,trainee", [
    ("minimal\n", "Test Trainee"),
    ("../../escape", "../../../etc/passwd"),
    ("id/with/slashes", "a\x00b\nc\rd"),
    ("..", ".."),
    ("\u202e\x1b[2J", "/"),
    ("x" * 500, "Ñandú Tiếng \U0001F600"),
    ("", ""),
    ("ok", "\ud800 lone surrogate"),
])
def test_record_names_are_safe_slugs_inside_the_sessions_folder(scenario_id, trainee):
    from simulator.paths import data_dir
    from simulator.records.legacy import write_record_file
    fake = _fake_session(scenario_id)
    written = write_record_file(fake, trainee=trainee, mode="academy", status="complete", source=fake.scenario.source)
    assert written is not None
    path = Path(written)
    folder = (data_dir() / "sessions").resolve()
    assert path.resolve().parent == folder
    assert NAME.match(path.name), path.name
    assert len(path.name) < 120
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["status"] == "complete" and record["log"][0]["type"] == "session_started"
    assert sorted(p.name for p in folder.iterdir()) == [path.name]  # no temporary file left behind


def test_records_written_in_the_same_second_get_distinct_names():
    from simulator.records.legacy import write_record_file
    names = {write_record_file(_fake_session("same"), trainee="Same", mode="academy", status="complete", source="s.yaml")
             for _ in range(5)}
    assert len(names) == 5 and None not in names


def test_record_write_is_atomic_and_failures_leave_nothing(monkeypatch, capsys):
    from simulator import files
    from simulator.paths import data_dir
    from simulator.records.legacy import write_record_file

    def broken_replace(src, dst):
        raise OSError("disk on fire")
    monkeypatch.setattr(files.os, "replace", broken_replace)
    assert write_record_file(_fake_session("m"), trainee="x", mode="academy", status="complete", source="m.yaml") is None
    assert "disk on fire" in capsys.readouterr().err
    assert list((data_dir() / "sessions").iterdir()) == []


# --- 4. command-line values -----------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["--timer-scale", "inf"], ["--timer-scale", "1e300"], ["--timer-scale", "nan"], ["--timer-scale", "-1"],
    ["--timer-scale", "0"], ["--timer-scale", "0.1"], ["--timer-scale", "11"], ["--timer-scale", "x"],
    ["--seed", "-5"], ["--seed", "1.5"], ["--seed", "9" * 5000], ["--seed", str(2 ** 63)], ["--seed", "abc"],
    ["--seed", "1e3"], ["--seed", ""],
])
def test_bad_option_values_are_one_line_usage_errors(args):
    res = cli("play", str(MINIMAL), "--text", *args, stdin="1\n")
    assert res.returncode == 2, (args, res.stdout, res.stderr)
    assert res.stderr.count("\n") == 1 and "Traceback" not in res.stderr, res.stderr
    assert res.stdout == ""  # nothing played


def test_option_type_functions_accept_the_documented_ranges():
    import argparse

    from simulator.cli.options import seed, timer_scale
    assert timer_scale("0.25") == 0.25 and timer_scale("10") == 10.0 and timer_scale("1.5") == 1.5
    assert seed("0") == 0 and seed(str(2 ** 63 - 1)) == 2 ** 63 - 1
    for bad in ("nan", "inf", "-inf", "1e300", "0.24", "10.01"):
        with pytest.raises(argparse.ArgumentTypeError):
            timer_scale(bad)
    for bad in ("-1", str(2 ** 63), "1.0", "0x10", "9" * 5000):
        with pytest.raises(argparse.ArgumentTypeError):
            seed(bad)


def test_largest_seed_plays_and_is_logged(tmp_path):
    log = tmp_path / "run.jsonl"
    res = cli("play", str(MINIMAL), "--text", "--seed", str(2 ** 63 - 1), "--log", str(log),
              stdin=typed(fresh_minimal(), 2 ** 63 - 1, ["write", "thank"]))
    assert res.returncode == 0, res.stderr
    assert json.loads(log.read_text().splitlines()[0])["seed"] == 2 ** 63 - 1
    assert chosen(log) == ["write", "thank"]


def test_engine_refuses_bad_seeds_and_options(minimal):
    for bad in (-1, 2 ** 63, 1.5, "7", True, [1], math.nan):
        with pytest.raises(InvalidOptions):
            Session(minimal, seed=bad)
    for kwargs in ({"timer_scale": math.nan}, {"timer_scale": math.inf}, {"timer_scale": 0}, {"timer_scale": "2"},
                   {"timers": "yes"}, {"allow_undo": 1}, {"language": 5}):
        with pytest.raises(InvalidOptions):
            SessionOptions(**kwargs)
    assert Session(minimal, seed=2 ** 63 - 1).seed == 2 ** 63 - 1


# --- 5. --log is written as play goes -------------------------------------------------------------

class Running:
    """`parley play ... --text` in a subprocess, its output read line by line in the background."""

    def __init__(self, args, env):
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "main.py"), *args], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
        self.text = ""
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        while True:
            ch = self.proc.stdout.read(1)
            if not ch:
                return
            with self.lock:
                self.text += ch

    def wait_prompts(self, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if self.text.count("Your choice") >= count:
                    return
            time.sleep(0.05)
        raise AssertionError(f"fewer than {count} prompts: {self.text!r}")

    def send(self, line: str) -> None:
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()


def _env(tmp_path):
    return dict(os.environ, PYTHONPATH=str(ROOT), PARLEY_LANG="en", PARLEY_CONFIG_DIR=str(tmp_path / "c"),
                PARLEY_DATA_DIR=str(tmp_path / "d"), PARLEY_CACHE_DIR=str(tmp_path / "k"))


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_sigkill_after_two_decisions_keeps_both_decisions_in_the_log(tmp_path):
    log = tmp_path / "run.jsonl"
    run = Running(["play", str(MINIMAL), "--text", "--seed", "2", "--log", str(log)], _env(tmp_path))
    try:
        run.wait_prompts(1)
        assert [json.loads(l)["type"] for l in log.read_text().splitlines()] == ["session_started", "node_entered"]
        first, second = typed(fresh_minimal(), 2, ["listen", "shout"]).split()
        run.send(first)  # listen
        run.wait_prompts(2)
        run.send(second)  # shout
        run.wait_prompts(3)  # the third prompt: both decisions are taken
        run.proc.send_signal(signal.SIGKILL)
        run.proc.wait(30)
    finally:
        if run.proc.poll() is None:
            run.proc.kill()
    lines = log.read_text(encoding="utf-8").splitlines()
    events = [json.loads(line) for line in lines]
    assert events[0]["type"] == "session_started" and events[0]["seed"] == 2
    assert [e["choice"] for e in events if e["type"] == "choice_made"] == ["listen", "shout"]
    # the bytes are the canonical log, as Session.log_json() writes it
    replayed = Session.replay(fresh_minimal(), events)
    assert replayed.log_json() == log.read_text(encoding="utf-8")


def test_log_file_equals_log_json_and_holds_undo_events(tmp_path):
    log = tmp_path / "run.jsonl"
    res = cli("play", str(MINIMAL), "--text", "--seed", "2", "--undo", "--log", str(log),
              stdin=typed(fresh_minimal(), 2, ["write", "u", "write", "thank"]))
    assert res.returncode == 0, res.stderr
    assert chosen(log) == ["write", "write", "thank"]
    text = log.read_text(encoding="utf-8")
    events = [json.loads(line) for line in text.splitlines()]
    assert [e["type"] for e in events].count("undo") == 1 and events[-1]["type"] == "ending_reached"
    assert Session.replay(fresh_minimal(), events).log_json() == text


@pytest.mark.parametrize("flag", ["--log", "--report"])
def test_unwritable_log_or_report_path_is_refused_before_play(tmp_path, flag):
    for bad in (tmp_path / "no-such-folder" / "x.jsonl", tmp_path, tmp_path / "file.txt" / "below"):
        (tmp_path / "file.txt").write_text("x")
        res = cli("play", str(MINIMAL), "--text", "--seed", "2", flag, str(bad), stdin="3\n3\n")
        assert res.returncode == 2, (bad, res.stderr)
        assert res.stderr.count("\n") == 1 and flag in res.stderr and "Traceback" not in res.stderr
        assert res.stdout == ""  # nothing was played


def test_checking_an_output_path_leaves_existing_files_alone(tmp_path):
    from simulator.cli.play import check_output
    existing = tmp_path / "keep.json"
    existing.write_text("precious")
    assert check_output(existing, "--report") is None and existing.read_text() == "precious"
    new = tmp_path / "new.json"
    assert check_output(new, "--report") is None and not new.exists()


def test_report_is_written_atomically_at_the_end(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    report = out / "report.json"
    res = cli("play", str(MINIMAL), "--text", "--seed", "2", "--report", str(report),
              stdin=typed(fresh_minimal(), 2, ["write", "thank"]))
    assert res.returncode == 0, res.stderr
    assert json.loads(report.read_text())["scenario"]["id"] == "minimal"
    assert sorted(p.name for p in out.iterdir()) == ["report.json"]


# --- 6. saves and logs are untrusted: one error type ---------------------------------------------

def _real_session(minimal, undo=True):
    s = Session(minimal, seed=9, options=SessionOptions(allow_undo=undo))
    s.choose("write", 3)
    s.choose("coin", 1)
    if undo:
        s.undo(reason="again")
        s.choose("coin", 1.5)
    s.choose("leave", 2)
    assert s.ended
    return s


def test_save_error_is_replay_mismatch_and_an_engine_error():
    assert SaveError is ReplayMismatch and issubclass(ReplayMismatch, EngineError)


@pytest.mark.parametrize("mangle", [
    lambda s: None, lambda s: [], lambda s: "save", lambda s: 5,
    lambda s: {**s, "version": True}, lambda s: {**s, "version": 2}, lambda s: {**s, "format": None},
    lambda s: {k: v for k, v in s.items() if k != "log"}, lambda s: {k: v for k, v in s.items() if k != "state"},
    lambda s: {k: v for k, v in s.items() if k != "scenario"}, lambda s: {**s, "junk": 1},
    lambda s: {**s, "scenario": "minimal"}, lambda s: {**s, "scenario": {}},
    lambda s: {**s, "log": None}, lambda s: {**s, "log": {}}, lambda s: {**s, "log": []},
    lambda s: {**s, "log": s["log"][:5]}, lambda s: {**s, "log": s["log"] + [{"type": "junk"}]},
    lambda s: {**s, "log": s["log"] + ["junk"]}, lambda s: {**s, "log": [None] + s["log"][1:]},
    lambda s: {**s, "state": None}, lambda s: {**s, "state": {**s["state"], "t": math.nan}},
    lambda s: {**s, "rng": math.inf}, lambda s: {**s, "rng": 10 ** 5000},
    lambda s: {**s, "log": [{**s["log"][0], "seed": -1}] + s["log"][1:]},
    lambda s: {**s, "log": [{**s["log"][0], "seed": 10 ** 5000}] + s["log"][1:]},
    lambda s: {**s, "log": [{**s["log"][0], "seed": math.nan}] + s["log"][1:]},
    lambda s: {**s, "log": [{**s["log"][0], "seed": "9"}] + s["log"][1:]},
    lambda s: {**s, "log": [{**s["log"][0], "options": None}] + s["log"][1:]},
    lambda s: {**s, "log": [{**s["log"][0], "options": {"timers": True}}] + s["log"][1:]},
    lambda s: {**s, "log": [{**s["log"][0], "options": {**s["log"][0]["options"], "extra": 1}}] + s["log"][1:]},
    lambda s: {**s, "log": [{**s["log"][0], "options": {**s["log"][0]["options"], "timer_scale": math.nan}}]
               + s["log"][1:]},
    lambda s: {**s, "log": [{**s["log"][0], "options": {**s["log"][0]["options"], "timer_scale": "x"}}]
               + s["log"][1:]},
    lambda s: {**s, "log": [e if e["type"] != "choice_made" else {**e, "elapsed": math.nan} for e in s["log"]]},
    lambda s: {**s, "log": [e if e["type"] != "choice_made" else {**e, "elapsed": -1.0} for e in s["log"]]},
    lambda s: {**s, "log": [e if e["type"] != "choice_made" else {**e, "elapsed": "3"} for e in s["log"]]},
    lambda s: {**s, "log": [e if e["type"] != "choice_made" else {**e, "choice": ["x"]} for e in s["log"]]},
    lambda s: {**s, "log": [e if e["type"] != "choice_made" else {**e, "choice": {"a": 1}} for e in s["log"]]},
    lambda s: {**s, "log": [e if e["type"] != "choice_made" else {k: v for k, v in e.items() if k != "actor"}
                            for e in s["log"]]},
    lambda s: {**s, "log": [e if e["type"] != "undo" else {**e, "actor": {"x": math.inf}} for e in s["log"]]},
    lambda s: {**s, "log": [e if e["type"] != "outcome_drawn" else {**e, "outcome": True} for e in s["log"]]},
    lambda s: {**s, "log": [e if e["type"] != "outcome_drawn" else {**e, "probability": math.nan} for e in s["log"]]},
    lambda s: {**s, "log": [{**e, "t": 10 ** 400} for e in s["log"]]},
    # another engine version or behaviour model, or options shown in another order than the seed gives
    lambda s: {**s, "log": [{**s["log"][0], "engine": 1}] + s["log"][1:]},
    lambda s: {**s, "log": [{**s["log"][0], "behaviour_model": "parley-default@1"}] + s["log"][1:]},
    lambda s: {**s, "log": [e if e["type"] != "node_entered" else {**e, "choices": e["choices"][::-1]}
                            for e in s["log"]]},
    lambda s: {**s, "log": [e if e["type"] != "node_entered" else {k: v for k, v in e.items() if k != "choices"}
                            for e in s["log"]]},
])
def test_restore_raises_only_replay_mismatch_on_malformed_saves(minimal, mangle):
    save = json.loads(json.dumps(_real_session(minimal).save()))
    with pytest.raises(ReplayMismatch) as info:
        Session.restore(minimal, mangle(save))
    assert str(info.value)


def test_replay_refuses_deep_nesting_huge_actors_and_other_scenarios(minimal):
    log = json.loads(json.dumps(_real_session(minimal).log))
    deep: list = []
    for _ in range(100_000):
        deep = [deep]
    bad_logs = [
        [{**e, "actor": deep} if e["type"] == "choice_made" else e for e in log],
        [{**log[0], "scenario": {**log[0]["scenario"], "id": "other"}}] + log[1:],
        [{**log[0], "scenario": {**log[0]["scenario"], "content_hash": "0" * 64}}] + log[1:],
        log[:1], log[1:], [], None, "log", [{"type": "session_started"}], log + log[2:],
        [dict(e, seq=str(e["seq"])) for e in log],
    ]
    for bad in bad_logs:
        with pytest.raises(ReplayMismatch):
            Session.replay(minimal, bad)
    assert Session.replay(minimal, log).log_json() == _real_session(minimal).log_json()


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, prefix + (i,))


def _get(value, path):
    for key in path:
        value = value[key]
    return value


JUNK = st.sampled_from([None, True, False, 0, -1, 1, 2 ** 64, 10 ** 30, 1.5, -0.0, math.nan, math.inf, -math.inf,
                        "", "x", "minimal", "listen", [], {}, [None], {"type": "undo"}, {"seq": 0}]).map(copy.deepcopy)
MUTATION_SCENARIO = load_ok(MINIMAL)


def _mutate(data, value):
    """Apply 1-4 random mutations to a JSON-like `value`: drop a key or item, change a value's type,
    swap two values, truncate a list, add junk."""
    for _ in range(data.draw(st.integers(1, 4))):
        paths = list(_paths(value))
        path = data.draw(st.sampled_from(paths))
        op = data.draw(st.sampled_from(["drop", "replace", "swap", "truncate", "extend"]))
        if not path:
            if op == "replace":
                value = data.draw(JUNK)
            continue
        parent, key = _get(value, path[:-1]), path[-1]
        if op == "drop":
            del parent[key]
        elif op == "replace":
            parent[key] = data.draw(JUNK)
        elif op == "swap":
            other = data.draw(st.sampled_from(paths))
            if other and not (path[:len(other)] == other or other[:len(path)] == path):
                oparent, okey = _get(value, other[:-1]), other[-1]
                parent[key], oparent[okey] = oparent[okey], parent[key]
        elif op == "truncate" and isinstance(parent[key], list):
            parent[key] = parent[key][:data.draw(st.integers(0, len(parent[key])))]
        elif op == "extend":
            target = parent[key]
            if isinstance(target, list):
                target.append(data.draw(JUNK))
            elif isinstance(target, dict):
                target[data.draw(st.sampled_from(["junk", "seq", "type", "t"]))] = data.draw(JUNK)
    return value


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.booleans())
def test_mutated_saves_and_logs_give_replay_mismatch_or_success(data, undo):
    scenario = MUTATION_SCENARIO
    session = _real_session(scenario, undo)
    save = _mutate(data, json.loads(json.dumps(session.save())))
    try:
        restored = Session.restore(scenario, save)
    except ReplayMismatch as exc:
        assert str(exc)
    else:
        restored.log_json()  # a restored session always writes strict JSON
    log = _mutate(data, json.loads(json.dumps(session.log)))
    for kwargs in ({}, {"outcomes": "log", "partial": True, "exact": False}):
        try:
            replayed = Session.replay(scenario, log, **kwargs)
        except ReplayMismatch as exc:
            assert str(exc)
        else:
            replayed.log_json()


# --- 7. grading replays the log first -------------------------------------------------------------

def test_grade_refuses_logs_that_do_not_belong_to_the_scenario(minimal):
    from scoring.grade import LogMismatch, grade
    from scoring.report import grade_json
    deaf = load_ok(DEAF)
    own = Session(deaf, seed=5)
    while not own.ended:
        own.choose(own.available()[0].id, elapsed=2.5)
    log = json.loads(json.dumps(own.log))
    grade(deaf, log)  # its own log grades
    tampered_value = json.loads(json.dumps(log))
    changed = next(e for e in tampered_value if e["type"] == "escalation_changed")
    changed["to"] = (changed["to"] + 1) % 7
    unknown_choice = json.loads(json.dumps(log))
    next(e for e in unknown_choice if e["type"] == "choice_made")["choice"] = "no-such-choice"
    other_hash = json.loads(json.dumps(log))
    other_hash[0]["scenario"]["content_hash"] = "0" * 64
    for bad, scenario in ((log, minimal), (tampered_value, deaf), (unknown_choice, deaf), (other_hash, deaf),
                          ([], deaf), ([{"type": "choice_made"}], deaf), (log + [{"type": "junk"}], deaf)):
        with pytest.raises(LogMismatch) as info:
            grade(scenario, bad)
        assert isinstance(info.value, ReplayMismatch) and "does not belong" in str(info.value)
        with pytest.raises(LogMismatch):
            grade_json(scenario, bad)


def test_grade_still_grades_logs_cut_anywhere_and_enumerated_playthroughs(minimal):
    from scoring.context import context_for
    from scoring.grade import grade
    from scoring.paths import record_log
    from scoring.values import search_for
    session = _real_session(minimal)
    for cut in range(1, len(session.log) + 1):
        grade(minimal, session.log[:cut])
    for play in search_for(context_for(minimal), True).playthroughs():
        assert grade(minimal, record_log(minimal, play.steps)).complete


def test_text_debrief_says_why_a_log_is_refused(minimal):
    from scoring.report import text_debrief
    session = _real_session(minimal)
    session.log[0]["scenario"]["content_hash"] = "f" * 64
    text = text_debrief(session)
    assert text.startswith("=== Score report ===") and "refused" in text and "Result:" not in text


def test_window_ending_shows_an_error_when_grading_refuses_the_log():
    import pygame

    from simulator.content.loader import bundled_scenarios
    from tests.ui_helpers import DT, make_app, play_to_ending, start_scenario, to_library, widget
    app = make_app()
    try:
        to_library(app)
        path = bundled_scenarios()[0]
        start_scenario(app, path)
        app.top.session.log[0]["scenario"]["content_hash"] = "0" * 64  # a log that is not this file's
        play_to_ending(app)
        ending = app.top
        ending.wait(60)
        app.step(DT)
        assert ending.name == "ending" and "LogMismatch" in ending.error
        assert not widget(app, "debrief").enabled
    finally:
        pygame.display.quit()


# --- 8. non-finite weights and timers -------------------------------------------------------------

@pytest.mark.parametrize("weight", [math.nan, math.inf, -1.0, -math.inf])
def test_non_finite_or_negative_outcome_weights_raise_the_engine_error(weight):
    scenario = fresh_minimal()
    coin = scenario.choice_by_id["coin"]
    _set(coin.outcomes[0], "weight", weight)
    session = Session(scenario, seed=1)
    session.choose("listen", 1.0)
    with pytest.raises(ScenarioError):
        outcome_distribution(scenario, session.state, coin)
    with pytest.raises(EngineError):
        session.choose("coin", 1.0)
    json.loads(json.dumps(session.log, allow_nan=False))  # nothing non-finite was logged
    assert not any(e["type"] == "outcome_drawn" for e in session.log)


def test_zero_total_weight_raises_and_probabilities_are_always_finite():
    scenario = fresh_minimal()
    coin = scenario.choice_by_id["coin"]
    for outcome in coin.outcomes:
        _set(outcome, "weight", 0.0)
    with pytest.raises(ScenarioError):
        outcome_distribution(scenario, Session(scenario, seed=1).state._replace(at=1), coin)
    _set(coin.outcomes[0], "weight", 1e308)
    _set(coin.outcomes[1], "weight", 1e308)  # the sum overflows
    with pytest.raises(ScenarioError):
        outcome_distribution(scenario, Session(scenario, seed=1).state._replace(at=1), coin)


def test_log_json_refuses_nan_instead_of_writing_it(minimal):
    session = Session(minimal, seed=1)
    session.log.append({"seq": 2, "type": "outcome_drawn", "probability": math.nan})
    with pytest.raises(ValueError):
        session.log_json()
    for elapsed in (math.nan, math.inf, -1.0, 1e300, "2", True):
        with pytest.raises(EngineError):
            Session(minimal, seed=1).choose("listen", elapsed)
    with pytest.raises(EngineError):
        Session(minimal, seed=1).choose("listen", 1.0, actor={"votes": math.inf})
    with pytest.raises(EngineError):
        Session(minimal, seed=1).choose("listen", 1.0, reason={1, 2})


@pytest.mark.parametrize("seconds", [math.nan, math.inf, -math.inf, -5.0, 0.0, 1e-9])
def test_timer_seconds_is_none_or_a_finite_positive_number(seconds):
    scenario = fresh_minimal()
    _set(scenario.nodes[0].timer, "seconds", seconds)
    session = Session(scenario, seed=1)
    assert session.timer_seconds() is None and session.view().timer_seconds is None
    with pytest.raises(EngineError):
        session.expire_timer()
    big = Session(fresh_minimal(), seed=1, options=SessionOptions(timer_scale=1e308))
    _set(big.scenario.nodes[0].timer, "seconds", 1e308)
    assert big.timer_seconds() is None


def test_window_scene_with_a_nan_timer_does_not_crash():
    import pygame

    from tests.ui_helpers import make_app, play_to_ending, start_scenario, to_library
    app = make_app(scenario_path=MINIMAL)
    try:
        to_library(app)
        entry = app.catalog.find(MINIMAL)
        assert entry.scenario.nodes[0].timer is not None
        _set(entry.scenario.nodes[0].timer, "seconds", math.nan)  # what `seconds: .nan` gave
        start_scenario(app, MINIMAL)
        assert app.top.view.timer_seconds is None
        for _ in range(30):
            app.step(1 / 10)
        play_to_ending(app, pick=lambda n: n)
        assert app.top.name == "ending"
    finally:
        pygame.display.quit()


# --- 9. the settings file never stops the window --------------------------------------------------

def _settings_file(tmp_path, content) -> Path:
    path = tmp_path / "settings.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))
    return path


@pytest.mark.parametrize("content", [
    '{"text_size": ' + "9" * 5000 + "}",
    '{"window_size": [' + "9" * 5000 + ", 720]}",
    "[" * 100_000 + "]" * 100_000,
    '{"recent_trainees": ' + "[" * 50_000 + "]" * 50_000 + "}",
    "{" * 30_000,
    '{"text_size": "large", "sound": 1e999}',
    "\x00\x00\x00",
    '{"language": "e\\u0000s"}',
    b"\xff\xfe\x00garbage",
    '{"text_size": ' + json.dumps("x" * 60_000) + "}",
    " " * (10 * 1024 * 1024) + "{}",
    "null", "[]", "5", '"text"', "{}garbage", "",
    '{"window_size": [1.5, true]}', '{"window_size": "big"}', '{"timers": null}', '{"recent_trainees": "Ann"}',
    '{"recent_trainees": [1, null, "\\u0000"]}', '{"high_contrast": "yes"}',
])
def test_any_settings_file_gives_defaults_and_a_warning_never_an_error(tmp_path, content):
    from simulator.ui.settings import Settings, load_settings
    settings, warnings = load_settings(_settings_file(tmp_path, content))
    assert isinstance(settings, Settings)
    assert settings.text_size in ("small", "medium", "large", "largest")
    if content not in ("{}",):
        assert warnings and all(isinstance(w, str) and len(w) < 400 for w in warnings)


def test_settings_file_read_is_bounded(tmp_path, monkeypatch):
    from simulator.ui import settings as mod
    path = _settings_file(tmp_path, '{"text_size": "large"}' + " " * (mod.MAX_SETTINGS_BYTES + 10))
    settings, warnings = mod.load_settings(path)
    assert settings.text_size == "medium" and "larger than" in warnings[0]
    good = _settings_file(tmp_path, '{"text_size": "large", "recent_trainees": ["Ann", "b\\u0000d"]}')
    settings, warnings = mod.load_settings(good)
    assert settings.text_size == "large" and settings.recent_trainees == ["Ann"] and warnings


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_settings_that_are_a_fifo_or_a_folder_do_not_block(tmp_path):
    from simulator.ui.settings import load_settings
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    settings, warnings = load_settings(fifo)
    assert warnings and settings.text_size == "medium"
    settings, warnings = load_settings(tmp_path)
    assert warnings


def test_window_starts_with_a_hostile_settings_file(tmp_path, monkeypatch):
    from simulator.paths import config_dir
    from simulator.ui.app import run_app
    config_dir().mkdir(parents=True, exist_ok=True)
    (config_dir() / "settings.json").write_text("[" * 100_000)
    import simulator.ui.app as app_module
    seen = {}

    class Stop(Exception):
        pass

    def fake_run(self):
        seen["warnings"] = list(self.settings_warnings)
        raise Stop
    monkeypatch.setattr(app_module.App, "run", fake_run)
    with pytest.raises(Stop):
        run_app(size=(1280, 720))
    assert seen["warnings"]


# --- 10. a scenario's own art ---------------------------------------------------------------------

RED_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="1920" height="1080" viewBox="0 0 1920 1080">'
           '<rect width="1920" height="1080" fill="#ff0000"/></svg>')
GREEN_PORTRAIT = ('<svg xmlns="http://www.w3.org/2000/svg" width="600" height="800" viewBox="0 0 600 800">'
                  '<rect width="600" height="800" fill="#00ff00"/></svg>')


def scenario_with_own_art(folder: Path, background: str = "backgrounds/own-red.svg") -> Path:
    (folder / "backgrounds").mkdir(parents=True, exist_ok=True)
    (folder / "backgrounds" / "own-red.svg").write_text(RED_SVG)
    portraits = folder / "portraits" / "sam-own"
    portraits.mkdir(parents=True, exist_ok=True)
    for expression in ("calm", "anxious", "upset", "angry"):
        (portraits / f"{expression}.svg").write_text(GREEN_PORTRAIT)
    text = MINIMAL.read_text(encoding="utf-8")
    text = text.replace('  sam: {name: "Sam", role: subject}', '  sam: {name: "Sam", role: subject, portrait: portraits/sam-own}')
    text = text.replace('    narrative: "Sam stands by the car."',
                        f'    narrative: "Sam stands by the car."\n    background: {background}\n    present: [sam]')
    path = folder / "own-art.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _is_red(colour) -> bool:
    return colour.r > 200 and colour.g < 40 and colour.b < 40


def test_the_window_shows_a_scenarios_own_background_and_portrait(tmp_path):
    import pygame

    from tests.ui_helpers import make_app, start_scenario, to_library
    path = scenario_with_own_art(tmp_path)
    app = make_app(scenario_path=path)
    try:
        to_library(app)
        start_scenario(app, path)
        scene = app.top
        assert scene.view.background == "backgrounds/own-red.svg"
        assert _is_red(scene.backdrop.get_at((5, 5))), scene.backdrop.get_at((5, 5))
        image = scene.portraits[0][0]
        pixel = image.get_at((image.get_width() // 2, image.get_height() // 2))
        assert pixel.g > 200 and pixel.r < 40, pixel
        assert not [f for f in app.art.failures if "own" in f]
    finally:
        pygame.display.quit()


def test_own_art_is_found_with_an_explicit_base_and_bundled_art_still_works(window, tmp_path):
    from simulator.ui.art import ArtCache
    scenario_with_own_art(tmp_path)
    art = ArtCache()
    assert _is_red(art.background("backgrounds/own-red.svg", (320, 180), base=tmp_path).get_at((3, 3)))
    assert art.portrait("portraits/sam-own", 0, 200, base=tmp_path) is not None
    assert art.portrait("portraits/ruth-lindqvist", 0, 200, base=tmp_path) is not None  # falls back to assets
    assert not _is_red(art.background("backgrounds/own-red.svg", (320, 180)).get_at((3, 3)))  # not registered


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_art_that_escapes_its_folder_is_too_big_or_broken_gives_the_fallback(window, tmp_path):
    from simulator.ui import art as art_module
    from simulator.ui.art import ArtCache
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.svg").write_text(RED_SVG)
    folder = tmp_path / "scenario"
    (folder / "backgrounds").mkdir(parents=True)
    os.symlink(outside / "secret.svg", folder / "backgrounds" / "link-out.svg")
    os.symlink(folder / "backgrounds" / "inside.svg", folder / "backgrounds" / "link-in.svg")
    (folder / "backgrounds" / "inside.svg").write_text(RED_SVG)
    (folder / "backgrounds" / "broken.svg").write_text("<svg><<<")
    (folder / "backgrounds" / "huge.svg").write_bytes(b" " * (art_module.MAX_ART_BYTES + 1))
    (folder / "backgrounds" / "folder.svg").mkdir()
    if hasattr(os, "mkfifo"):
        os.mkfifo(folder / "backgrounds" / "fifo.svg")
    art = ArtCache()
    for name in ("link-out.svg", "broken.svg", "huge.svg", "folder.svg", "fifo.svg", "../outside/secret.svg",
                 str(outside / "secret.svg"), "nul\x00.svg", "missing.svg"):
        image = art.background(f"backgrounds/{name}" if not name.startswith("/") else name, (320, 180), base=folder)
        assert image.get_size() == (320, 180) and not _is_red(image.get_at((3, 3))), name
    assert _is_red(art.background("backgrounds/link-in.svg", (320, 180), base=folder).get_at((3, 3)))
    assert len(art.failures) >= 8
    assert art.portrait("../../outside", 0, 200, base=folder) is None


def test_own_art_base_can_be_the_scenario_or_its_file(window, tmp_path):
    from simulator.ui.art import ArtCache
    path = scenario_with_own_art(tmp_path)
    scenario = load_ok(path)
    for base in (scenario, path, str(tmp_path)):
        art = ArtCache()
        assert _is_red(art.background("backgrounds/own-red.svg", (320, 180), base=base).get_at((3, 3))), base
    assert _is_red(ArtCache(base=scenario).background("backgrounds/own-red.svg", (320, 180)).get_at((3, 3)))
    weird = ArtCache()
    assert weird.background(["not", "a", "name"], (64, 36)).get_size() == (64, 36)
    assert weird.portrait("portraits/ruth-lindqvist", 0, 200, base=12345) is not None


def test_an_older_catalog_finishing_late_never_replaces_the_newer_ones_art(tmp_path):
    """A window's catalog loads off the main thread; one made earlier (a window closed meanwhile, as
    in a test run) that finishes later must not take away the art the newest catalog registered."""
    from simulator.ui import art
    from simulator.ui.catalog import Catalog
    path = scenario_with_own_art(tmp_path)
    older = Catalog()  # made first, started last: it finishes after the newer one
    newer = Catalog(extra=path)
    newer.start()
    assert newer.wait(60)
    older.start()
    assert older.wait(60)
    assert art._scenario_art.get("backgrounds/own-red.svg") == (path.parent,)
