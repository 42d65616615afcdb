"""The command line as a user meets it: validate exit codes and JSON, list, text-mode play."""
import json
import os
import subprocess
import sys

from .conftest import FIXTURES, ROOT


def run(*args, stdin=""):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
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
    diag = data["files"][0]["diagnostics"][0]
    assert data["invalid"] == 1 and diag["code"] == "unknown-next" and diag["line"] > 0 and diag["hint"]
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


def test_play_text_to_an_ending_writes_the_log(tmp_path):
    log = tmp_path / "run.jsonl"
    report = tmp_path / "report.json"
    res = run("play", str(FIXTURES / "minimal.yaml"), "--text", "--seed", "2", "--log", str(log),
              "--report", str(report), stdin="3\n3\n")
    assert res.returncode == 0, res.stderr
    assert "=== Ending: Resolved (resolved) ===" in res.stdout and "Escalation history:" in res.stdout
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert events[0]["seed"] == 2 and events[-1]["type"] == "ending_reached"
    graded = json.loads(report.read_text())
    assert graded["result"] == "pass" and graded["scenario"]["id"] == "minimal"
    assert "Result: PASS" in res.stdout  # the debrief is printed at the end of text mode


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


def test_no_display_falls_back_to_text_mode(tmp_path):
    """`python main.py` on a machine with no display plays in the terminal instead of failing."""
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    env.update(SDL_VIDEODRIVER="x11", PARLEY_CONFIG_DIR=str(tmp_path / "c"), PARLEY_DATA_DIR=str(tmp_path / "d"),
               PARLEY_CACHE_DIR=str(tmp_path / "k"))
    done = subprocess.run([sys.executable, str(ROOT / "main.py")], input="", capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=120)
    assert "starting text mode instead" in done.stderr
    assert "===" in done.stdout  # the first bundled scenario's title
    assert done.returncode == 3  # text mode's status for end of input before an ending
