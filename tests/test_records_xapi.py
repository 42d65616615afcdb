"""xAPI export (issue #14): the statements' shape (records/xapi.py), the queue and the sender
(records/lrs.py) and `parley export xapi` (cli/xapi.py).

The first part always runs: statements built from sessions played and stored here, and the sender
against a fake store inside httpx (retries, conflicts, a crash after a POST, a refused statement).
The second part sends real statements to a real LRS, Ralph, and reads them back: it needs Ralph's
virtualenv ($PARLEY_TEST_RALPH_VENV, made by .ci/ralph-setup) and skips without it, or fails when
$CI is set (tests/lrs_helpers.py). Every statement built here also goes through Ralph's pydantic
xAPI models, because Ralph's API accepts invalid statements.
"""
from __future__ import annotations

import base64
import json
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update

from simulator.cli.main import main
from simulator.content.loader import load_scenario
from simulator.engine.session import Session, SessionOptions
from simulator.records import lrs
from simulator.records import xapi as X
from simulator.records.recorder import SessionRecorder
from simulator.records.schema import sessions, xapi_queue
from simulator.records.store import Store
from tests.lrs_helpers import USER, Ralph, free_port, ralph_venv, validate_offline

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
NAME = "Alice Example"  # a display name: it must never reach a store
REASON = "Alice asked to see the other branch"  # typed text in the log: never sent either
VERB_ORDER = {"initialized": 0, "answered": 1, "completed": 2, "passed": 3, "failed": 3, "terminated": 4}


# --- making sessions ---------------------------------------------------------------------------

def _scenario(name: str):
    return load_scenario(SCENARIOS / f"{name}.yaml").scenario


def play(store: Store, name: str = "collision-limited-english", *, seed: int = 3, trainee: str | None = NAME,
         mode: str | None = "academy", language: str | None = None, strategy: str = "first",
         stop_after: int | None = None, status: str = "complete", undo_at: int | None = None,
         expire: bool = False) -> dict:
    """Play and store one session; returns its uid, session and scenario. `strategy`: first, last or
    good (a good-graded option when there is one: it passes). `status`: complete (an ending),
    abandoned, incomplete (a kill: the next start marks it) or in-progress."""
    scenario = _scenario(name)
    session = Session(scenario, seed=seed, options=SessionOptions(language=language, allow_undo=undo_at is not None))
    recorder = SessionRecorder(store, session, trainee=trainee, mode=mode, source=f"{name}.yaml")
    assert recorder.uid is not None, "the session must be in the database"
    made = 0
    while not session.ended and (stop_after is None or made < stop_after):
        if expire and session.timer_seconds():
            session.expire_timer(elapsed=7.25)
            expire = False
        else:
            options = session.presented()
            good = [c for c in options if c.grade == "good"]
            choice = good[0] if strategy == "good" and good else options[-1 if strategy == "last" else 0]
            session.choose(choice.id, elapsed=2.5 + made, actor={"role": "trainee", "id": NAME})
        made += 1
        recorder.sync()
        if undo_at == made:
            session.undo(actor={"role": "trainee", "id": NAME}, reason=REASON, elapsed=1.0)
            strategy = "last" if strategy != "last" else "first"  # another branch after the step back
            recorder.sync()
    if status == "complete":
        assert session.ended
        recorder.finish()
    elif status == "abandoned":
        recorder.finish("abandoned", detail="quit to the library")
    elif status == "incomplete":
        store._run("mark a session killed", lambda c: c.execute(update(sessions).where(
            sessions.c.uid == recorder.uid).values(owner=None)))
        assert store.mark_orphans() >= 1
    return {"uid": recorder.uid, "session": session, "scenario": scenario}


@pytest.fixture
def store(db_url):
    """The records database the queue works on: SQLite, then PostgreSQL (tests/db_helpers.py)."""
    opened = Store.open(db_url)
    yield opened
    opened.close()


def built(store: Store, uid: str, scenario=None, *, with_scenario: bool = True) -> list[dict]:
    """The statements of stored session `uid`, as the queue would build them."""
    def read(connection):
        from simulator.records.schema import trainees
        return connection.execute(select(sessions, trainees.c.pseudonym).outerjoin(
            trainees, sessions.c.trainee_id == trainees.c.id).where(sessions.c.uid == uid)).one()
    row = store._run("read a session", read)
    log = store.log(uid)
    report = json.loads(row.report) if row.report else None
    return X.build_statements(dict(row._mapping), log, report, scenario if with_scenario else None)


def verbs(statements: list[dict]) -> list[str]:
    return [s["verb"]["id"].rsplit("/", 1)[-1] for s in statements]


def queued(store: Store, endpoint: str | None = None) -> list:
    def read(connection):
        query = select(xapi_queue).order_by(xapi_queue.c.id)
        if endpoint:
            query = query.where(xapi_queue.c.endpoint == endpoint)
        return connection.execute(query).all()
    return store._run("read the queue", read)


# --- the statements' shape (pure) --------------------------------------------------------------

def test_a_complete_session_gives_cmi5_ordered_statements_with_stable_ids(store):
    made = play(store)
    uid, session, scenario = made["uid"], made["session"], made["scenario"]
    statements = built(store, uid, scenario)
    report = json.loads(store.find(uid).report)
    decisions = [e for e in session.log if e["type"] == "choice_made"]
    assert verbs(statements) == ["initialized"] + ["answered"] * len(decisions) + \
        ["completed", "passed" if report["result"] == "pass" else "failed", "terminated"]
    assert built(store, uid, scenario) == statements, "building again gives the same statements"
    ids = [s["id"] for s in statements]
    assert len(set(ids)) == len(ids)
    assert ids[0] == X.statement_id(uid, "initialized") and ids[1] == X.statement_id(uid, "answered", 1)
    assert all(uuid.UUID(i).version == 5 for i in ids)
    pseudonym = store.pseudonym(NAME)
    for s in statements:
        assert s["version"] == "1.0.3"
        assert s["actor"] == {"objectType": "Agent", "account": {"homePage": X.HOMEPAGE, "name": pseudonym}}
        assert s["context"]["registration"] == uid
        assert s["context"]["language"] == "en-US"
        ext = s["context"]["extensions"]
        assert ext[X.EXT_SCENARIO_VERSION] == scenario.version and ext[X.EXT_CONTENT_HASH] == scenario.content_hash
        assert ext[X.EXT_SEED] == "3" and ext[X.EXT_MODE] == "academy" and X.EXT_GUEST not in ext
        assert s["timestamp"].endswith("Z")
    text = json.dumps(statements, ensure_ascii=False)
    assert NAME not in text and "Alice" not in text, "no display name, no name from the log's actors"
    stamps = [s["timestamp"] for s in statements]
    assert stamps == sorted(stamps), "timestamps never go backwards"
    assert stamps[0] == store.find(uid).started_at


def test_answered_statements_offer_the_options_shown_in_order_with_their_texts(store):
    made = play(store)
    uid, session, scenario = made["uid"], made["session"], made["scenario"]
    statements = [s for s in built(store, uid, scenario) if verbs([s]) == ["answered"]]
    shown = [e["choices"] for e in session.log if e["type"] == "node_entered"]
    made_ = [e for e in session.log if e["type"] == "choice_made"]
    report = json.loads(store.find(uid).report)
    start = X.parse_time(store.find(uid).started_at)
    assert len(statements) == len(made_) == len(report["graded"])
    for s, event, offered, grade in zip(statements, made_, shown, report["graded"]):
        definition = s["object"]["definition"]
        assert s["object"]["id"] == X.node_iri(scenario.id, event["node"])
        assert definition["type"] == X.INTERACTION and definition["interactionType"] == "choice"
        assert [c["id"] for c in definition["choices"]] == offered
        for component in definition["choices"]:
            assert component["description"] == {"en-US": scenario.choice_by_id[component["id"]].text.get("en", "en")}
        node = scenario.nodes[scenario.target_index[event["node"]]]
        assert definition["name"] == {"en-US": node.label.get("en", "en")}
        assert s["result"]["response"] == event["choice"]
        assert s["result"]["duration"] == X.iso_duration(event["elapsed"])
        assert s["result"]["extensions"][X.EXT_GRADE] == grade["grade"]
        assert s["result"]["extensions"][X.EXT_POINTS] == grade["points"]
        assert s["context"]["contextActivities"]["parent"] == [{"objectType": "Activity",
                                                                "id": X.scenario_iri(scenario.id)}]
        assert X.parse_time(s["timestamp"]) == start + timedelta(seconds=event["t"])


def test_decisions_someone_else_took_say_so_without_their_words(store):
    """Instructor-operated and workshop decisions (docs/classroom.md): `decided-by`, and `reason-given`
    for an instructor's worse-graded pick; never the typed reason or the trainee's words."""
    scenario = _scenario("collision-limited-english")
    session = Session(scenario, seed=3)
    recorder = SessionRecorder(store, session, trainee=NAME, mode="operated", source="collision-limited-english.yaml")
    roles = []
    while not session.ended:
        options = session.presented()
        worst = max(options, key=lambda c: ("good", "acceptable", "mistake", "major", "critical").index(c.grade))
        if len(roles) % 2 == 0:
            actor, reason = {"role": "instructor", "id": "Sgt Ortiz", "trainee": NAME, "heard": "secret words"}, \
                "typed reason text"
        else:
            actor, reason = {"role": "workshop", "id": "room", "votes": {worst.id: 3}, "tie": False}, None
        session.choose(worst.id, elapsed=2.0, actor=actor, reason=reason)
        roles.append(actor["role"])
        recorder.sync()
    recorder.finish()
    answered = [s for s in built(store, recorder.uid, scenario) if verbs([s]) == ["answered"]]
    assert [s["result"]["extensions"][X.EXT_DECIDED_BY] for s in answered] == roles
    assert [X.EXT_REASON_GIVEN in s["result"]["extensions"] for s in answered] == [r == "instructor" for r in roles]
    text = json.dumps(answered)
    assert "secret words" not in text and "typed reason text" not in text and "Sgt Ortiz" not in text


def test_passed_and_failed_carry_the_score_success_and_competencies(store):
    good = play(store, strategy="good")
    poor = play(store, strategy="first")
    for made, verb, success in ((good, "passed", True), (poor, "failed", False)):
        statements = built(store, made["uid"], made["scenario"])
        report = json.loads(store.find(made["uid"]).report)
        judged = statements[-2]
        assert verbs([judged]) == [verb], (verb, report["result"])
        result = judged["result"]
        assert result["success"] is success and "completion" not in result
        assert result["score"] == {"scaled": report["overall"] / 100, "raw": report["overall"], "min": 0, "max": 100}
        assert 0 <= result["score"]["scaled"] <= 1
        assert result["extensions"][X.EXT_RESULT] == report["result"]
        assert result["extensions"][X.EXT_COMPETENCIES] == {
            c["id"]: (c["score"] if c["observed"] else None) for c in report["competencies"]}
        completed = statements[-3]
        assert verbs([completed]) == ["completed"]
        assert completed["result"] == {"completion": True, "duration": judged["result"]["duration"]}
        assert "score" not in statements[-1]["result"] and "success" not in statements[-1]["result"]


def test_abandoned_and_incomplete_sessions_are_initialized_answered_terminated_only(store):
    abandoned = play(store, stop_after=2, status="abandoned")
    incomplete = play(store, stop_after=3, status="incomplete")
    for made, decisions, status in ((abandoned, 2, "abandoned"), (incomplete, 3, "incomplete")):
        statements = built(store, made["uid"], made["scenario"])
        assert verbs(statements) == ["initialized"] + ["answered"] * decisions + ["terminated"]
        assert statements[-1]["result"]["extensions"][X.EXT_STATUS] == status
        assert statements[-1]["result"]["duration"].startswith("PT")


def test_a_session_in_progress_has_no_statements_and_is_not_queued(store):
    made = play(store, stop_after=2, status="in-progress")
    with pytest.raises(X.NotEnded):
        built(store, made["uid"], made["scenario"])
    done = lrs.queue_sessions(store, "http://127.0.0.1:9/xAPI")
    assert (done.sessions, done.in_progress) == (0, 1)
    assert queued(store) == []


def test_undone_decisions_are_not_sent_and_a_timer_that_ran_out_has_no_response(store):
    made = play(store, "crisis-knife-parking-lot", seed=5, undo_at=2, expire=True)
    uid, session, scenario = made["uid"], made["session"], made["scenario"]
    statements = built(store, uid, scenario)
    answered = [s for s in statements if verbs([s]) == ["answered"]]
    report = json.loads(store.find(uid).report)
    assert [s["result"].get("response") for s in answered] == \
        [None if g["timer"] else g["choice"] for g in report["graded"]]
    undone = [e for e in session.log if e["type"] == "choice_made"][1]["choice"]
    assert undone not in [s["result"].get("response") for s in answered]
    timed = [s for s in answered if "response" not in s["result"]]
    assert len(timed) == 1
    assert timed[0]["result"]["extensions"][X.EXT_TIMER_EXPIRED] is True
    assert timed[0]["result"]["duration"] == "PT7.25S"
    assert REASON not in json.dumps(statements) and NAME not in json.dumps(statements)
    assert [s["id"] for s in answered] == [X.statement_id(uid, "answered", n) for n in range(1, len(answered) + 1)]


def test_a_guest_is_sent_under_an_anonymous_account_of_its_own(store):
    first = play(store, trainee=None)
    second = play(store, trainee="guest", seed=4)
    for made in (first, second):
        statements = built(store, made["uid"], made["scenario"])
        for s in statements:
            assert s["actor"]["account"] == {"homePage": X.HOMEPAGE, "name": f"guest-{made['uid']}"}
            assert s["context"]["extensions"][X.EXT_GUEST] is True


def test_a_spanish_session_describes_its_options_in_spanish(store):
    made = play(store, language="es")
    scenario = made["scenario"]
    statements = built(store, made["uid"], scenario)
    assert {s["context"]["language"] for s in statements} == {"es"}
    assert statements[0]["object"]["definition"]["name"] == {"es": scenario.title.get("es", "en")}
    answered = statements[1]
    for component in answered["object"]["definition"]["choices"]:
        assert component["description"] == {"es": scenario.choice_by_id[component["id"]].text.get("es", "en")}


def test_without_the_scenario_file_options_go_by_id_and_the_choice_keeps_its_words(store):
    made = play(store)
    statements = built(store, made["uid"], with_scenario=False)
    report = json.loads(store.find(made["uid"]).report)
    answered = statements[1]
    chosen = answered["result"]["response"]
    for component in answered["object"]["definition"]["choices"]:
        if component["id"] == chosen:
            assert component["description"] == {"en-US": report["graded"][0]["text"]}
        else:
            assert "description" not in component
    assert answered["object"]["definition"]["name"] == {"en-US": report["graded"][0]["scene"]}
    assert statements[0]["object"]["definition"]["name"] == {"en-US": made["scenario"].id}


def test_iso_durations_and_language_tags():
    assert [X.iso_duration(s) for s in (0, 4.5, 59.999, 64.25, 3600, 3723.5, -1, float("nan"))] == \
        ["PT0S", "PT4.5S", "PT1M", "PT1M4.25S", "PT1H", "PT1H2M3.5S", "PT0S", "PT0S"]
    assert (X.language_tag("en"), X.language_tag("es"), X.language_tag(None)) == ("en-US", "es", "en-US")


# --- the queue and the sender against a fake store (pure) --------------------------------------

class FakeStore:
    """An LRS inside httpx: keeps statements by id like a store that follows xAPI (409 when a posted
    id is held with other content), and answers `script`'s responses or errors first."""

    def __init__(self, script=(), refuse: str | None = None):
        self.held: dict[str, dict] = {}
        self.order: list[str] = []
        self.requests: list[httpx.Request] = []
        self.script = list(script)
        self.refuse = refuse  # a statement id this store refuses (400)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.script:
            step = self.script.pop(0)
            if isinstance(step, Exception):
                raise step
            return step
        if request.method == "GET":
            wanted = request.url.params.get("statementId")
            return httpx.Response(200, json=self.held[wanted]) if wanted in self.held else httpx.Response(404)
        body = json.loads(request.content)
        if any(s["id"] == self.refuse for s in body):
            return httpx.Response(400, json={"detail": "refused by the test"})
        if any(s["id"] in self.held and self.held[s["id"]] != s for s in body):
            return httpx.Response(409, json={"detail": "conflict"})
        fresh = [s for s in body if s["id"] not in self.held]
        for s in fresh:
            self.held[s["id"]] = s
            self.order.append(s["id"])
        return httpx.Response(200, json=[s["id"] for s in body])

    def posted(self) -> list[str]:
        return [s["id"] for r in self.requests if r.method == "POST" for s in json.loads(r.content)]


ENDPOINT = "http://lrs.test/xAPI/"


def send(store, fake, *, batch_size=4, tries=None, sleeps=None):
    with lrs.LRSClient(ENDPOINT, USER, "pw-secret", transport=httpx.MockTransport(fake), tries=tries,
                       sleep=(sleeps if sleeps is not None else []).append) as client:
        return lrs.send_queue(store, ENDPOINT, client, batch_size=batch_size)


def test_every_request_says_its_xapi_version_and_authenticates(store):
    play(store)
    lrs.queue_sessions(store, ENDPOINT)
    fake = FakeStore()
    done = send(store, fake)
    assert (done.sent, done.left) == (len(queued(store)), 0)
    assert fake.requests
    for request in fake.requests:
        assert request.headers["X-Experience-API-Version"] == "1.0.3"
        assert request.headers["Authorization"] == "Basic " + base64.b64encode(f"{USER}:pw-secret".encode()).decode()
    assert fake.order == [r.statement_id for r in queued(store)], "sent in queue order"
    assert all(r.sent_at for r in queued(store))


def test_connection_errors_5xx_and_429_are_retried_with_backoff_then_the_queue_is_kept(store):
    play(store)
    lrs.queue_sessions(store, ENDPOINT)
    request = httpx.Request("POST", ENDPOINT)
    fake = FakeStore([httpx.Response(503), httpx.Response(429, headers={"Retry-After": "2"}),
                      httpx.ConnectError("refused", request=request), httpx.ReadTimeout("slow", request=request)])
    sleeps: list[float] = []
    done = send(store, fake, sleeps=sleeps)
    assert len(fake.requests) == lrs.TRIES == 4
    assert sleeps == [1.0, 2.0, 4.0], "doubling, with Retry-After taken when it is asked"
    assert done.sent == 0 and done.left == len(queued(store)) and "unreachable" in done.stopped
    rows = queued(store)
    assert [r.attempts for r in rows[:4]] == [1] * 4 and all(r.last_error for r in rows[:4])
    assert all(r.attempts == 0 for r in rows[4:]), "no later batch is tried once the store is gone"
    fake = FakeStore([httpx.ConnectError("refused", request=request), httpx.Response(500)])
    sleeps = []
    done = send(store, fake, sleeps=sleeps)
    assert sleeps == [1.0, 2.0] and done.left == 0 and done.sent == len(rows) and done.stopped is None
    assert fake.order == [r.statement_id for r in rows]


def test_a_crash_after_a_post_never_duplicates(store):
    play(store)
    lrs.queue_sessions(store, ENDPOINT)
    rows = queued(store)
    fake = FakeStore()
    for row in rows[:6]:  # they reached the store, then the process died before marking them
        fake.held[row.statement_id] = json.loads(row.statement)
        fake.order.append(row.statement_id)
    store._run("note attempts", lambda c: c.execute(update(xapi_queue).where(
        xapi_queue.c.id.in_([r.id for r in rows[:6]])).values(attempts=1)))
    done = send(store, fake)
    assert (done.already, done.sent, done.left) == (6, len(rows) - 6, 0)
    assert not set(fake.posted()) & {r.statement_id for r in rows[:6]}, "looked up, not posted again"
    assert fake.order == [r.statement_id for r in rows]


def test_a_conflict_is_looked_up_and_marked_sent(store):
    play(store)
    lrs.queue_sessions(store, ENDPOINT)
    rows = queued(store)
    fake = FakeStore()
    held = json.loads(rows[1].statement)
    fake.held[held["id"]] = {**held, "stored": "elsewhere"}  # the store has that id, with other content
    done = send(store, fake)
    assert (done.already, done.sent, done.left) == (1, len(rows) - 1, 0)
    assert fake.held[held["id"]]["stored"] == "elsewhere", "nothing was overwritten"


def test_a_refused_statement_holds_back_only_its_own_session(store):
    first = play(store)
    play(store, seed=9)
    lrs.queue_sessions(store, ENDPOINT)
    rows = queued(store)
    refused = next(r for r in rows if r.statement_id == X.statement_id(first["uid"], "answered", 2))
    fake = FakeStore(refuse=refused.statement_id)
    done = send(store, fake)
    mine = [r for r in rows if r.session_id == refused.session_id]
    others = [r for r in rows if r.session_id != refused.session_id]
    assert fake.order == [r.statement_id for r in mine[:mine.index(refused)]] + [r.statement_id for r in others]
    assert done.left == len(mine) - mine.index(refused) and done.left_sessions == 1
    assert "refused by the test" in done.held[first["uid"]]


def test_a_wrong_password_stops_at_once(store):
    play(store)
    lrs.queue_sessions(store, ENDPOINT)
    fake = FakeStore([httpx.Response(401)])
    done = send(store, fake)
    assert len(fake.requests) == 1 and done.sent == 0 and "password" in done.stopped
    assert done.left == len(queued(store))


def test_endpoints_are_checked_and_a_session_is_queued_once_per_endpoint(store):
    assert lrs.normalise_endpoint("HTTP://127.0.0.1:8100/xAPI") == "http://127.0.0.1:8100/xAPI/"
    for bad in ("ftp://x/xAPI", "127.0.0.1:8100", "http://u:p@127.0.0.1/xAPI/", "http://h/xAPI/?a=1", ""):
        with pytest.raises(ValueError):
            lrs.normalise_endpoint(bad)
    play(store)
    assert lrs.queue_sessions(store, ENDPOINT).sessions == 1
    assert lrs.queue_sessions(store, ENDPOINT).sessions == 0
    assert lrs.queue_sessions(store, "http://other.test/xAPI").sessions == 1
    assert len(queued(store, ENDPOINT)) == len(queued(store, "http://other.test/xAPI/"))


# --- the command (pure: no store is listening) -------------------------------------------------

def run_cli(capsys, *argv: str) -> tuple[int, str]:
    code = main(["export", "xapi", *argv])  # the whole command line: parser, cli/export.py, cli/xapi.py
    out = capsys.readouterr()
    return code, out.out + out.err


def test_usage_errors_exit_2_without_showing_the_password(capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("PARLEY_LRS_PASSWORD", raising=False)
    db = str(tmp_path / "r.db")
    cases = [([], "--endpoint"), (["--endpoint", "http://127.0.0.1:9/xAPI/"], "--user"),
             (["--endpoint", "http://127.0.0.1:9/xAPI/", "--user", "u"], "password"),
             (["--endpoint", "http://u:hunter22@127.0.0.1:9/xAPI/", "--user", "u", "--password", "hunter22"], "--user"),
             (["--endpoint", "http://127.0.0.1:9/xAPI/", "--user", "u", "--password", "hunter22", "--since", "30/11"],
              "YYYY-MM-DD")]
    for argv, says in cases:
        code, output = run_cli(capsys, *argv, "--db", db)
        assert code == 2 and says in output and "hunter22" not in output, (argv, output)


def test_an_unreachable_store_keeps_the_queue_and_exits_1(capsys, tmp_path, monkeypatch):
    db = tmp_path / "records.db"
    opened = Store.open(f"sqlite:///{db}")
    play(opened)
    play(opened, trainee=None, seed=8)
    opened.close()
    monkeypatch.setattr(lrs, "BACKOFF", 0.01)
    monkeypatch.setenv("PARLEY_LRS_PASSWORD", "pw-from-the-environment")
    endpoint = f"http://127.0.0.1:{free_port()}/xAPI/"
    code, output = run_cli(capsys, "--endpoint", endpoint, "--user", USER, "--db", str(db))
    assert code == 1
    assert "Queued 2 sessions" in output and "1 of them was played by a guest" in output
    opened = Store.open(f"sqlite:///{db}")
    left = len(queued(opened))
    opened.close()
    assert f"Left in the queue: {left} statements of 2 sessions." in output
    assert "unreachable" in output and "4 tries" in output
    assert "pw-from-the-environment" not in output


# --- a real LRS: Ralph -------------------------------------------------------------------------

@pytest.fixture
def ralph(tmp_path):
    lrs_ = Ralph(ralph_venv(), tmp_path / "ralph")
    lrs_.start()
    yield lrs_
    lrs_.stop()


def export(capsys, ralph: Ralph, db, *extra: str) -> tuple[int, str]:
    """`parley export xapi` to Ralph; checks that the password appears nowhere in what it printed."""
    code, output = run_cli(capsys, "--endpoint", ralph.endpoint, "--user", USER, "--password", ralph.password,
                           "--db", str(db), *extra)
    assert ralph.password not in output
    return code, output


def without_store_fields(statement: dict) -> dict:
    return {k: v for k, v in statement.items() if k not in ("stored", "authority")}


def read_back(ralph: Ralph, uid: str) -> list[dict]:
    """The statements of registration `uid` in Ralph, in the order it stored them."""
    found = ralph.statements(registration=uid)
    return sorted(found, key=lambda s: s["stored"])


def test_statements_read_back_from_ralph_equal_what_was_sent(capsys, db_url, ralph):
    db = db_url  # SQLite, then PostgreSQL
    opened = Store.open(db)
    made = [play(opened, strategy="good"), play(opened, seed=4), play(opened, stop_after=2, status="abandoned"),
            play(opened, trainee=None, seed=6)]
    opened.close()
    code, output = export(capsys, ralph, db)
    assert code == 0, output
    assert "Queued 4 sessions" in output and "The queue is empty" in output
    opened = Store.open(db)
    rows = queued(opened)
    opened.close()
    assert output.count(f"Sent {len(rows)} statements") == 1
    for one in made:
        sent = [json.loads(r.statement) for r in rows if json.loads(r.statement)["context"]["registration"] == one["uid"]]
        back = read_back(ralph, one["uid"])
        assert [s["id"] for s in back] == [s["id"] for s in sent], "the same statements, in the same order"
        assert [without_store_fields(s) for s in back] == sent, "ids, verbs, objects, results and context as sent"
    assert [verbs(read_back(ralph, one["uid"]))[-2] for one in made[:2]] == ["passed", "failed"]
    assert verbs(read_back(ralph, made[2]["uid"])) == ["initialized", "answered", "answered", "terminated"]
    guest = read_back(ralph, made[3]["uid"])
    assert {s["actor"]["account"]["name"] for s in guest} == {f"guest-{made[3]['uid']}"}
    everything = json.dumps(ralph.stored(), ensure_ascii=False)
    assert NAME not in everything and REASON not in everything

    before = len(ralph.stored())
    code, output = export(capsys, ralph, db)
    assert code == 0 and "No new session to queue" in output and "Sent 0 statements" in output
    assert len(ralph.stored()) == before == len(rows), "a second export sends nothing again"


def test_ralph_stopped_in_the_middle_of_an_export_loses_and_duplicates_nothing(capsys, db_url, ralph, monkeypatch):
    db = db_url  # SQLite, then PostgreSQL
    opened = Store.open(db)
    made = [play(opened, seed=s) for s in (3, 4, 5)]
    opened.close()
    monkeypatch.setattr(lrs, "BATCH_SIZE", 4)
    monkeypatch.setattr(lrs, "BACKOFF", 0.01)
    real = lrs.send_queue

    def kill_after_the_first_batch(*args, **kwargs):
        return real(*args, after_batch=lambda n: ralph.kill() if n == 1 else None, **kwargs)
    monkeypatch.setattr(lrs, "send_queue", kill_after_the_first_batch)
    code, output = export(capsys, ralph, db)
    assert code == 1, output
    assert "unreachable" in output and "Left in the queue" in output
    opened = Store.open(db)
    rows = queued(opened)
    assert sum(1 for r in rows if r.sent_at) == 4 and len(rows) > 12
    assert all(r.last_error for r in rows[4:8]) and all(r.attempts == 1 for r in rows[4:8])
    opened.close()
    assert len(ralph.stored()) == 4

    monkeypatch.setattr(lrs, "send_queue", real)
    ralph.start()  # the same data folder and port: the same endpoint
    code, output = export(capsys, ralph, db)
    assert code == 0, output
    assert f"Sent {len(rows) - 4} statements" in output and "The queue is empty" in output
    ids = [s["id"] for s in ralph.stored()]
    assert len(ids) == len(set(ids)) == len(rows), "every statement exactly once"
    assert ids == [r.statement_id for r in rows], "in queue order"
    for one in made:
        assert verbs(read_back(ralph, one["uid"]))[0] == "initialized"
        assert verbs(read_back(ralph, one["uid"]))[-1] == "terminated"


def test_a_crash_after_a_post_before_marking_sent_duplicates_nothing_in_ralph(capsys, tmp_path, ralph, monkeypatch):
    db = tmp_path / "records.db"
    opened = Store.open(f"sqlite:///{db}")
    play(opened)
    play(opened, seed=4)
    opened.close()
    monkeypatch.setattr(lrs, "BATCH_SIZE", 4)

    class Crash(Exception):
        pass
    real = lrs.LRSClient.post
    posts = []

    def post_then_crash(self, statements):
        real(self, statements)
        posts.append(len(statements))
        if len(posts) == 2:
            raise Crash("the process died after the store took the batch")
    monkeypatch.setattr(lrs.LRSClient, "post", post_then_crash)
    with pytest.raises(Crash):
        export(capsys, ralph, db)
    capsys.readouterr()
    assert len(ralph.stored()) == 8
    monkeypatch.setattr(lrs.LRSClient, "post", real)
    code, output = export(capsys, ralph, db)
    assert code == 0, output
    opened = Store.open(f"sqlite:///{db}")
    rows = queued(opened)
    opened.close()
    assert f"Sent {len(rows) - 8} statements. 4 were in the store already." in output
    ids = [s["id"] for s in ralph.stored()]
    assert len(ids) == len(set(ids)) == len(rows)
    assert ids == [r.statement_id for r in rows]


def test_since_sends_only_the_sessions_started_on_or_after_that_date(capsys, tmp_path, ralph):
    db = tmp_path / "records.db"
    opened = Store.open(f"sqlite:///{db}")
    old, new = play(opened, seed=3), play(opened, seed=4)
    for made, stamp in ((old, "2026-01-10T10:00:00.000Z"), (new, "2026-03-01T10:00:00.000Z")):
        opened._run("date a session", lambda c, m=made, s=stamp: c.execute(update(sessions).where(
            sessions.c.uid == m["uid"]).values(started_at=s)))
    opened.close()
    code, output = export(capsys, ralph, db, "--since", "2026-02-01")
    assert code == 0 and "Queued 1 session " in output, output
    assert read_back(ralph, old["uid"]) == [] and len(read_back(ralph, new["uid"])) > 0
    assert read_back(ralph, new["uid"])[0]["timestamp"] == "2026-03-01T10:00:00.000Z"
    code, output = export(capsys, ralph, db)
    assert code == 0 and "Queued 1 session " in output
    assert len(read_back(ralph, old["uid"])) > 0


def test_a_wrong_password_is_refused_by_ralph_and_never_shown(capsys, tmp_path, ralph):
    db = tmp_path / "records.db"
    opened = Store.open(f"sqlite:///{db}")
    play(opened)
    opened.close()
    code, output = run_cli(capsys, "--endpoint", ralph.endpoint, "--user", USER, "--password", "not-" + ralph.password,
                           "--db", str(db))
    assert code == 1 and "refused the user name or password (401)" in output
    assert ralph.password not in output and "not-" + ralph.password not in output
    assert ralph.stored() == []


def test_every_statement_passes_ralphs_xapi_models(store, tmp_path):
    venv = ralph_venv()
    made = [play(store), play(store, strategy="good"), play(store, language="es"), play(store, trainee=None),
            play(store, stop_after=2, status="abandoned"), play(store, stop_after=1, status="incomplete"),
            play(store, "crisis-knife-parking-lot", seed=5, undo_at=2, expire=True),
            play(store, "deaf-driver-traffic-stop", seed=2, mode=None)]
    statements = [s for one in made for s in built(store, one["uid"], one["scenario"])]
    statements += built(store, made[0]["uid"], with_scenario=False)
    assert set(verbs(statements)) == set(X.VERBS)
    assert validate_offline(venv, statements, tmp_path / "validate") == []
    broken = json.loads(json.dumps(statements[1]))
    broken["result"]["response"] = ""  # the models refuse empty values: this check can fail
    problems = validate_offline(venv, [broken], tmp_path / "validate")
    assert len(problems) == 1 and "response" in problems[0]
