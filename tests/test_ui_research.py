"""A research participant's run in the window (SDL dummy driver): the protocol's questions, every assigned
part with the protocol's options, seed and variant, latencies from when the options appear, then the
export's rows for that participant."""
from __future__ import annotations

import csv
import io

import pygame
import pytest

from simulator.content.protocol import assign, load_protocol
from simulator.records.research import research_rows
from simulator.records.store import Store
from simulator.ui.app import App
from simulator.ui.research import ResearchRun
from simulator.ui.settings import Settings
from tests.ui_helpers import DT, press, type_text, wait

from .conftest import ROOT

PROTOCOL = ROOT / "scenarios" / "protocols" / "communication-access-study.yaml"
THINK = 0.5  # seconds the participant looks at the options before pressing a number


@pytest.fixture
def protocol():
    result = load_protocol(PROTOCOL)
    assert result.protocol is not None, [d.format() for d in result.diagnostics]
    return result.protocol


def research_app(protocol, store, code):
    app = App(Settings(sound=False), size=(1280, 720), seed=1)
    enrolment = store.research_enrol(protocol.id, protocol.sha256, code)
    app.research = ResearchRun(app, protocol, code, store, enrolment)
    app.mode, app.trainee = "research", code
    app.research.next()
    app.step(DT)
    return app, enrolment


def answer_pre_questions(app):
    assert app.top.name == "research question" and app.top.question.id == "years-service"
    type_text(app, "12")  # 0-40: typed
    press(app, pygame.K_RETURN)
    assert app.top.question.id == "access-training"
    press(app, pygame.K_2)  # the second option
    assert app.top.question.id == "confidence-pre"
    press(app, pygame.K_ESCAPE)  # Escape does not leave a study half answered
    assert app.top.question.id == "confidence-pre"
    press(app, pygame.K_DOWN, times=3)  # 1-7 on buttons: the fourth is 4
    press(app, pygame.K_RETURN)


def play_part(app, protocol):
    """Space, a pause to read the options, then the first option, to the ending; Continue."""
    assert app.top.name == "briefing"
    assert [w.wid for w in app.top.ring.widgets] == ["Begin"]  # no library, no choice of who the people are
    press(app, pygame.K_RETURN)
    scene = app.top
    assert scene.name == "scene"
    while app.top is scene:
        press(app, pygame.K_SPACE)
        wait(app, THINK)
        press(app, pygame.K_1)
    assert app.top.name == "ending"
    app.top.wait(60)
    wait(app, 1.0)
    assert [w.wid for w in app.top.ring.widgets] == ["continue"]  # protocol: no debrief between parts
    press(app, pygame.K_RETURN)
    return scene


def test_a_participant_answers_plays_each_part_and_is_exported(protocol, db_url):
    store = Store.open(db_url)
    try:
        app, enrolment = research_app(protocol, store, "P101")
        answer_pre_questions(app)
        scenes = [play_part(app, protocol) for _part in assign(protocol, enrolment.position)]
        assert app.top.name == "research question" and app.top.phase == "post"
        press(app, pygame.K_DOWN, times=5)
        press(app, pygame.K_RETURN)  # confidence-post = 6
        press(app, pygame.K_RETURN)  # realism = 1 (the first button)
        assert app.top.question.id == "comment"
        type_text(app, "=cmd|' /C calc'!A0 the second driver felt real")
        press(app, pygame.K_RETURN)
        assert app.top.name == "research thanks"
        press(app, pygame.K_RETURN)
        assert not app.running

        plays = assign(protocol, enrolment.position)
        for scene, play in zip(scenes, plays):
            entry = protocol.scenarios[play.index - 1]
            log = scene.session.log
            assert log[0]["seed"] == play.seed and log[0]["scenario"].get("variant") == (
                play.variant or entry.scenario.variant)
            assert log[0]["options"]["shuffle"] is protocol.shuffle and log[0]["options"]["allow_undo"] is False
            assert log[0]["options"]["timer_scale"] == protocol.timer_scale
            assert all(e["actor"] == {"role": "participant", "id": "P101"}
                       for e in log if e["type"] in ("choice_made", "choices_shown"))
            row = store.find(scene.recorder.uid)
            assert row.status == "complete" and row.mode == "research" and row.report
        answers = store.research_answers(enrolment.participant)
        assert answers[("pre", "years-service")] == "12" and answers[("pre", "access-training")] == "some"
        assert answers[("pre", "confidence-pre")] == "4" and answers[("post", "confidence-post")] == "6"
        assert answers[("post", "realism")] == "1"

        export = research_rows(store, protocol)
        rows = [dict(zip(export.header, r)) for r in export.rows if r[export.header.index("participant")] == "P101"]
        decisions = [(scene, e) for scene in scenes for e in scene.session.log if e["type"] in ("choice_made",
                                                                                               "timer_expired")]
        assert len(rows) == len(decisions)
        for row, (scene, event) in zip(rows, decisions):
            log = scene.session.log
            shown = [e for e in log[:event["seq"]] if e["type"] == "choices_shown"][-1]
            if event["type"] == "choice_made":
                expected = round((event["elapsed"] - shown["after"]) * 1000)
                assert row["latency_ms"] == expected
                assert abs(expected - (THINK + DT) * 1000) <= 2 * DT * 1000  # the pause, to a frame
            else:
                assert row["latency_ms"] is None
            assert row["choice"] == event["choice"] and row["session_status"] == "complete"
            assert row["pre_years-service"] == "12" and row["post_comment"].startswith("=cmd")
        from simulator.records.csv_export import _csv
        text = _csv(export.header, export.rows).decode("utf-8")
        cells = list(csv.reader(io.StringIO(text)))
        comment = cells[1][cells[0].index("post_comment")]
        assert comment.startswith("'=cmd")  # neutralised in the file
    finally:
        store.close()


def test_stopping_in_the_pause_menu_keeps_the_part_and_the_next_run_resumes_it(protocol, db_url):
    store = Store.open(db_url)
    try:
        app, enrolment = research_app(protocol, store, "P102")
        answer_pre_questions(app)
        press(app, pygame.K_RETURN)  # Begin the first part
        scene = app.top
        press(app, pygame.K_SPACE)
        press(app, pygame.K_1)
        press(app, pygame.K_ESCAPE)
        assert app.top.name == "pause" and [w.wid for w in app.top.ring.widgets] == ["Resume", "Stop"]
        press(app, pygame.K_2)
        assert not app.running
        assert store.find(scene.recorder.uid).status == "abandoned"
        again, same = research_app(protocol, store, "P102")
        assert same.position == enrolment.position and not same.new
        assert again.top.name == "briefing"  # the questions were answered: straight to the unfinished part
        assert again.research.current.index == assign(protocol, enrolment.position)[0].index
    finally:
        store.close()
