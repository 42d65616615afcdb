"""Workshop feedback (issue #15): the form a community member fills in after playing, by keyboard, stored
with the session; `parley feedback SCENARIO` summarising it for the scenario's authors as HTML and CSV;
a form that keeps its answers when nothing can be stored; CSV cells a spreadsheet would run neutralised.
Runs on SQLite and, with $PARLEY_TEST_POSTGRES_URL, on PostgreSQL (tests/db_helpers.py)."""
from __future__ import annotations

import csv
import re

import pygame
import pytest

from simulator.cli.main import main
from simulator.content.loader import bundled_scenarios, load_scenario
from simulator.records.store import Store
from tests.ui_helpers import DT, click, make_app, play_to_ending, press, start_scenario, to_library, type_text, wait

PATH = next(p for p in bundled_scenarios() if p.stem == "deaf-driver-traffic-stop")
COLUMNS = ["created_at", "scenario", "scenario_version", "session", "trainee", "realism", "fairness", "respect",
           "change", "comment"]
CHANGE = "Let the driver write a note before the officer asks again"
COMMENT = "Good scene <script>alert('x')</script> & the sign language felt right"
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def play_as_a_room(app, limit: int = 80) -> None:
    """In workshop mode's scene: the first option each time, through the room's vote and any discussion
    prompt when the window asks for them (screens/workshop.py), to the ending."""
    decisions = 0
    while app.top.name != "ending":
        assert decisions < limit, "the scenario did not end"
        top = app.top
        if top.name == "scene":
            press(app, pygame.K_SPACE)
            assert top.phase == "choosing"
            press(app, pygame.K_1)
            decisions += 1
        elif top.name == "vote":
            press(app, pygame.K_1)  # one hand up for the first option
            for _tab in range(len(top.ring.widgets)):
                if top.ring.current.wid == "go-ahead":
                    break
                press(app, pygame.K_TAB)
            press(app, pygame.K_RETURN)
        elif top.name == "discussion":
            press(app, pygame.K_RETURN)
        else:
            pytest.fail(f"unexpected screen {top.name!r} during play")


def to_debrief(app, path=PATH):
    """Workshop mode, `path` played to its ending, the debrief open."""
    to_library(app, mode_key=pygame.K_3)
    assert app.mode == "workshop"
    start_scenario(app, path)
    play_as_a_room(app)
    assert app.top.name == "ending"
    app.top.wait(60)
    wait(app, 1.0)  # keys in the ending's first moments are ignored
    press(app, pygame.K_RETURN)
    assert app.top.name == "debrief"
    return app.top


def open_form(app):
    """Tab to the debrief's feedback button and press Enter."""
    debrief = app.top
    for _tab in range(len(debrief.ring.widgets)):
        if debrief.ring.current.wid == "feedback":
            break
        press(app, pygame.K_TAB)
    assert debrief.ring.current.wid == "feedback"
    press(app, pygame.K_RETURN)
    assert app.top.name == "feedback"
    return app.top


def stored(url: str, scenario_id: str) -> list:
    store = Store.open(url, recover=False)
    try:
        return store.feedback_listing(scenario_id)
    finally:
        store.close()


def read_csv(path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_the_form_by_keyboard_is_stored_and_summarised_for_the_authors(db_url, tmp_path, capsys, monkeypatch):
    app = make_app()
    app.database_url = db_url
    debrief = to_debrief(app)
    scene = debrief.scene
    scenario = scene.session.scenario
    assert scene.recorder.uid  # the session is in the database
    assert "feedback" in [b.wid for b in debrief.ring.widgets]
    form = open_form(app)
    assert app.stack[-2] is debrief  # over the debrief, which it returns to
    assert "Your feedback on this scenario" in form.speech() and "Test Trainee" in form.speech()
    # ratings: a number, the arrows, and 0 to leave one blank
    assert form.ring.current.wid == "realism" and form.ratings["realism"] is None
    press(app, pygame.K_4)
    assert form.ratings["realism"] == 4 and "4 of 5" in form.focus_speech()
    press(app, pygame.K_DOWN)
    assert form.ring.current.wid == "fairness"
    press(app, pygame.K_RIGHT, 2)
    assert form.ratings["fairness"] == 2
    press(app, pygame.K_TAB)
    press(app, pygame.K_5)
    assert form.ratings["respect"] == 5 and "fully respectful" in form.focus_speech()
    press(app, pygame.K_0)
    assert form.ratings["respect"] is None and "not rated" in form.focus_speech()
    press(app, pygame.K_9)  # not on the scale: nothing changes
    assert form.ratings["respect"] is None
    # the two text boxes: digits, spaces and "v" are typed, never taken as keys
    press(app, pygame.K_TAB)
    assert form.ring.current.wid == "change"
    type_text(app, CHANGE[:30])
    press(app, pygame.K_2)
    press(app, pygame.K_SPACE)
    press(app, pygame.K_v)
    assert not app.settings.self_voicing and form.ring.current.wid == "change"
    type_text(app, CHANGE[30:])
    assert form.change.value == CHANGE
    press(app, pygame.K_RETURN)  # Enter moves on to the next question, it does not save
    assert app.top is form and form.ring.current.wid == "comment"
    type_text(app, COMMENT + "!!")
    press(app, pygame.K_BACKSPACE, 2)
    assert form.comment.value == COMMENT
    assert app.audit.problems == []
    press(app, pygame.K_TAB)
    assert form.ring.current.wid == "save"
    press(app, pygame.K_RETURN)
    assert app.top is debrief and debrief.ring.current.wid == "feedback"
    assert app.notice is not None and "saved" in app.notice.text
    # the row, tied to the session and to the trainee's pseudonym
    [row] = stored(db_url, scenario.id)
    assert row.session_uid == scene.recorder.uid
    assert row.scenario_id == scenario.id and row.scenario_version == scenario.version
    assert (row.realism, row.fairness, row.respect) == (4, 2, None)
    assert (row.change, row.comment) == (CHANGE, COMMENT)
    assert re.fullmatch(r"t-[0-9a-f]{10}", row.pseudonym)
    assert STAMP.match(row.created_at)
    # parley feedback, through the command line's own entry point
    html, table = tmp_path / "out" / "fb.html", tmp_path / "out" / "fb.csv"
    html.parent.mkdir()
    capsys.readouterr()
    assert main(["feedback", scenario.id, "--db", db_url, "--html", str(html), "--csv", str(table)]) == 0
    out = capsys.readouterr().out
    assert str(html) in out and str(table) in out
    assert f"1 response on {scenario.id}; median ratings: Realism 4, Fairness 2, Respect -." in out
    rows = read_csv(table)
    assert rows[0] == COLUMNS
    assert rows[1:] == [[row.created_at, scenario.id, scenario.version, scene.recorder.uid, row.pseudonym, "4", "2", "",
                         CHANGE, COMMENT]]
    page = html.read_text(encoding="utf-8")
    assert CHANGE in page
    assert "Good scene &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; the sign language felt right" in page
    assert "<script" not in page
    assert scenario.title.get("en", scenario.language) in page and scenario.version in page
    assert "Test Trainee" not in page and "Test Trainee" not in table.read_text(encoding="utf-8")
    # default names, in the current folder, from the scenario's path
    monkeypatch.chdir(tmp_path)
    assert main(["feedback", str(PATH), "--db", db_url]) == 0
    assert read_csv(tmp_path / f"feedback-{scenario.id}.csv") == rows
    assert CHANGE in (tmp_path / f"feedback-{scenario.id}.html").read_text(encoding="utf-8")
    # opened again, the form is empty: the next participant's
    form = open_form(app)
    assert form.answers() == {"realism": None, "fairness": None, "respect": None, "change": None, "comment": None}


def test_the_button_is_for_workshops_only():
    app = make_app()
    to_library(app, mode_key=pygame.K_1)
    start_scenario(app, PATH)
    play_to_ending(app)
    app.top.wait(60)
    wait(app, 1.0)
    press(app, pygame.K_RETURN)
    assert app.top.name == "debrief" and app.mode == "academy"
    assert "feedback" not in [b.wid for b in app.top.ring.widgets]
    assert "save-report" in [b.wid for b in app.top.ring.widgets]


def test_without_a_database_the_form_says_so_and_keeps_the_answers(tmp_path):
    app = make_app()
    app.database_url = "nosuchdialect://nowhere/parley"  # cannot be opened: sessions go to record files
    debrief = to_debrief(app)
    assert app.record_store() is None and debrief.scene.recorder.uid is None
    form = open_form(app)
    press(app, pygame.K_3)
    press(app, pygame.K_TAB, 3)
    type_text(app, "More time to read")
    press(app, pygame.K_TAB, 2)
    assert form.ring.current.wid == "save"
    press(app, pygame.K_RETURN)
    assert app.top is form  # kept, never lost silently
    assert "could not be stored" in form.problem and "still here" in form.problem
    assert form.answers()["realism"] == 3 and form.answers()["change"] == "More time to read"
    wait(app, 2 * DT)  # the message is drawn above the buttons, clear of them
    assert form.notice is not None and form.notice_y + form.notice.height <= form.buttons[0].rect.top
    assert app.audit.problems == []
    # Escape keeps the draft for the same debrief; Skip forgets it
    press(app, pygame.K_ESCAPE)
    assert app.top is debrief
    form = open_form(app)
    assert form.answers()["realism"] == 3 and form.change.value == "More time to read"
    form.skip()
    assert app.top is debrief
    assert open_form(app).answers()["change"] is None


def test_a_database_error_is_shown_not_raised(db_url):
    app = make_app()
    app.database_url = db_url
    to_debrief(app)
    form = open_form(app)
    press(app, pygame.K_2)
    other = Store.open(db_url, recover=False)  # the trainee is forgotten meanwhile: the session is gone
    try:
        assert other.forget("Test Trainee") is not None
    finally:
        other.close()
    press(app, pygame.K_TAB, 5)
    assert form.ring.current.wid == "save"
    press(app, pygame.K_RETURN)
    assert app.top is form and "could not be stored (" in form.problem and "no session" in form.problem
    assert form.ratings["realism"] == 2
    press(app, pygame.K_RETURN)  # Save again: the same answer, still shown, still not raised
    assert app.top is form and form.problem


def test_the_mouse_works_too_and_nothing_to_save_asks_for_an_answer():
    app = make_app()
    app.database_url = "nosuchdialect://nowhere/parley"
    to_debrief(app)
    form = open_form(app)
    click(app, form.buttons[0].rect.center)  # Save, with nothing to save
    assert app.top is form and "Nothing to save" in form.problem
    click(app, form.screen_rect(form.cyclers[1]).center)  # a click steps a rating
    assert form.ratings["fairness"] == 1 and form.ring.current.wid == "fairness"
    hidden = form.screen_rect(form.comment)
    assert form.scroller.offset == 0 and hidden.bottom > form.inner.bottom  # partly under the buttons at 1280x720
    click(app, (hidden.centerx, min(hidden.bottom - 2, app.surface.get_height() - 2)))
    assert form.ring.current is not form.comment  # a click below the form's area is not the box's
    form.scroller.offset = form.scroller.limit  # the last question in view
    click(app, form.screen_rect(form.comment).center)
    assert form.ring.current is form.comment  # focused, not moved on


@pytest.mark.parametrize("typed, written", [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1 great", "'+1 great"), ("-2 too long", "'-2 too long"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\tindented", "'\tindented"),
    ("\rreturn", "'\nreturn"),  # neutralised (a leading CR), and a line break inside the cell, never a row end
    ("two\r\nlines", "two\nlines"), ("fine = 1", "fine = 1")])
def test_csv_cells_a_spreadsheet_would_run_are_neutralised(typed, written, tmp_path):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    store = Store.open(url)
    try:
        store.add_feedback("deaf-driver-traffic-stop", scenario_version="1.0", realism=1, change=typed,
                           comment="plain words", trainee="=cmd|' /C calc'!A0")
    finally:
        store.close()
    table = tmp_path / "fb.csv"
    assert main(["feedback", "deaf-driver-traffic-stop", "--db", url, "--csv", str(table)]) == 0
    assert not (tmp_path / "feedback-deaf-driver-traffic-stop.html").exists()  # only what was asked for
    [header, row] = read_csv(table)
    cells = dict(zip(header, row))
    assert cells["change"] == written
    assert cells["comment"] == "plain words"
    assert cells["trainee"].startswith("t-")  # a pseudonym, never the typed name
    assert cells["session"] == "" and cells["fairness"] == "" and cells["realism"] == "1"


def test_versions_newest_first_and_the_empty_page(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    scenario = load_scenario(PATH).scenario
    html = tmp_path / "fb.html"
    assert main(["feedback", "deaf-driver-traffic-stop", "--db", url, "--html", str(html)]) == 0
    page = html.read_text(encoding="utf-8")
    assert "No feedback yet" in page and "Responses</dt><dd>0" in page
    assert "No workshop feedback on deaf-driver-traffic-stop yet." in capsys.readouterr().out
    store = Store.open(url)
    try:
        store.add_feedback(scenario.id, scenario_version="0.9", realism=2, fairness=3, change="older suggestion")
        store.add_feedback(scenario.id, scenario_version="0.9", realism=3, comment="older comment")
        store.add_feedback(scenario.id, scenario_version="1.0", realism=5, respect=4, change="newer suggestion")
        store.add_feedback("another-scenario", realism=1, change="not this one")
    finally:
        store.close()
    assert main(["feedback", "deaf-driver-traffic-stop", "--db", url, "--html", str(html)]) == 0
    page = html.read_text(encoding="utf-8")
    assert "0.9 (2 responses), 1.0 (1 response)" in page
    assert "Median ratings by version of the file" in page
    assert page.index("newer suggestion") < page.index("older suggestion")  # newest first
    assert "not this one" not in page and "older comment" in page
    assert "version 0.9" in page and "version 1.0" in page
    # realism 2, 3, 5: counts, median 3, mean 3.3; fairness: one rating, two left blank
    realism = page[page.index("<strong>Realism</strong>"):page.index("<strong>Fairness</strong>")]
    assert [int(n) for n in re.findall(r'<td class="count">(\d+)<', realism)] == [0, 1, 1, 0, 1]
    assert re.search(r'<td class="num">0</td><td class="num"><strong>3</strong></td><td class="num">3\.3</td>', realism)
    fairness = page[page.index("<strong>Fairness</strong>"):page.index("<strong>Respect</strong>")]
    assert re.search(r'<td class="num">2</td><td class="num"><strong>3</strong></td>', fairness)
    assert "3 responses on deaf-driver-traffic-stop; median ratings: Realism 3, Fairness 3, Respect 4." in \
        capsys.readouterr().out


def test_unknown_scenarios_and_databases_are_one_line_errors(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'r.db'}"
    assert main(["feedback", "no-such-scenario", "--db", url]) == 1
    err = capsys.readouterr().err
    assert err.startswith("parley: no scenario file or bundled scenario called 'no-such-scenario'")
    assert len(err.strip().splitlines()) == 1
    assert main(["feedback", "deaf-driver-traffic-stop", "--db", "nosuchdialect://nowhere/parley"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("parley: ") and len(err.strip().splitlines()) == 1
    # a scenario no file has any more, but with feedback stored under its id, is still reported
    store = Store.open(url)
    try:
        store.add_feedback("retired-scenario", scenario_version="2.0", realism=4, comment="kept")
    finally:
        store.close()
    html = tmp_path / "fb.html"
    assert main(["feedback", "retired-scenario", "--db", url, "--html", str(html)]) == 0
    assert "kept" in html.read_text(encoding="utf-8")
