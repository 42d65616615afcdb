"""Records benchmark: storing a decision, finishing a session, and a cohort report over 10,000 sessions,
on SQLite (WAL, synchronous=FULL, a file on this machine's disk) and on PostgreSQL when
$PARLEY_TEST_POSTGRES_URL names a server (a new database is made and dropped).

    python benchmarks/bench_records.py                  # everything, SQLite and PostgreSQL
    python benchmarks/bench_records.py --sessions 2000  # a smaller cohort

Targets (issue #14): storing a decision and finishing a session under 20 ms each on SQLite with full
sync; a cohort report over 10,000 sessions under 5 s. Peers measured in the same run:
- the floor: the same rows written with the database driver alone (one INSERT of the new events and
  one COMMIT per decision, same pragmas / same server), no SQLAlchemy and no Parley;
- the record file Parley wrote before the database: the whole session rewritten atomically (temporary
  file, fsync, rename, fsync of the folder) after every decision.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

SCENARIOS = ["crisis-knife-parking-lot", "deaf-driver-traffic-stop", "kirpan-transit-stop", "welfare-check-mistrust"]
DECISION_TARGET_MS = 20.0
FINISH_TARGET_MS = 20.0
COHORT_TARGET_S = 5.0


def _ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.2f} ms"


def _scenario(name: str):
    from simulator.content.loader import load_scenario
    return load_scenario(ROOT / "scenarios" / f"{name}.yaml").scenario


def bench_writes(url: str, label: str, sessions: int, folder: Path) -> None:
    """Median time of storing one decision (recorder.sync) and of finishing a session (store.finish with
    its report; grading itself is measured apart), against the driver alone and the old record file."""
    from simulator.engine.session import Session
    from simulator.records.graded import score_report
    from simulator.records.legacy import write_record_file
    from simulator.records.recorder import SessionRecorder
    from simulator.records.store import COMPLETE, Store
    store = Store.open(url)
    scenario = _scenario("crisis-knife-parking-lot")
    rng = random.Random(1)
    syncs, finishes, grades, files = [], [], [], []
    os.environ["PARLEY_DATA_DIR"] = str(folder / "data")
    for i in range(sessions):
        session = Session(scenario, seed=rng.randrange(1 << 30))
        recorder = SessionRecorder(store, session, trainee=f"trainee-{i % 7}", mode="academy", source="k.yaml")
        path = None
        while not session.ended:
            session.choose(rng.choice(session.presented()).id, elapsed=1.0)
            start = time.perf_counter()
            recorder.sync()
            syncs.append(time.perf_counter() - start)
            start = time.perf_counter()
            path = write_record_file(session, trainee="x", mode="academy", status="in progress", source="k.yaml",
                                     path=path)
            files.append(time.perf_counter() - start)
        start = time.perf_counter()
        report, problem = score_report(scenario, session.log)
        grades.append(time.perf_counter() - start)
        start = time.perf_counter()
        store.finish(recorder.uid, session.log, COMPLETE, report=report, report_problem=problem)
        finishes.append(time.perf_counter() - start)
    store.close()
    floor = _driver_floor(url, scenario, sessions * 15, rng)
    print(f"{label}: storing a decision  median {_ms(syncs)} over {len(syncs)} "
          f"(target {DECISION_TARGET_MS:.0f} ms: {'met' if statistics.median(syncs) * 1000 < DECISION_TARGET_MS else 'NOT met'})")
    print(f"{label}:   driver alone (INSERT + COMMIT)  {_ms(floor)}; Parley / driver = "
          f"{statistics.median(syncs) / statistics.median(floor):.2f}x")
    print(f"{label}:   the old record file rewritten    {_ms(files)}; Parley / record file = "
          f"{statistics.median(syncs) / statistics.median(files):.2f}x")
    print(f"{label}: finishing a session median {_ms(finishes)} over {len(finishes)} "
          f"(target {FINISH_TARGET_MS:.0f} ms: {'met' if statistics.median(finishes) * 1000 < FINISH_TARGET_MS else 'NOT met'}); "
          f"grading it beforehand (not stored time) {_ms(grades)}")


def _driver_floor(url: str, scenario, decisions: int, rng) -> list[float]:
    """One INSERT of a decision's events and one COMMIT, with the database driver alone."""
    from sqlalchemy.engine import make_url

    from simulator.records.store import event_text
    parsed = make_url(url)
    event = {"seq": 0, "type": "choice_made", "t": 1.0, "node": "arrival", "choice": "a-drive-up", "elapsed": 1.0,
             "actor": "trainee", "reason": None}
    data = event_text(event)
    samples = []
    if parsed.get_backend_name() == "sqlite":
        import sqlite3
        connection = sqlite3.connect(parsed.database + ".floor", isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
            connection.execute(f"PRAGMA {pragma}")
        connection.execute("CREATE TABLE IF NOT EXISTS events (session_id INTEGER, seq INTEGER, type TEXT, data TEXT, "
                           "PRIMARY KEY (session_id, seq))")
        connection.execute("CREATE TABLE IF NOT EXISTS sessions (id INTEGER PRIMARY KEY, events INTEGER, updated TEXT)")
        connection.execute("INSERT INTO sessions VALUES (1, 0, '')")
        for seq in range(decisions):
            start = time.perf_counter()
            connection.execute("BEGIN")
            connection.executemany("INSERT INTO events VALUES (1, ?, 'choice_made', ?)", [(seq * 3 + k, data) for k in range(3)])
            connection.execute("UPDATE sessions SET events = ?, updated = ? WHERE id = 1", (seq, str(seq)))
            connection.execute("COMMIT")
            samples.append(time.perf_counter() - start)
        connection.close()
        return samples
    import psycopg
    conninfo = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo) as connection:
        connection.execute("CREATE TABLE floor_events (session_id INTEGER, seq INTEGER, type TEXT, data TEXT, "
                           "PRIMARY KEY (session_id, seq))")
        connection.execute("CREATE TABLE floor_sessions (id INTEGER PRIMARY KEY, events INTEGER, updated TEXT)")
        connection.execute("INSERT INTO floor_sessions VALUES (1, 0, '')")
        connection.commit()
        for seq in range(decisions):
            start = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.executemany("INSERT INTO floor_events VALUES (1, %s, 'choice_made', %s)",
                                   [(seq * 3 + k, data) for k in range(3)])
                cursor.execute("UPDATE floor_sessions SET events = %s, updated = %s WHERE id = 1", (seq, str(seq)))
            connection.commit()
            samples.append(time.perf_counter() - start)
    return samples


def fill_cohort(url: str, sessions: int, trainees: int = 60) -> None:
    """`sessions` sessions of `trainees` trainees in cohort "Bench", bulk-inserted from 200 real graded
    playthroughs of four shipped scenarios (their logs, reports, scores and graded decisions), spread
    over a year."""
    from sqlalchemy import insert

    from simulator.engine.session import Session
    from simulator.records import schema
    from simulator.records.graded import score_report
    from simulator.records.store import Store, event_text
    store = Store.open(url)
    rng = random.Random(7)
    plays = []
    for name in SCENARIOS:
        scenario = _scenario(name)
        for _ in range(50):
            session = Session(scenario, seed=rng.randrange(1 << 30))
            skill = rng.random()
            while not session.ended:
                options = session.presented()
                session.choose((options[0] if rng.random() < skill else rng.choice(options)).id, elapsed=rng.uniform(1, 9))
            report, _ = score_report(scenario, session.log)
            plays.append((scenario, session.log, report))
    with store.engine.begin() as connection:
        cid = connection.execute(insert(schema.cohorts).values(name="Bench", created_at="2026-01-01T00:00:00.000Z")
                                 ).inserted_primary_key[0]
        tids = []
        for t in range(trainees):
            tid = connection.execute(insert(schema.trainees).values(
                pseudonym=f"t-{t:010x}", display_name=f"Trainee {t + 1}", created_at="2026-01-01T00:00:00.000Z")
            ).inserted_primary_key[0]
            connection.execute(insert(schema.cohort_members).values(cohort_id=cid, trainee_id=tid,
                                                                    added_at="2026-01-01T00:00:00.000Z"))
            tids.append(tid)
        batch_sessions, batch_events, batch_scores, batch_decisions = [], [], [], []
        for i in range(sessions):
            scenario, log, report = plays[rng.randrange(len(plays))]
            sid = i + 1
            day = 1 + i * 364 // sessions
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(1767225600 + day * 86400 + rng.randrange(36000)))
            batch_sessions.append(dict(
                id=sid, uid=str(__import__("uuid").UUID(int=rng.getrandbits(128), version=4)), trainee_id=tids[i % trainees],
                cohort_id=cid, scenario_id=scenario.id, scenario_version=scenario.version, content_hash=scenario.content_hash,
                source=Path(scenario.source).name, seed=log[0]["seed"], mode="academy", settings="{}", started_at=stamp,
                updated_at=stamp, ended_at=stamp, status="complete", owner=None, events=len(log),
                decisions=report["decisions"], ending_id=report["ending"]["id"], outcome=report["ending"]["outcome"],
                result=report["result"], overall=report["overall"], duration=log[-1]["t"],
                report=json.dumps(report, sort_keys=True, ensure_ascii=True)))
            batch_events.extend({"session_id": sid, "seq": e["seq"], "type": e["type"], "data": event_text(e)} for e in log)
            batch_scores.extend({"session_id": sid, "competency": c["id"], "name": c["name"],
                                 "score": c["score"] if c["observed"] else None} for c in report["competencies"])
            batch_decisions.extend({"session_id": sid, "position": n, "node": g["node"], "scene": g["scene"],
                                    "choice": g.get("choice"), "text": g["text"], "t": g["t"], "grade": g.get("grade"),
                                    "points": g.get("points"), "timer": bool(g.get("timer"))}
                                   for n, g in enumerate(report["graded"], 1))
            if len(batch_sessions) == 500 or i == sessions - 1:
                connection.execute(insert(schema.sessions), batch_sessions)
                connection.execute(insert(schema.events), batch_events)
                connection.execute(insert(schema.session_scores), batch_scores)
                connection.execute(insert(schema.session_decisions), batch_decisions)
                batch_sessions, batch_events, batch_scores, batch_decisions = [], [], [], []
    store.close()


def bench_cohort(url: str, label: str, sessions: int, runs: int) -> None:
    from simulator.records.reports import cohort_report_html
    from simulator.records.store import Store
    start = time.perf_counter()
    fill_cohort(url, sessions)
    print(f"{label}: {sessions:,} sessions stored for the cohort in {time.perf_counter() - start:.1f} s")
    times = []
    for _ in range(runs):
        store = Store.open(url)
        start = time.perf_counter()
        html = cohort_report_html(store, "Bench")
        times.append(time.perf_counter() - start)
        store.close()
    median = statistics.median(times)
    print(f"{label}: cohort report over {sessions:,} sessions median {median:.2f} s over {runs} runs "
          f"({len(html) // 1024} KiB of HTML; target {COHORT_TARGET_S:.0f} s: {'met' if median < COHORT_TARGET_S else 'NOT met'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=10_000, help="sessions in the cohort report (default 10,000)")
    parser.add_argument("--played", type=int, default=20, help="sessions played for the write timings (default 20)")
    parser.add_argument("--runs", type=int, default=3, help="cohort report runs (default 3)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="parley-bench-records-", dir=str(HERE / "out") if (HERE / "out").is_dir() else None) as tmp:
        folder = Path(tmp)
        bench_writes(f"sqlite:///{folder / 'writes.db'}", "SQLite", args.played, folder)
        bench_cohort(f"sqlite:///{folder / 'cohort.db'}", "SQLite", args.sessions, args.runs)
        admin = os.environ.get("PARLEY_TEST_POSTGRES_URL")
        from tests.db_helpers import throwaway_database
        if not admin:
            print("PostgreSQL: not measured ($PARLEY_TEST_POSTGRES_URL is not set; .ci/postgres-start makes a server)")
            return
        with throwaway_database(admin) as url:
            bench_writes(url, "PostgreSQL", args.played, folder)
        with throwaway_database(admin) as url:
            bench_cohort(url, "PostgreSQL", args.sessions, args.runs)


if __name__ == "__main__":
    main()
