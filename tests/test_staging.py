"""Who the trainee sees and by what name: known_as until a name is learned, each character's own
expression, where they are, `{officer}`, after-play objectives, timeouts announced, undo times."""
from pathlib import Path

import pytest

from simulator.content.loader import load_scenario_bytes
from simulator.engine.session import Session, SessionOptions

FIXTURE = (Path(__file__).resolve().parent / "fixtures" / "minimal.yaml").read_text(encoding="utf-8")

STAGED = FIXTURE.replace(
    '''learning_objectives:
  - {id: listen, text: "Listen first."}''',
    '''learning_objectives:
  - {id: listen, text: "Listen first."}
  - {id: twist, text: "Notice that Sam is Deaf.", reveal: after-play}''').replace(
    '''  sam: {name: "Sam", role: subject}
  kim: {name: "Kim", role: partner}''',
    '''  sam: {name: "Sam", role: subject, known_as: "The driver", name_known_when: "notes >= 1"}
  kim: {name: "Kim", role: partner}
  lou: {name: "Lou", role: bystander, expression_from: notes}''').replace(
    '''    narrative: "Sam stands by the car."
    lines:
      - {speaker: kim, text: "Your call."}''',
    '''    narrative: "The driver stands by the car. You are Officer {officer}."
    present: [sam, kim, lou]
    staging:
      kim: {expression: anxious}
      lou: {where: on-phone}
    lines:
      - {speaker: kim, text: "Your call."}
      - {speaker: sam, text: "..."}''')


def load(text: str):
    return load_scenario_bytes(text.encode("utf-8"), "staged.yaml", use_cache=False)


@pytest.fixture
def staged():
    result = load(STAGED)
    assert result.ok, [str(d) for d in result.diagnostics]
    return result.scenario


def people(view):
    return {p.id: p for p in view.people}


def test_a_name_is_shown_only_once_it_is_known(staged):
    view = Session(staged, seed=1).view()
    assert people(view)["sam"].name == "The driver"
    assert [line.name for line in view.lines] == ["Kim", "The driver"]
    assert staged.characters["sam"].shown_name((0,) * len(staged.variables), "en", "en") == "The driver"
    values = list(staged.initial_values)
    values[staged.var_index["notes"]] = 1
    assert staged.characters["sam"].shown_name(tuple(values), "en", "en") == "Sam"


def test_each_character_has_their_own_expression_and_place(staged):
    view = Session(staged, seed=1).view()
    sam, kim, lou = (people(view)[c] for c in ("sam", "kim", "lou"))
    assert (sam.level, sam.expression, sam.where) == (2, None, "here")  # the subject follows distress
    assert (kim.level, kim.expression, kim.where) == (None, "anxious", "here")  # staged, not distress
    assert (lou.level, lou.expression, lou.where) == (0, None, "on-phone")  # follows its own variable


def test_officer_placeholder_shows_the_trainee_or_a_neutral_phrase(staged):
    assert "Officer R. Okafor 042." in Session(staged, seed=1, officer="R. Okafor 042").view().narrative
    assert "Officer (your name)." in Session(staged, seed=1).view().narrative
    one = Session(staged, seed=5, officer="A")
    two = Session(staged, seed=5, officer="B")
    for s in (one, two):
        s.choose("listen", 3.0)
    assert one.log_json() == two.log_json()  # the name changes only what is shown, never the log


def test_after_play_objectives_are_marked(staged):
    assert [(o.id, o.after_play) for o in staged.objectives] == [("listen", False), ("twist", True)]


def test_a_timeout_is_announced_in_the_scenarios_words(minimal):
    s = Session(minimal, seed=1)
    assert s.view().timeout is None
    s.expire_timer()
    assert s.view().timeout == ""  # the fixture's expire has no text: announced without words
    s.choose("shout")
    assert s.view().timeout is None


def test_timeout_text_of_a_bundled_scenario():
    from simulator.content.loader import bundled_scenarios, load_or_raise
    sc = next(load_or_raise(p) for p in bundled_scenarios() if "collision" in p.name)
    node = next(n for n in sc.nodes if n.timer is not None and n.timer.expire.text is not None)
    s = Session(sc, seed=1)
    s.state = s.state._replace(at=node.index)
    s.expire_timer()
    assert s.view().timeout == node.timer.expire.text.get("en", "en")


def test_undo_is_logged_when_it_happens_and_replays(minimal):
    s = Session(minimal, seed=4, options=SessionOptions(allow_undo=True))
    s.choose("listen", 5.0)
    s.undo({"role": "facilitator", "id": "F"}, "the group wants to try writing", elapsed=7.5)
    undo = s.log[-1]
    assert undo["type"] == "undo" and undo["t"] == 12.5 and undo["reason"] == "the group wants to try writing"
    s.choose("write", 2.0)
    times = [e["t"] for e in s.log]
    assert times == sorted(times)  # the log's clock never goes backwards
    again = Session.replay(minimal, s.log)
    assert again.log_json() == s.log_json()
    tampered = [dict(e) for e in s.log]
    tampered[undo["seq"]]["t"] = -1.0
    with pytest.raises(Exception):
        Session.replay(minimal, tampered)


@pytest.mark.parametrize("bad, code", [
    (STAGED.replace("lou: {where: on-phone}", "nobody: {where: on-phone}"), "staged-not-present"),
    (STAGED.replace("expression_from: notes", "expression_from: mood"), "unknown-variable"),
    (STAGED.replace('name_known_when: "notes >= 1"', 'name_known_when: "plate_run"'), "unknown-variable"),
])
def test_staging_mistakes_are_reported_with_a_place(bad, code):
    result = load(bad)
    assert not result.ok
    found = [d for d in result.diagnostics if d.code == code]
    assert found and found[0].line > 0, [str(d) for d in result.diagnostics]


def test_display_only_variables_do_not_split_analysed_states(staged):
    """A variable that only names a character or sets a face is not read by any condition, so the
    exact analyses (scoring.paths, scoring.audit) treat states differing in it as one state."""
    lou_mood = staged.var_index["notes"]
    assert lou_mood not in staged.display_slots  # `thank` reads notes: it is part of the state
    assert Session(staged, seed=1).scenario.canonical(staged.initial_values) == staged.initial_values
    text = STAGED.replace("  variables:\n    notes: {initial: 0, min: 0, max: 3}",
                          "  variables:\n    notes: {initial: 0, min: 0, max: 3}\n    named: {initial: 0, min: 0, max: 1}")
    text = text.replace('name_known_when: "notes >= 1"', 'name_known_when: "named >= 1"')
    text = text.replace("        effects: {notes: +1}", "        effects: {notes: +1, named: =1}")
    result = load(text)
    assert result.ok, [str(d) for d in result.diagnostics]
    sc = result.scenario
    named = sc.var_index["named"]
    assert sc.display_slots == (named,)
    values = list(sc.initial_values)
    values[named] = 1
    assert sc.canonical(tuple(values)) == sc.initial_values
