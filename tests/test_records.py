"""The records database (simulator/records): sessions stored as they happen, byte for byte; migrations
that keep data; record files imported once; forgetting a trainee everywhere; CSV; on SQLite and PostgreSQL."""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import insert, inspect, select, text

from simulator.content.loader import load_scenario
from simulator.engine.session import Session, event_json
from simulator.records import schema
from simulator.records.database import HEAD, DatabaseError, current_revision, open_engine, upgrade
from simulator.records.legacy import write_record_file
from simulator.records.recorder import SessionRecorder, open_store
from simulator.records.store import ABANDONED, COMPLETE, IN_PROGRESS, INCOMPLETE, Store

ROOT = Path(__file__).resolve().parent.parent
KNIFE = ROOT / "scenarios" / "crisis-knife-parking-lot.yaml"
DEAF = ROOT / "scenarios" / "deaf-driver-traffic-stop.yaml"


@pytest.fixture(scope="module")
def knife():
    return load_scenario(KNIFE).scenario


@pytest.fixture(scope="module")
def deaf():
    return load_scenario(DEAF).scenario


def play(store, scenario, *, trainee="Ana", seed=3, pick=0, cohort=None, mode="academy", decisions=None):
    """Play `scenario` to its end (or `decisions` decisions) with a recorder; returns (recorder, session)."""
    session = Session(scenario, seed=seed)
    recorder = SessionRecorder(store, session, trainee=trainee, mode=mode, source=Path(scenario.source).name,
                               cohort=cohort)
    made = 0
    while not session.ended and (decisions is None or made < decisions):
        options = session.presented()
        session.choose(options[min(pick, len(options) - 1)].id, elapsed=1.5)
        recorder.sync()
        made += 1
    return recorder, session


# --- storing sessions -----------------------------------------------------------------------------
def test_a_session_is_stored_as_it_happens_and_reads_back_byte_for_byte(db_url, knife):
    store = Store.open(db_url)
    session = Session(knife, seed=11)
    recorder = SessionRecorder(store, session, trainee="Ana", mode="academy", source="crisis-knife-parking-lot.yaml",
                               cohort="Academy 12")
    [row] = store.listing()
    assert row.status == IN_PROGRESS and row.display_name == "Ana" and row.pseudonym.startswith("t-")
    assert store.log(recorder.uid) == session.log  # started: session_started and the first scene
    while not session.ended:
        session.choose(session.presented()[-1].id, elapsed=2.0)
        recorder.sync()
        stored = store.log(recorder.uid)
        assert [event_json(e) for e in stored] == [event_json(e) for e in session.log]
    recorder.finish()
    row = store.find(recorder.uid[:8])
    assert row.status == COMPLETE and row.cohort == "Academy 12" and row.ended_at >= row.started_at
    report = json.loads(row.report)
    assert row.result == report["result"] and row.overall == report["overall"]
    assert row.decisions == report["decisions"] > 0 and row.outcome == report["ending"]["outcome"]
    settings = json.loads(row.settings)
    assert settings["options"] == session.log[0]["options"]
    assert (row.seed, row.content_hash) == (11, knife.content_hash)
    # the summary tables are the report's
    with store.engine.connect() as connection:
        scores = dict(connection.execute(select(schema.session_scores.c.competency, schema.session_scores.c.score)).all())
        decided = connection.execute(select(schema.session_decisions.c.choice).order_by(
            schema.session_decisions.c.position)).scalars().all()
    assert scores == {c["id"]: (c["score"] if c["observed"] else None) for c in report["competencies"]}
    assert decided == [g["choice"] for g in report["graded"]]
    # the stored log replays exactly
    assert Session.replay(knife, store.log(recorder.uid)).log == session.log
    store.close()


def test_undo_and_typed_text_that_is_not_unicode_are_kept(db_url, knife):
    from simulator.engine.session import SessionOptions
    store = Store.open(db_url)
    session = Session(knife, seed=5, options=SessionOptions(allow_undo=True))
    recorder = SessionRecorder(store, session, trainee="Bo \ud800", mode="workshop", source="k.yaml")
    session.choose(session.presented()[0].id, elapsed=1.0)
    recorder.sync()
    session.undo({"role": "facilitator", "id": "Bo"}, "to discuss \ud800 another option", elapsed=3.0)
    recorder.sync()
    session.choose(session.presented()[1].id, elapsed=1.0)
    recorder.finish(ABANDONED, "quit to library")
    stored = store.log(recorder.uid)
    assert [e["type"] for e in stored] == [e["type"] for e in session.log]
    [undo] = [e for e in stored if e["type"] == "undo"]
    assert undo["reason"] == "to discuss \ud800 another option"  # escaped in JSON, not lost
    row = store.find(recorder.uid)
    assert (row.status, row.status_detail, row.decisions) == (ABANDONED, "quit to library", 1)
    store.close()


def test_guests_have_no_trainee_row(db_url, knife):
    store = Store.open(db_url)
    recorder, _ = play(store, knife, trainee="guest", decisions=2)
    recorder.finish(ABANDONED, "window closed")
    [row] = store.listing()
    assert row.pseudonym is None and row.display_name is None
    with store.engine.connect() as connection:
        assert connection.execute(select(schema.trainees)).all() == []
    store.close()


def test_a_session_left_by_a_dead_process_becomes_incomplete_and_keeps_its_events(db_url, knife):
    store = Store.open(db_url)
    recorder, session = play(store, knife, decisions=3)
    with store.engine.begin() as connection:  # as if a process that has gone wrote it
        connection.execute(schema.sessions.update().values(owner=f"{__import__('socket').gethostname()}:999999999"))
    assert Store.open(db_url).mark_orphans() == 0  # already marked by that open
    row = store.find(recorder.uid)
    assert row.status == INCOMPLETE and "stopped" in row.status_detail
    assert store.log(recorder.uid) == session.log
    # a session of a process that still runs is left alone
    other, _ = play(store, knife, trainee="Bo", decisions=1)
    assert store.mark_orphans() == 0 and store.find(other.uid).status == IN_PROGRESS
    if Path("/proc/self/stat").exists():  # a pid now used by another process: the start time tells them apart
        host = __import__("socket").gethostname()
        with store.engine.begin() as connection:
            connection.execute(schema.sessions.update().where(schema.sessions.c.uid == other.uid).values(
                owner=f"{host}:{os.getpid()}:1"))
        assert store.mark_orphans() == 1 and store.find(other.uid).status == INCOMPLETE
    store.close()


def test_an_unusable_database_keeps_the_session_in_a_record_file_imported_later(tmp_path, knife, capsys):
    bad = tmp_path / "not-a-folder"
    bad.write_text("x")
    assert open_store(f"sqlite:///{bad}/parley.db") is None
    assert "cannot open the records database" in capsys.readouterr().err
    recorder, session = play(None, knife, trainee="Cy")
    recorder.finish()
    assert recorder.uid is None and recorder.file and Path(recorder.file).is_file()
    store = open_store(f"sqlite:///{tmp_path / 'good.db'}")
    [row] = store.listing()
    assert row.display_name == "Cy" and row.status == COMPLETE and row.result is not None
    assert store.log(row.uid) == session.log
    assert Path(recorder.file).is_file()  # kept
    store.close()


def test_find_refuses_short_and_ambiguous_ids(db_url, knife):
    store = Store.open(db_url)
    recorder, _ = play(store, knife, decisions=1)
    with pytest.raises(DatabaseError, match="no session"):
        store.find("abc")
    with pytest.raises(DatabaseError, match="no session"):
        store.find("ffffffff-0000")
    assert store.find(recorder.uid.upper()[:6]).uid == recorder.uid
    store.close()


# --- migrations ------------------------------------------------------------------------------------
def test_head_is_the_newest_migration_and_the_migrations_make_the_schema():
    from alembic.autogenerate import compare_metadata
    from alembic.config import Config
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory
    config = Config()
    config.set_main_option("script_location", str(ROOT / "simulator" / "records" / "migrations"))
    assert ScriptDirectory.from_config(config).get_heads() == [HEAD]
    engine = open_engine("sqlite://")
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), schema.metadata)
    assert diff == []


def test_an_upgrade_from_the_first_schema_keeps_every_row(db_url, knife):
    engine = open_engine(db_url, migrate=False)
    upgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    assert not inspect(engine).has_table("xapi_queue")
    session = Session(knife, seed=9)
    while not session.ended:
        session.choose(session.presented()[0].id, elapsed=1.0)
    with engine.begin() as connection:  # what version 0001 of Parley wrote
        tid = connection.execute(insert(schema.trainees).values(pseudonym="t-0123456789", display_name="Old",
                                                                created_at="2026-01-02T03:04:05.000Z")).inserted_primary_key[0]
        sid = connection.execute(insert(schema.sessions).values(
            uid="00000000-0000-4000-8000-000000000001", trainee_id=tid, scenario_id=knife.id, scenario_version="1",
            content_hash=knife.content_hash, source="k.yaml", seed=9, mode="academy", settings="{}",
            started_at="2026-01-02T03:04:05.000Z", updated_at="2026-01-02T03:04:05.000Z", status="complete",
            events=len(session.log), decisions=3)).inserted_primary_key[0]
        connection.execute(insert(schema.events), [{"session_id": sid, "seq": e["seq"], "type": e["type"],
                                                     "data": event_json(e)} for e in session.log])
        connection.execute(insert(schema.feedback).values(scenario_id=knife.id, realism=4, comment="Real.",
                                                          created_at="2026-01-02T03:04:05.000Z"))
    engine.dispose()
    store = Store.open(db_url)  # the upgrade happens here
    assert current_revision(store.engine) == HEAD
    assert store.log("00000000-0000-4000-8000-000000000001") == session.log
    [row] = store.listing()
    assert (row.display_name, row.status, row.decisions) == ("Old", "complete", 3)
    assert [f.comment for f in store.feedback_for(knife.id)] == ["Real."]
    with store.engine.begin() as connection:  # the new table works on the old rows
        connection.execute(insert(schema.xapi_queue).values(endpoint="e", session_id=sid, statement_id="s", position=0,
                                                            statement="{}", created_at="t"))
    gone = store.forget("Old")
    assert gone.sessions == 1 and gone.events == len(session.log) and gone.queued_statements == 1
    store.close()


def test_sqlite_connections_use_wal_full_sync_and_foreign_keys(tmp_path):
    store = Store.open(f"sqlite:///{tmp_path / 'p.db'}")
    with store.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    store.close()


def test_the_default_database_is_in_the_data_folder_and_the_url_can_be_set(monkeypatch, tmp_path):
    from simulator.paths import data_dir
    from simulator.records.database import database_url, shown_url
    monkeypatch.delenv("PARLEY_DATABASE_URL", raising=False)
    assert database_url() == f"sqlite:///{data_dir() / 'parley.db'}"
    monkeypatch.setenv("PARLEY_DATABASE_URL", "postgresql+psycopg://u:secret@db.example/parley")
    assert database_url() == "postgresql+psycopg://u:secret@db.example/parley"
    assert "secret" not in shown_url(database_url()) and "***" in shown_url(database_url())
    assert database_url(str(tmp_path / "x.db")) == f"sqlite:///{tmp_path / 'x.db'}"


def test_an_unreachable_server_is_one_clear_error_without_the_password():
    with pytest.raises(DatabaseError) as caught:
        Store.open("postgresql+psycopg://u:hunter2@127.0.0.1:1/parley?connect_timeout=2")
    assert "hunter2" not in str(caught.value) and "127.0.0.1" in str(caught.value)


# --- record files from before the database ----------------------------------------------------------
def test_record_files_are_imported_once_and_kept(tmp_path, knife, deaf, capsys):
    from simulator.records.legacy import records_folder
    made = []
    for scenario, status in ((knife, "complete"), (deaf, "abandoned: window closed"), (knife, "in progress")):
        session = Session(scenario, seed=4)
        for _ in range(100 if status == "complete" else 2):
            if session.ended:
                break
            session.choose(session.presented()[0].id, elapsed=1.0)
        path = write_record_file(session, trainee="Dee", mode="academy", status=status,
                                 source=Path(scenario.source).name)
        made.append((path, session, status))
    (records_folder() / "20260101T000000-broken.json").write_text("{not json", encoding="utf-8")
    store = open_store(f"sqlite:///{tmp_path / 'r.db'}")
    err = capsys.readouterr().err
    assert "20260101T000000-broken.json" in err and "the file is kept" in err
    rows = {r.uid: r for r in store.listing()}
    assert len(rows) == 3
    by_log = {json.dumps(store.log(uid), sort_keys=True): row for uid, row in rows.items()}
    for path, session, status in made:
        row = by_log[json.dumps(session.log, sort_keys=True)]
        assert row.status == {"complete": COMPLETE, "in progress": INCOMPLETE}.get(status, ABANDONED)
        assert row.display_name == "Dee" and Path(path).is_file()
        if status == "complete":
            assert row.result is not None and row.report_problem is None
        if status.startswith("abandoned"):
            assert row.status_detail == "window closed"
    store.close()
    again = open_store(f"sqlite:///{tmp_path / 'r.db'}")
    assert len(again.listing()) == 3 and capsys.readouterr().err == ""  # imported once; the bad file said once
    again.close()


# --- forgetting --------------------------------------------------------------------------------------
def test_forget_removes_a_trainee_everywhere_and_nobody_else(db_url, knife, tmp_path, capsys):
    from simulator.cli.main import main
    from simulator.paths import data_dir
    store = Store.open(db_url)
    mine, _ = play(store, knife, trainee="Eve", cohort="C1")
    mine.finish()
    theirs, _ = play(store, knife, trainee="Finn", cohort="C1")
    theirs.finish()
    store.add_feedback(knife.id, session_uid=mine.uid, trainee="Eve", realism=5, comment="Felt real.")
    reports = data_dir() / "reports"
    reports.mkdir(parents=True)
    (reports / f"session-{mine.uid}.html").write_text("<html>Eve</html>")
    (reports / f"session-{theirs.uid}.html").write_text("<html>Finn</html>")
    eve = store.pseudonym("Eve")
    (reports / "cohort-c1.html").write_text(f"<html>Eve ({eve}), Finn</html>")  # names her: made again without her
    fallback = Path(write_record_file(Session(knife, seed=1), trainee="Eve", mode="academy", status="in progress",
                                      source="k.yaml"))
    (reports / f"session-{fallback.stem}.html").write_text("<html>saved while the database had failed</html>")
    store.close()
    from simulator.ui.settings import load_settings, save_settings
    settings, _ = load_settings()
    settings.remember_names, settings.recent_trainees = True, ["Eve", "Finn"]
    save_settings(settings)
    assert main(["forget", "Eve", "--db", db_url]) == 0
    out = capsys.readouterr().out
    # two sessions: the one played, and the record file, imported when forget opened the database
    assert "2 sessions" in out and "1 piece of feedback" in out and "C1" in out
    assert f"session-{mine.uid}.html" in out and "deleted" in out and "names the window remembers" in out
    assert "cohort-c1.html" in out and f"session-{fallback.stem}.html" in out
    assert load_settings()[0].recent_trainees == ["Finn"]
    store = Store.open(db_url)
    assert [r.display_name for r in store.listing()] == ["Finn"]
    assert store.feedback_for(knife.id) == []
    with store.engine.connect() as connection:
        for table in (schema.events, schema.session_scores, schema.session_decisions):
            assert connection.execute(select(table.c.session_id).distinct()).scalars().all() == [
                store.find(theirs.uid).id]
        assert connection.execute(select(schema.trainees.c.display_name)).scalars().all() == ["Finn"]
    assert sorted(p.name for p in reports.iterdir()) == [f"session-{theirs.uid}.html"]
    assert not list((data_dir() / "sessions").glob("*.json"))  # the record file naming Eve is gone too
    store.close()
    assert main(["forget", "Eve", "--db", db_url]) == 1
    assert "nothing was removed" in capsys.readouterr().err


# --- the command line --------------------------------------------------------------------------------
def test_records_and_cohort_commands(db_url, knife, capsys):
    from simulator.cli.main import main
    store = Store.open(db_url)
    a, _ = play(store, knife, trainee="Gus")
    a.finish()
    store.close()
    assert main(["cohort", "add", "Night class", "Gus", "Hal", "--db", db_url]) == 0
    assert "2 trainees added to Night class." in capsys.readouterr().out
    assert main(["cohort", "list", "--db", db_url]) == 0
    assert capsys.readouterr().out.strip() == "Night class"
    assert main(["records", "--cohort", "Night class", "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert a.uid[:8] in out and "Gus" in out and "crisis-knife-parking-lot" in out and "complete" in out
    assert main(["records", "--trainee", "Hal", "--db", db_url]) == 0  # in the cohort, but no session yet
    assert capsys.readouterr().out.startswith("No sessions are stored")


def test_csv_export_has_the_documented_columns(db_url, knife, deaf, tmp_path, capsys):
    from simulator.cli.main import main
    from simulator.records.csv_export import DECISION_COLUMNS, SESSION_COLUMNS
    store = Store.open(db_url)
    one, s1 = play(store, knife, trainee="=HYPERLINK(\"x\")")
    one.finish()
    two, s2 = play(store, deaf, trainee="Ida", decisions=2)
    two.finish(ABANDONED, "quit to library")
    store.close()
    assert main(["export", "csv", "-o", str(tmp_path / "out"), "--db", db_url]) == 0
    assert "2 sessions written" in capsys.readouterr().out
    with open(tmp_path / "out" / "sessions.csv", newline="", encoding="utf-8") as handle:
        sessions = list(csv.DictReader(handle))
    with open(tmp_path / "out" / "decisions.csv", newline="", encoding="utf-8") as handle:
        decisions = list(csv.DictReader(handle))
    assert list(sessions[0]) == SESSION_COLUMNS and list(decisions[0]) == DECISION_COLUMNS
    assert [s["session"] for s in sessions] == [one.uid, two.uid]
    assert sessions[0]["display_name"] == "'=HYPERLINK(\"x\")"  # never a formula in a spreadsheet
    assert sessions[1]["status"] == "abandoned" and sessions[1]["status_detail"] == "quit to library"
    report = json.loads(Store.open(db_url).find(one.uid).report)
    mine = [d for d in decisions if d["session"] == one.uid]
    assert [d["choice"] for d in mine] == [g["choice"] for g in report["graded"]]
    assert [float(d["points_lost"] or 0) for d in mine] == [float(g["points"] or 0) for g in report["graded"]]
    documented = (ROOT / "docs" / "records.md").read_text(encoding="utf-8")
    for column in SESSION_COLUMNS + DECISION_COLUMNS:
        assert f"`{column}`" in documented, column


def test_text_mode_stores_its_session(tmp_path):
    db = tmp_path / "t.db"
    env = dict(os.environ, PARLEY_DATA_DIR=str(tmp_path / "data"))
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), "play", "crisis-knife-parking-lot", "--text",
                           "--trainee", "Jo", "--cohort", "Day 1", "--seed", "2", "--db", str(db)],
                          input="1\n" * 60, capture_output=True, text=True, timeout=120, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    store = Store.open(f"sqlite:///{db}")
    [row] = store.listing()
    assert row.display_name == "Jo" and row.mode == "text" and row.status == COMPLETE and row.result
    assert f"Training record stored as session {row.uid[:8]}" in done.stdout
    assert store.find(row.uid).cohort == "Day 1"
    store.close()


def test_text_mode_stopped_early_is_kept_as_abandoned(tmp_path):
    db = tmp_path / "t.db"
    done = subprocess.run([sys.executable, str(ROOT / "main.py"), "play", "crisis-knife-parking-lot", "--text",
                           "--db", str(db)], input="1\n2\n", capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert "Training record stored as session" in done.stdout
    store = Store.open(f"sqlite:///{db}")
    [row] = store.listing()
    assert row.status == ABANDONED and row.status_detail == "input ended" and row.pseudonym is None
    assert [e["type"] for e in store.log(row.uid)].count("choice_made") == 2
    store.close()


def test_an_import_stopped_half_way_is_finished_and_long_names_fit_both_databases(db_url, knife):
    """A record file whose import was interrupted after its session was stored is finished at the next
    import, not duplicated; a name longer than its column is cut the same way on SQLite and PostgreSQL."""
    from simulator.records.legacy import records_folder
    session = Session(knife, seed=8)
    session.choose(session.presented()[0].id, elapsed=1.0)
    long_name = "N" * 500
    write_record_file(session, trainee=long_name, mode="academy", status="abandoned: window closed", source="k.yaml")
    [path] = list(records_folder().glob("*.json"))
    store = Store.open(db_url)
    import hashlib
    import uuid as uuid_module

    from simulator.records import legacy
    uid = str(uuid_module.uuid5(legacy._NAMESPACE, hashlib.sha256(path.read_bytes()).hexdigest()))
    store.start(session, trainee=long_name, mode="academy", source="k.yaml", uid=uid)  # the half done import
    imported, problems = legacy.import_record_files(store)
    assert (imported, problems) == (1, [])
    [row] = store.listing()
    assert row.uid == uid and row.status == ABANDONED and row.display_name == "N" * 200
    assert store.pseudonym(long_name) == row.pseudonym  # the long name finds the same trainee
    store.close()
