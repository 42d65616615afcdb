"""HTML reports (simulator/records/reports.py): sessions of shipped scenarios played and stored, then their
after-action reviews and a cohort's report read back: sections, no ids, escaping, inline SVG charts with
real text, nothing fetched from anywhere; `parley report`'s errors; the window's Save report; and the
pages as a real browser (headless Chromium) builds them."""
from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path

import pytest

from simulator.content.loader import bundled_scenarios, load_scenario
from simulator.engine.session import Session
from simulator.records import reports
from simulator.records.database import DatabaseError
from simulator.records.recorder import SessionRecorder, score_report
from simulator.records.store import ABANDONED, Store
from tests.db_helpers import postgres_database
from tests.ui_helpers import ids_shown

SCRIPT_NAME = "<script>alert(1)</script>"
SCENARIO_IDS = ("crisis-knife-parking-lot", "deaf-driver-traffic-stop", "kirpan-transit-stop", "welfare-check-mistrust")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def _scenario(name: str):
    path = next(p for p in bundled_scenarios() if p.stem == name)
    return path, load_scenario(path).scenario


def _play(store, name: str, seed: int, trainee, cohort, *, skill: float = 0.5, stop: int | None = None):
    """Play a bundled scenario (good options with probability `skill`, else any) and record it; `stop`
    after that many decisions leaves it unfinished. Returns the recorder."""
    path, scenario = _scenario(name)
    session = Session(scenario, seed=seed)
    recorder = SessionRecorder(store, session, trainee=trainee, mode="academy", source=path.name, cohort=cohort)
    rng = random.Random(seed)
    while not session.ended and (stop is None or len([e for e in session.log if e["type"] == "choice_made"]) < stop):
        shown = session.presented()
        good = [c for c in shown if c.grade == "good"]
        session.choose((rng.choice(good) if good and rng.random() < skill else rng.choice(shown)).id, elapsed=3.5)
        recorder.sync()
    return recorder


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def records(request, tmp_path_factory):
    """On SQLite, then on PostgreSQL: a records database with sessions of four shipped scenarios by three trainees of one cohort (one of
    them named like an attack), an outsider in another cohort, one trainee in both, an abandoned session,
    one left unfinished and one stored without a report."""
    folder = tmp_path_factory.mktemp("reports")
    patch = pytest.MonkeyPatch()
    patch.setenv("PARLEY_CACHE_DIR", str(folder / "cache"))
    patch.setenv("PARLEY_DATA_DIR", str(folder / "data"))
    server = None
    if request.param == "postgresql":
        server = postgres_database()
        url = server.__enter__()
    else:
        url = f"sqlite:///{folder / 'parley.db'}"
    store = Store.open(url)
    uids = {}
    for i, name in enumerate(SCENARIO_IDS):
        for j, trainee in enumerate(("Ana", "Bo", SCRIPT_NAME)):
            recorder = _play(store, name, seed=10 * i + j, trainee=trainee, cohort="Academy 12", skill=0.3 + 0.3 * j)
            recorder.finish()
            uids[(name, trainee)] = recorder.uid
    outsider = _play(store, SCENARIO_IDS[0], seed=99, trainee="Olga", cohort="Night class", skill=1.0)
    outsider.finish()
    store.add_to_cohort("Night class", ["Bo"])  # Bo is in both cohorts
    abandoned = _play(store, SCENARIO_IDS[1], seed=5, trainee="Ana", cohort="Academy 12", stop=2)
    abandoned.finish(ABANDONED, "the trainee restarted the scenario")
    unfinished = _play(store, SCENARIO_IDS[2], seed=6, trainee="Bo", cohort="Academy 12", stop=3)
    path, scenario = _scenario(SCENARIO_IDS[3])
    session = Session(scenario, seed=7)
    lost = SessionRecorder(store, session, trainee="Ana", mode="text", source=path.name, cohort="Academy 12")
    while not session.ended:
        session.choose(session.presented()[0].id, elapsed=2.0)
    store.finish(lost.uid, session.log, "complete", report=None, report_problem="the scenario changed since")
    yield {"store": store, "url": url, "uids": uids, "outsider": outsider.uid, "abandoned": abandoned.uid,
           "unfinished": unfinished.uid, "no_report": lost.uid, "folder": folder}
    store.close()
    if server is not None:
        server.__exit__(None, None, None)
    patch.undo()


class _Page(HTMLParser):
    """Reads a page strictly: every element closed in order (void ones excepted), the visible text, and
    each element's tag and attributes."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.problems, self.text, self.elements = [], [], [], []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)
        if tag in ("style", "title"):
            self._skip += 1

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()
        if tag in ("style", "title"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    assert html.startswith("<!DOCTYPE html>")
    assert not page.problems, page.problems[:5]
    assert page.stack == [], page.stack
    return page


def assert_self_contained(html: str, page: _Page) -> None:
    """Charts are inline SVG with real text; nothing is fetched (no script, image, link, frame or URL)."""
    assert "http://" not in html and "https://" not in html
    assert "<script" not in html.lower() and "@import" not in html and "url(http" not in html
    for tag, attrs in page.elements:
        assert tag not in ("script", "img", "link", "iframe", "object", "embed"), tag
        assert not attrs.get("src"), (tag, attrs)
        href = attrs.get("href")
        assert href is None or href.startswith("#"), (tag, href)
    ids = [attrs["id"] for _tag, attrs in page.elements if "id" in attrs]
    assert len(ids) == len(set(ids)), "an id is used twice"
    for svg in re.findall(r"<svg.*?</svg>", html, re.S):
        assert "<text" in svg and "<path" in svg and "viewBox" in svg


def section_ids(page: _Page) -> set[str]:
    return {attrs["id"] for tag, attrs in page.elements if tag == "section" and "id" in attrs}


# --- session reports ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", SCENARIO_IDS)
def test_a_session_report_is_a_full_after_action_review(records, name):
    store = records["store"]
    uid = records["uids"][(name, "Bo")]
    html = reports.session_report_html(store, uid[:8])
    page = parse(html)
    assert_self_contained(html, page)
    row = store.find(uid)
    report = json.loads(row.report)
    text = " ".join(page.text)
    assert {"summary", "chart", "decisions", "errors", "competencies", "their-side", "objectives"} <= section_ids(page)
    assert html.count("<svg") == 1 and 'class="chart-svg"' in html
    _path, scenario = _scenario(name)
    assert not ids_shown(text, scenario)
    assert scenario.title.get("en", "en") in text and "Bo" in text and row.pseudonym in text and "Academy 12" in text
    assert report["summary"]["result_words"] in text and report["result_rule"] in html.replace("&#39;", "'")
    plain = " ".join(text.split())
    for line in report["summary"]["takeaways"] + report["summary"]["questions"]:
        assert " ".join(line.split()) in plain
    for g in report["graded"]:  # every decision in order, by its scene and its text
        assert " ".join(g["scene"].split()) in plain and " ".join(g["text"].split()) in plain
    for c in report["competencies"]:
        assert c["name"] in plain
    for k in report["key_decisions"]:
        if (k.get("better") or {}).get("text"):
            assert " ".join(k["better"]["text"].split()) in plain
    for tier, rows in (("critical", report["critical_errors"]), ("major", report["major_errors"]),
                       ("mistake", report["mistakes"])):
        for e in rows:
            assert " ".join(e["scene"].split()) in plain
    chart = re.search(r"<svg.*?</svg>", html, re.S).group()
    for level in scenario.behaviour.level_names:  # the distress levels are named on the chart
        assert level in chart
    assert re.search(r">\s*1\s*<", chart)  # decisions are numbered on the chart


def test_a_display_name_is_escaped_everywhere(records):
    store = records["store"]
    html = reports.session_report_html(store, records["uids"][(SCENARIO_IDS[0], SCRIPT_NAME)])
    assert SCRIPT_NAME not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    cohort = reports.cohort_report_html(store, "Academy 12")
    assert SCRIPT_NAME not in cohort and "&lt;script&gt;alert(1)&lt;/script&gt;" in cohort
    assert_self_contained(cohort, parse(cohort))


@pytest.mark.parametrize("which, says", [("abandoned", "abandoned before its end"),
                                         ("unfinished", "still in progress"),
                                         ("no_report", "There is no score report for this session")])
def test_unfinished_and_unreported_sessions_still_render_and_say_so(records, which, says):
    html = reports.session_report_html(records["store"], records[which])
    page = parse(html)
    assert_self_contained(html, page)
    text = " ".join(" ".join(page.text).split())
    assert says in text
    assert "chart" in section_ids(page) and "decisions" in section_ids(page)
    if which == "no_report":  # the log's decisions, by scene and text, without grades
        assert "the scenario changed since" in text and "competencies" not in section_ids(page)
        assert 'class="decision"' in html and "Not graded" in html
        _path, scenario = _scenario(SCENARIO_IDS[3])
        assert not ids_shown(text, scenario)


def test_render_session_report_needs_no_database():
    path, scenario = _scenario("kirpan-transit-stop")
    session = Session(scenario, seed=3)
    while not session.ended:
        session.choose(session.presented()[-1].id, elapsed=1.0)
    report, problem = score_report(scenario, session.log)
    assert problem is None
    bare = reports.render_session_report({}, report, session.log)  # nothing known but the report
    page = parse(bare)
    assert_self_contained(bare, page) and "decisions" in section_ids(page)
    log_only = reports.render_session_report({}, None, session.log)  # not even a report: the log's shape
    assert "<svg" in log_only and "There is no score report" in log_only
    full = reports.render_session_report(reports.session_meta({"status": "complete", "mode": "workshop"}, scenario,
                                                              session.log), report, session.log)
    assert "Guest" in full and "Workshop" in full and scenario.title.get("en", "en") in full
    assert not ids_shown(" ".join(parse(full).text), scenario)


def test_reports_follow_the_interface_language(records):
    from simulator import i18n
    try:
        i18n.set_language("es")
        html = reports.session_report_html(records["store"], records["uids"][(SCENARIO_IDS[1], "Ana")])
        assert '<html lang="es">' in html
        assert i18n._("Academy") in html and i18n._("Academy") != "Academy"
    finally:
        i18n.set_language("en")


# --- cohort reports ----------------------------------------------------------------------------------
def test_a_cohort_report_counts_its_members_sessions(records):
    store = records["store"]
    html = reports.cohort_report_html(store, "Academy 12")
    page = parse(html)
    assert_self_contained(html, page)
    assert {"competencies", "pass-rates", "missed", "progress"} <= section_ids(page)
    assert html.count("<svg") == 3  # competencies, pass rates, progress
    text = " ".join(" ".join(page.text).split())
    # 12 completed, graded sessions of its three members; the abandoned, unfinished and unreported are not
    assert re.search(r"Sessions counted\s*12\b", text) and re.search(r"Sessions not counted\s*3\b", text)
    assert "Olga" not in text  # not a member
    for name in SCENARIO_IDS:
        assert _scenario(name)[1].title.get("en", "en") in text
    assert "Information and threat assessment" in text
    for name in SCENARIO_IDS:
        assert not ids_shown(text, _scenario(name)[1])
    night = reports.cohort_report_html(store, "Night class")  # Bo counts in both cohorts
    night_text = " ".join(" ".join(parse(night).text).split())
    assert "Olga" in night_text and "Bo" in night_text and re.search(r"Sessions counted\s*5\b", night_text)


def test_the_most_missed_decisions_name_scenes_and_the_usual_wrong_choice(records):
    from markupsafe import escape
    store = records["store"]
    data = reports.cohort_data(store, "Academy 12")
    html = reports.render_cohort_report(data)
    section = re.search(r'<section id="missed">.*?</section>', html, re.S).group()
    first_row = re.search(r"<tbody>\s*<tr>(.*?)</tr>", section, re.S).group(1)
    wrong = {}
    for scenario_id, node, text, n in data["wrong"]:
        wrong.setdefault((scenario_id, node), []).append((-n, text))
    assert wrong, "the sessions made some mistakes"
    most = max(sum(-n for n, _t in rows) for rows in wrong.values())
    matches = []
    for (scenario_id, node), rows in wrong.items():
        if sum(-n for n, _t in rows) != most:
            continue
        scenario = _scenario(scenario_id)[1]
        label = scenario.nodes[scenario.target_index[node]].label.get("en", "en")
        usual = min(rows)[1]  # the most common wrong choice (ties: the first by text)
        if str(escape(label)) in first_row and str(escape(" ".join(usual.split()))) in first_row:
            matches.append(node)
            assert re.search(rf">{most} of \d+ \(\d+%\)<", first_row)
    assert matches, first_row
    words = re.sub(r"<[^>]+>", " ", section)
    for scenario_id in {s for s, _node in wrong}:
        assert not ids_shown(words, _scenario(scenario_id)[1])


def test_an_unknown_cohort_is_a_report_error(records):
    with pytest.raises(reports.ReportError, match="no cohort called 'Nobody'.*Academy 12"):
        reports.cohort_report_html(records["store"], "Nobody")


def test_the_cohort_report_reads_only_the_summary_tables_and_stays_fast(tmp_path):
    """3,000 sessions whose report JSON is unreadable: the cohort report is made from the summary tables
    alone, with SQL aggregation, in well under the 5 s budget."""
    from sqlalchemy import insert

    from simulator.records.schema import cohort_members, cohorts, session_decisions, session_scores, sessions, trainees
    store = Store.open(f"sqlite:///{tmp_path / 'big.db'}")
    rng = random.Random(4)
    with store.engine.begin() as c:
        cid = c.execute(insert(cohorts).values(name="Big", created_at="2026-09-01T00:00:00.000Z")).inserted_primary_key[0]
        for t in range(30):
            c.execute(insert(trainees).values(id=t + 1, pseudonym=f"t-{t:010x}", display_name=f"Trainee {t}",
                                              created_at="2026-09-01T00:00:00.000Z"))
            c.execute(insert(cohort_members).values(cohort_id=cid, trainee_id=t + 1, added_at="2026-09-01T00:00:00.000Z"))
        rows, scores, decisions = [], [], []
        for s in range(1, 3001):
            overall = rng.randrange(0, 101)
            day = f"2026-{9 + s % 3:02d}-{1 + s % 28:02d}T10:00:00.000Z"
            rows.append(dict(id=s, uid=str(uuid.UUID(int=rng.getrandbits(128))), trainee_id=1 + s % 30,
                             scenario_id=SCENARIO_IDS[s % 4], scenario_version="1", content_hash="x", source="x.yaml",
                             seed=s, mode="academy", settings="{}", started_at=day, updated_at=day, ended_at=day,
                             status="complete", events=0, decisions=3, result="pass" if overall >= 75 else "fail",
                             overall=overall, duration=30.0, report="{not json"))
            scores += [{"session_id": s, "competency": f"c{k}", "name": f"Competency {k}",
                        "score": rng.choice([None, 0, 50, 80, 100])} for k in range(11)]
            decisions += [{"session_id": s, "position": k, "node": f"node-{k}", "scene": f"Scene {k}", "choice": "x",
                           "text": rng.choice(["Shout", "Wait"]), "t": 3.0 * k, "timer": False,
                           "grade": rng.choice(["good", "mistake", "major", "critical"]), "points": 12.0}
                          for k in range(1, 4)]
        c.execute(insert(sessions), rows)
        c.execute(insert(session_scores), scores)
        c.execute(insert(session_decisions), decisions)
    started = time.perf_counter()
    html = reports.cohort_report_html(store, "Big")
    seconds = time.perf_counter() - started
    store.close()
    assert re.search(r"Sessions counted</dt><dd>3000<", html)
    assert "Trainee 29" in html and "Scene 1" in html and "Competency 10" in html
    assert seconds < 5, f"{seconds:.2f} s"


# --- the command line -------------------------------------------------------------------------------
def run_cli(argv, capsys):
    from simulator.cli.main import main
    status = main(argv)
    out, err = capsys.readouterr()
    return status, out, err


def test_parley_report_writes_to_the_data_folder_and_says_where(records, capsys, monkeypatch):
    from simulator.paths import data_dir
    uid = records["uids"][(SCENARIO_IDS[2], "Ana")]
    status, out, err = run_cli(["report", "session", uid[:6], "--db", records["url"]], capsys)
    assert status == 0 and err == ""
    path = data_dir() / "reports" / f"session-{uid}.html"  # the name `parley forget` deletes
    assert str(path) in out and path.is_file() and (path.stat().st_mode & 0o077) == 0
    status, out, err = run_cli(["report", "cohort", "Academy 12", "--db", records["url"]], capsys)
    assert status == 0 and (data_dir() / "reports" / "cohort-Academy-12.html").is_file()
    target = data_dir() / "mine.html"
    status, out, err = run_cli(["report", "cohort", "Academy 12", "-o", str(target), "--db", records["url"]], capsys)
    assert status == 0 and str(target) in out and "<svg" in target.read_text(encoding="utf-8")


@pytest.mark.parametrize("argv, says", [
    (["report", "session", "ffffffff"], "no session has the id"),
    (["report", "cohort", "Nobody"], "no cohort called"),
    (["report", "session", "abc"], "no session has the id"),
])
def test_parley_report_errors_are_one_line_and_status_1(records, capsys, argv, says):
    status, out, err = run_cli(argv + ["--db", records["url"]], capsys)
    assert status == 1 and out == ""
    assert err.startswith("parley: ") and says in err and err.count("\n") == 1 and "Traceback" not in err


def test_an_ambiguous_prefix_and_an_unwritable_output_are_errors(records, capsys, tmp_path):
    store = records["store"]
    path, scenario = _scenario(SCENARIO_IDS[0])
    for uid in ("abcd1234-0000-4000-8000-000000000001", "abcd1234-0000-4000-8000-000000000002"):
        store.start(Session(scenario, seed=1), trainee=None, mode="text", source=path.name, uid=uid)
    status, out, err = run_cli(["report", "session", "abcd1234", "--db", records["url"]], capsys)
    assert status == 1 and "more than one session" in err and err.count("\n") == 1
    uid = records["uids"][(SCENARIO_IDS[0], "Ana")]
    for target in (tmp_path, tmp_path / "missing" / "r.html"):
        status, out, err = run_cli(["report", "session", uid, "-o", str(target), "--db", records["url"]], capsys)
        assert status == 1 and err.startswith("parley: ") and err.count("\n") == 1
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if not os.access(locked, os.W_OK):  # root can write anywhere
            status, out, err = run_cli(["report", "session", uid, "-o", str(locked / "r.html"), "--db",
                                        records["url"]], capsys)
            assert status == 1 and "cannot write" in err and err.count("\n") == 1
    finally:
        locked.chmod(0o700)
    status, out, err = run_cli(["report", "trainee", "x", "--db", records["url"]], capsys)
    assert status == 2 and "Traceback" not in err


def test_a_database_that_cannot_be_opened_is_one_line(capsys, tmp_path):
    status, out, err = run_cli(["report", "session", "abcd", "--db", "nosuchdriver://x"], capsys)
    assert status == 1 and err.startswith("parley: ") and err.count("\n") == 1


def test_the_stores_errors_are_database_errors(records):
    with pytest.raises(DatabaseError):
        reports.session_report_html(records["store"], "zzzzzzzz")


# --- in a real browser ------------------------------------------------------------------------------
def chromium() -> str:
    """The headless browser, or skip (locally) / fail (in CI, which installs it) saying what is missing."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    message = "chromium is not installed (apt-get install -y chromium), so reports are not checked in a browser"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def browse(browser: str, page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                           "--disable-background-networking", "--disable-component-update", "--disable-sync",
                           f"--user-data-dir={profile}", *extra, page.as_uri()],
                          capture_output=True, text=True, timeout=60)


def test_a_browser_builds_the_charts_and_tables(records, tmp_path):
    browser = chromium()
    session = tmp_path / "session.html"
    reports.write_report(session, reports.session_report_html(records["store"], records["uids"][(SCENARIO_IDS[0], "Ana")]))
    cohort = tmp_path / "cohort.html"
    reports.write_report(cohort, reports.cohort_report_html(records["store"], "Academy 12"))
    dom = browse(browser, session, tmp_path / "profile1", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count("<svg") == 1 and "<text" in dom.stdout and 'id="decisions"' in dom.stdout
    assert "<table" in dom.stdout and "<parsererror" not in dom.stdout
    dom = browse(browser, cohort, tmp_path / "profile2", "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count("<svg") == 3 and dom.stdout.count("<table") == 4
    pdf = tmp_path / "cohort.pdf"
    printed = browse(browser, cohort, tmp_path / "profile3", "--no-pdf-header-footer", f"--print-to-pdf={pdf}")
    assert printed.returncode == 0 and pdf.read_bytes()[:5] == b"%PDF-"
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes()))
    assert 2 <= pages <= 12, pages


# --- the window's debrief ---------------------------------------------------------------------------
def test_the_debrief_saves_the_report_and_says_where(monkeypatch):
    import pygame

    from simulator.paths import data_dir
    from tests.ui_helpers import make_app, play_to_ending, press, start_scenario, to_library, wait, widget
    path = next(p for p in bundled_scenarios() if p.stem == "kirpan-transit-stop")
    app = make_app()
    spoken = []
    monkeypatch.setattr(app, "speak", lambda text, *a, **k: spoken.append(text))
    to_library(app)
    start_scenario(app, path)
    play_to_ending(app, lambda n: n)
    assert app.top.name == "ending"
    app.top.wait(60)
    wait(app, 1.0)
    press(app, pygame.K_RETURN)
    debrief = app.top
    assert debrief.name == "debrief"
    button = widget(app, "save-report")
    debrief.ring.focus(button)
    press(app, pygame.K_RETURN)
    debrief._saving.join(60)
    wait(app, 0.1)
    saved = [t for t in spoken if t.startswith("Report saved: ")]
    assert saved, spoken
    written = Path(saved[0][len("Report saved: "):])
    assert written.parent == data_dir() / "reports" and written.name.startswith("session-")
    recorder = getattr(debrief.scene, "recorder", None)
    if getattr(recorder, "uid", None) and getattr(recorder, "store", None):
        assert written.name == f"session-{recorder.uid}.html"
    html = written.read_text(encoding="utf-8")
    assert "<svg" in html and "<text" in html and "Test Trainee" in html
    assert debrief.report["summary"]["result_words"] in html
    assert app.notice is not None and app.audit.problems == []


def test_the_reports_fallback_path_drops_one_decision_per_undo_and_keeps_injects_apart():
    """A session with no score report is shown from its log (records/path.py): an undo takes back one
    decision, whatever its `steps` (the decisions count it returns to), as grading's trace does."""
    from scoring.trace import read_trace
    from simulator.engine.session import SessionOptions
    from simulator.records.path import final_path
    scenario = load_scenario(bundled_scenarios()[0]).scenario
    session = Session(scenario, seed=5, options=SessionOptions(allow_undo=True))
    for _step in range(3):
        session.choose(session.presented()[0].id, elapsed=1.0)
    session.undo(reason="try another", elapsed=0.5)  # back to 2 decisions: its event says steps=2
    assert session.log[-1]["steps"] == 2
    path = final_path(session.log)
    trace = read_trace(scenario, session.log)
    assert [d.choice for d in path] == [d.choice for d in trace.decisions] and len(path) == 2
    assert [d.post for d in path] == [(d.post[0], d.post[1]) for d in trace.decisions]
    timeline = reports._timeline_from_log({}, session.log)
    assert [e["choice"] for e in timeline if e["kind"] == "choice"] == [d.choice for d in path]
