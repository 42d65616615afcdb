"""The scene and the ending in the real window (dummy driver): keys that must not act, timers that say
they ran out, names the trainee knows, each person's own face, and a layout that keeps faces whole."""
from __future__ import annotations

import dataclasses

import pygame
import pytest

from simulator.content.loader import bundled_scenarios
from simulator.ui.screens.ending import QUIET_SECONDS
from simulator.ui.screens.scene import SceneScreen
from simulator.ui.staging import art_jobs, ellipsize, short_name
from tests.conftest import FIXTURES
from tests.ui_helpers import DT, make_app, play_to_ending, press, start_scenario, to_library, wait

STAGED = """
characters:
  sam: {name: "Sam Okafor-Lindqvist", role: subject, known_as: "The driver", name_known_when: "notes >= 1"}
  kim: {name: "Officer Kim Reyes", role: partner, portrait: portraits/sam-reyes}
  pat: {name: "Pat", role: bystander, portrait: portraits/leo-lindqvist, expression_from: notes}
  dee: {name: "Dee", role: bystander, portrait: portraits/daniel-tran}
"""


def staged_fixture(tmp_path, timed: int = 0):
    """minimal.yaml with named-later people, staging and `{officer}`; with `timed`, a chain of that
    many timed scenes whose timers run out one after another into the ending."""
    text = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")
    start = text.index("characters:")
    end = text.index("state:")
    text = text[:start] + STAGED.lstrip("\n") + text[end:]
    text = text.replace('narrative: "Sam looks at you."', 'narrative: "Sam looks at you."\n    present: [sam, kim, pat]')
    text = text.replace('narrative: "Sam stands by the car."',
                        'narrative: "Sam stands by the car. Your name tape reads {officer}."\n'
                        '    present: [sam, kim, pat, dee]\n'
                        '    staging: {kim: {where: in-car}, dee: {where: on-phone, expression: upset}}')
    if timed:  # first -> chain-1 -> ... -> chain-N: timers out to the next, the last to the ending
        first, rest = text.split("  second:\n", 1)
        chain = []
        for i in range(1, timed + 1):
            out = f"chain-{i + 1}" if i < timed else "calm-end"
            on = f"chain-{i + 1}" if i < timed else "second"
            chain.append(f"""  chain-{i}:
    label: "Chain {i}"
    narrative: "Moment {i} of the chain."
    timer:
      seconds: 2
      expire: {{id: chain-{i}-timeout, text: "Hesitation number {i}.", grade: mistake, against: [time-distance-cover], next: {out}}}
    choices:
      - {{id: chain-{i}-go, text: "Go on.", tags: [explain-reason], grade: good, next: {on}}}
""")
        text = first.replace("next: second", "next: chain-1") + "".join(chain) + "  second:\n" + rest
    path = tmp_path / "staged.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def choose(app, scene, choice_id: str) -> None:
    """Take the option `choice_id` by its number key (options are shown in a shuffled order)."""
    if scene.phase != "choosing":
        press(app, pygame.K_SPACE)
    number = next(b.number for b in scene.buttons_all if b.wid == choice_id)
    press(app, getattr(pygame, f"K_{number}"))


def open_scene(app, path):
    to_library(app)
    press(app, pygame.K_RETURN)  # Start (the scenario given on the command line is chosen)
    press(app, pygame.K_RETURN)  # Begin
    assert app.top.name == "scene"
    return app.top


# --- 1. keys held over from the last choice ------------------------------------------------------

def test_space_and_early_keys_never_leave_the_ending():
    app = make_app()
    to_library(app)
    start_scenario(app, bundled_scenarios()[0])
    play_to_ending(app)
    ending = app.top
    assert ending.name == "ending"
    ending.wait(60)
    press(app, pygame.K_RETURN)  # pressed on from the last choice: within the quiet time, ignored
    press(app, pygame.K_1)
    press(app, pygame.K_2)
    assert app.top is ending
    wait(app, QUIET_SECONDS)
    for _time in range(5):
        press(app, pygame.K_SPACE)  # Space reads on (scrolls); it never activates a button
    assert app.top is ending and ending.ring.current.wid == "debrief"
    press(app, pygame.K_RETURN)  # a deliberate Enter on the focused button
    assert app.top.name == "debrief"


def test_a_key_held_down_across_the_change_does_not_act_on_the_ending(tmp_path):
    path = staged_fixture(tmp_path)
    app = make_app(scenario_path=path)
    scene = open_scene(app, path)
    choose(app, scene, "listen")
    choose(app, scene, "shout")
    press(app, pygame.K_SPACE)
    scene.ring.focus(next(b for b in scene.buttons_all if b.wid == "leave"))  # it ends the scenario
    # hold Enter down: the first KEYDOWN takes the focused choice, the rest are SDL's repeats
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RETURN, mod=0, unicode="", scancode=0))
    app.step(DT)
    ending = app.top
    assert ending.name == "ending"
    ending.wait(60)
    for _frame in range(round(2 * QUIET_SECONDS / DT)):  # repeats every frame, well past the quiet time
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RETURN, mod=0, unicode="", scancode=0))
        app.step(DT)
    assert app.top is ending
    pygame.event.post(pygame.event.Event(pygame.KEYUP, key=pygame.K_RETURN, mod=0, unicode="", scancode=0))
    app.step(DT)
    press(app, pygame.K_RETURN)  # released and pressed again: deliberate
    assert app.top.name == "debrief"


def test_a_held_number_key_does_not_choose_again_in_the_next_moment():
    app = make_app(reduced_motion=True)  # the choices are there at once: a repeat could take one
    to_library(app)
    start_scenario(app, bundled_scenarios()[0])
    scene = app.top
    for _frame in range(40):  # "1" held down: one choice, then only repeats
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_1, mod=0, unicode="", scancode=0))
        app.step(DT)
    assert [e["type"] for e in scene.session.log].count("choice_made") == 1
    pygame.event.post(pygame.event.Event(pygame.KEYUP, key=pygame.K_1, mod=0, unicode="", scancode=0))
    press(app, pygame.K_1)
    assert [e["type"] for e in scene.session.log].count("choice_made") == 2


# --- 2. timers that run out say so ------------------------------------------------------------------

def test_three_timeouts_in_a_row_are_each_announced_and_the_ending_says_so_too(tmp_path, monkeypatch):
    path = staged_fixture(tmp_path, timed=3)
    app = make_app(scenario_path=path)
    said = []
    monkeypatch.setattr(app, "speak", lambda text, interrupt=True, **kw: said.append((text, interrupt)),
                        raising=False)
    scene = open_scene(app, path)
    choose(app, scene, "write")  # on to the chain
    for i in range(1, 4):
        assert scene.view.node_id == f"chain-{i}"
        if i > 1:
            first = scene.text_spans[0]
            assert first.text == f"Time ran out: Hesitation number {i - 1}."
            assert first.colour == app.theme.palette.warn and first.bold
            assert (first.text, True) in said  # said at once, interrupting
        press(app, pygame.K_SPACE)
        wait(app, 2.2)
    ending = app.top
    assert ending.name == "ending"
    assert ending.spans[1].text == "Time ran out: Hesitation number 3."
    assert ending.speech().startswith("Outcome:") and "Time ran out: Hesitation number 3." in ending.speech()
    expired = [e for e in scene.session.log if e["type"] == "timer_expired"]
    assert [e["choice"] for e in expired] == ["chain-1-timeout", "chain-2-timeout", "chain-3-timeout"]
    spoken = [text for text, _interrupt in said]
    assert sum(text.startswith("Time ran out") for text in spoken) == 2  # moments 2 and 3 (the ending reads its own)


def test_the_scene_text_is_read_when_the_choices_appear(tmp_path, monkeypatch):
    path = staged_fixture(tmp_path)
    app = make_app(scenario_path=path)
    said = []
    monkeypatch.setattr(app, "speak", lambda text, interrupt=True, **kw: said.append(text), raising=False)
    scene = open_scene(app, path)
    assert scene.speech() == ""  # nothing while the text appears
    press(app, pygame.K_SPACE)
    app.step(DT)
    assert any("Sam stands by the car." in text for text in said)
    assert said[-1] == scene.ring.current.spoken()  # then the focused option


# --- 3. the layout at the largest text -----------------------------------------------------------------

def timed_scene(app):
    entry = next(e for e in app.catalog.entries if e.ok and e.scenario.id == "collision-limited-english")
    node = next(n for n in entry.scenario.nodes if n.id == "kyle-in-face")
    scene = SceneScreen(app, entry, entry.scenario.language)
    app.push(scene)
    scene.session.state = scene.session.state._replace(at=node.index)
    scene._new_moment()
    scene.build()
    return scene


def test_the_audit_catches_a_face_under_the_text_box_and_a_tag_on_the_title():
    app = make_app(text_size="largest")
    scene = timed_scene(app)
    assert app.audit.problems == []
    scene.text_box = scene.text_box.inflate(0, 200)  # the old layout: the box over the lower faces
    figure = scene.portraits[0]
    scene.portraits[0] = figure._replace(tag_rect=figure.tag_rect.move(0, -figure.tag_rect.y))
    scene._audit()
    problems = "\n".join(app.audit.problems)
    assert "portrait of The caller overlaps text box" in problems
    assert "title overlaps name tag of The caller" in problems and "(below the face)" in problems


@pytest.mark.parametrize("size", [(1280, 720), (3840, 2160)], ids=["720p", "4k"])
def test_largest_text_keeps_faces_whole_and_the_clock_waits_for_hidden_options(size):
    app = make_app(size=size, text_size="largest")
    scene = timed_scene(app)
    theme = app.theme
    for figure in scene.portraits:
        assert figure.rect.bottom <= scene.text_box.top  # whole, above the text box
        assert figure.rect.height >= theme.px(150)  # a face, not a pair of eyes
        assert figure.tag.get_height() <= app.fonts.get(theme.small, True).get_linesize() + theme.gap  # one line
    assert len(scene.title_text.lines) <= 2
    assert not scene.title_rect.colliderect(scene.meter_content)
    assert scene.split < 0.58  # the text column gave the options room first
    if scene.clock_waits:  # still not all in view: the clock waits until they have been seen
        press(app, pygame.K_SPACE)
        wait(app, 3.0)
        assert scene.timer_left == scene.view.timer_seconds
        press(app, pygame.K_TAB, times=len(scene.buttons_all) - 2)  # not yet at the last option
        wait(app, 1.0)
        assert scene.timer_left == scene.view.timer_seconds
        press(app, pygame.K_TAB)  # the last one in view: the clock starts
        wait(app, 1.0)
        assert scene.timer_left < scene.view.timer_seconds - 0.9
    assert app.audit.problems == []


def test_at_medium_text_a_timed_decisions_options_fit_and_the_clock_starts_at_once():
    app = make_app()
    scene = timed_scene(app)
    assert not scene.clock_waits and not scene.list_scroller.scrollable
    press(app, pygame.K_SPACE)
    wait(app, 1.0)
    assert scene.timer_left < scene.view.timer_seconds - 0.9


def test_long_titles_end_with_an_ellipsis_and_names_are_shortened_to_one_line():
    app = make_app(text_size="largest")
    font = app.fonts.get(app.theme.small, True)
    assert font.size(ellipsize(font, "A very long scenario title " * 10, 300))[0] <= 300
    assert ellipsize(font, "Short", 300) == "Short"
    assert short_name(font, "Officer Sam Reyes", font.size("Sam Reyes")[0]) == "Sam Reyes"
    assert short_name(font, "Linh Tran", font.size("Tran")[0] + 2, taken={"Tran"}).endswith("…")
    assert short_name(font, "The older driver", font.size("Older driver")[0]) == "Older driver"
    narrow = short_name(font, "The older driver", font.size("driver")[0] + 4)
    assert narrow != "driver" and narrow.endswith("…")  # a description's last word alone could be anyone
    scene = timed_scene(app)
    sc = scene.scenario
    scene.scenario = dataclasses.replace(sc, title=type(sc.title)({sc.language: "A long title " * 20}))
    scene.build()
    assert len(scene.title_text.lines) == 2 and app.audit.problems == []


# --- 4, 5, 7. names, faces, places, {officer} ----------------------------------------------------------

def test_people_are_named_as_the_trainee_knows_them_each_with_their_own_face(tmp_path, monkeypatch):
    path = staged_fixture(tmp_path)
    app = make_app(scenario_path=path)
    asked = []
    real = app.art.portrait

    def spy(folder, level, height, base=None, shows=None, toward=None, expression=None):
        asked.append((folder, expression))
        return real(folder, level, height, base, shows, toward, expression)
    monkeypatch.setattr(app.art, "portrait", spy)
    scene = open_scene(app, path)
    names = [f.name for f in scene.portraits]
    assert names == ["The driver", "Officer Kim Reyes", "Pat", "Dee"]  # Sam's name is not known yet
    assert "Sam Okafor-Lindqvist" not in " ".join(span.text for span in scene.text_spans)
    faces = {f.name: f.expression for f in scene.portraits}
    # the subject at distress 2 is anxious; the partner does not follow it; Pat follows `notes` (0);
    # Dee is staged upset
    assert faces == {"The driver": "anxious", "Officer Kim Reyes": "calm", "Pat": "calm", "Dee": "upset"}
    assert ("portraits/sam-reyes", "calm") in asked and ("portraits/daniel-tran", "upset") in asked
    places = {f.name: (f.where, f.badge is not None) for f in scene.portraits}
    assert places["Officer Kim Reyes"] == ("in-car", True) and places["Dee"] == ("on-phone", True)
    assert places["Pat"] == ("here", False)
    assert "Your name tape reads Test Trainee." in scene.view.narrative  # {officer}
    choose(app, scene, "write")  # notes = 1: Sam's name is known, and Pat (expression_from: notes) is anxious
    faces = {f.name: f.expression for f in scene.portraits}
    assert "Sam Okafor-Lindqvist" in faces and faces["Pat"] == "anxious"


def test_a_guest_is_not_named_and_initials_use_the_known_name(tmp_path):
    path = staged_fixture(tmp_path)
    app = make_app(scenario_path=path)
    press(app, pygame.K_RETURN)
    press(app, pygame.K_DOWN)
    app.top.ring.focus(next(w for w in app.top.ring.widgets if getattr(w, "wid", "") == "Continue as guest"))
    press(app, pygame.K_RETURN)
    press(app, pygame.K_1)
    press(app, pygame.K_RETURN)
    press(app, pygame.K_RETURN)
    scene = app.top
    assert scene.name == "scene" and scene.session.officer is None
    assert "{officer}" not in scene.view.narrative and "Test Trainee" not in scene.view.narrative


def test_the_briefing_preloads_only_the_expressions_a_scene_can_show(tmp_path):
    path = staged_fixture(tmp_path)
    app = make_app(scenario_path=path)
    scene = open_scene(app, path)
    asked = []
    app.art.portrait = lambda folder, level, height, base=None, shows=None, toward=None, expression=None: \
        asked.append((folder, expression))
    for job in art_jobs(app, scene.scenario):
        job()
    assert {e for f, e in asked if f == "portraits/daniel-tran"} == {"upset"}  # staged
    assert {e for f, e in asked if f == "portraits/sam-reyes"} == {"calm"}  # no expression_from
    assert {e for f, e in asked if f == "portraits/leo-lindqvist"} == {"calm", "anxious", "upset"}  # notes 0-3


def test_an_untimed_moment_whose_text_would_scroll_takes_a_wider_column_if_its_options_still_fit():
    from simulator.ui.staging import TEXT_SPLIT
    app = make_app()  # 1280x720, medium text
    catalog = app.ensure_catalog()
    assert catalog.wait(60)
    widened = 0
    for entry in [e for e in catalog.entries if e.ok]:
        scene = SceneScreen(app, entry, entry.scenario.language)
        app.push(scene)
        for node in entry.scenario.nodes:
            if node.timer is not None:
                continue
            scene.session.state = scene.session.state._replace(at=node.index)
            scene._new_moment()
            scene.build()
            scene.skip()
            if scene.split != TEXT_SPLIT:
                widened += 1
                assert scene.split > TEXT_SPLIT and scene._all_in_view(), node.id
        app.pop()
    assert widened > 0 and app.audit.problems == []
