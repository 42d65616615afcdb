"""Killing the process (SIGKILL) at random moments while sessions are written: every decision
acknowledged before the kill is in the database, the database is intact, and the next open marks the
killed session incomplete."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import text

from simulator.content.loader import load_scenario
from simulator.engine.session import Session
from simulator.records.store import COMPLETE, IN_PROGRESS, INCOMPLETE, Store
from tests.db_helpers import postgres_database

ROOT = Path(__file__).resolve().parent.parent
KILLS = 20


def _kill_runs(url: str, tmp_path: Path) -> tuple[dict, set]:
    """Start the writer KILLS times and SIGKILL it at a random moment each time; returns (the highest
    acknowledged event count per session uid, the uids acknowledged as finished)."""
    rng = random.Random(20261130)
    acked: dict[str, int] = {}
    done: set[str] = set()
    env = dict(os.environ, PARLEY_DATA_DIR=str(tmp_path / "data"), PYTHONPATH=str(ROOT))
    for run in range(KILLS):
        child = subprocess.Popen([sys.executable, "-m", "tests.records_writer", url, str(run)], cwd=ROOT, env=env,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(child.stdout), daemon=True)
        reader.start()
        deadline = time.monotonic() + 60
        while "ready\n" not in lines and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.01)
        assert "ready\n" in lines, child.stderr.read()
        time.sleep(rng.uniform(0.0, 0.4))
        child.send_signal(signal.SIGKILL)
        child.wait(30)
        reader.join(10)
        for line in lines:
            parts = line.split()
            if parts[:1] == ["ack"] and len(parts) == 3:
                acked[parts[1]] = max(acked.get(parts[1], 0), int(parts[2]))
            elif parts[:1] == ["done"]:
                done.add(parts[1])
    return acked, done


def _check(url: str, acked: dict, done: set) -> None:
    scenario = load_scenario(ROOT / "scenarios" / "crisis-knife-parking-lot.yaml").scenario
    store = Store.open(url)  # marks the sessions of the killed processes incomplete
    try:
        assert len(acked) >= KILLS, "the writer should have started at least one session per run"
        for uid, count in acked.items():
            row = store.find(uid)
            log = store.log(uid)
            assert len(log) >= count, f"{uid}: {count} events were acknowledged, {len(log)} are stored"
            Session.replay(scenario, log, partial=not (log and log[-1]["type"] == "ending_reached"))
            if uid in done:
                assert row.status == COMPLETE and row.report is not None
            else:
                assert row.status in (INCOMPLETE, COMPLETE), row.status
        assert not [r for r in store.listing() if r.status == IN_PROGRESS]
        if store.is_sqlite:
            with store.engine.connect() as connection:
                assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    finally:
        store.close()


def test_sigkill_while_writing_loses_nothing_acknowledged_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'killed.db'}"
    acked, done = _kill_runs(url, tmp_path)
    _check(url, acked, done)


def test_sigkill_while_writing_loses_nothing_acknowledged_postgresql(tmp_path):
    with postgres_database() as url:
        acked, done = _kill_runs(url, tmp_path)
        _check(url, acked, done)


def test_the_writer_runs_cleanly_when_not_killed(tmp_path):
    """The harness itself: the writer acknowledges decisions and finishes sessions."""
    url = f"sqlite:///{tmp_path / 'calm.db'}"
    env = dict(os.environ, PARLEY_DATA_DIR=str(tmp_path / "data"), PYTHONPATH=str(ROOT))
    child = subprocess.Popen([sys.executable, "-m", "tests.records_writer", url, "1"], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, text=True)
    finished = 0
    for line in child.stdout:
        finished += line.startswith("done ")
        if finished == 3:
            break
    child.kill()
    child.wait(30)
    assert finished == 3
