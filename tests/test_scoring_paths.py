"""The exact path search: expected values by hand on small scenarios, cycles, timers, playthroughs."""
from __future__ import annotations

import pytest

from scoring.paths import Search, SearchBudgetExceeded, record_log
from simulator.content.loader import load_scenario_bytes

HEADER = """format: 1
id: tiny
version: "1"
title: "Tiny"
summary: "Test."
audience: [recruit]
minutes: 1
topics: [test]
language: en
languages: [en]
learning_objectives: [{id: obj, text: "An objective."}]
content_notes: ["none"]
authors: [{name: "tests"}]
reviewers: [{name: "tests"}]
characters:
  ana: {name: "Ana", role: subject}
"""

TINY = HEADER + """state:
  escalation: 0
  rapport: 0
  variables:
    coins: {initial: 0, min: 0, max: 10}
start: a
nodes:
  a:
    narrative: "A."
    timer: {seconds: 5, expire: {id: a-wait, grade: good, effects: {coins: +1}, next: good}}
    choices:
      - {id: safe, grade: good, text: "Safe.", effects: {coins: +2}, next: good}
      - id: gamble
        text: "Gamble."
        grade: good
        outcomes:
          - {weight: 1, next: good, effects: {coins: +10}}
          - {weight: 3, next: bad}
endings:
  good: {outcome: resolved, title: "Good", text: "Good.", debrief: "Good."}
  bad: {outcome: injury, title: "Bad", text: "Bad.", debrief: "Bad."}
"""

LOOP = HEADER + """state: {escalation: 0, rapport: 0}
start: a
nodes:
  a:
    narrative: "A."
    choices:
      - {id: to-b, grade: good, text: "To b.", next: b}
      - {id: finish-a, grade: good, text: "Finish.", next: end}
  b:
    narrative: "B."
    choices:
      - {id: back, grade: good, text: "Back to a.", next: a}
      - {id: finish-b, grade: good, text: "Finish here.", next: end}
endings:
  end: {outcome: resolved, title: "End", text: "End.", debrief: "End."}
"""


def load(text):
    result = load_scenario_bytes(text.encode(), "tiny.yaml")
    assert result.scenario is not None, [d.format() for d in result.diagnostics]
    return result.scenario


def coins_search(scenario, maximise=True, timers=True):
    slot = scenario.var_index["coins"]
    return Search(scenario, lambda pre, c, o, post: post[slot] - pre[slot], lambda at, v: 0.0,
                  maximise=maximise, timers=timers)


def test_expected_values_by_hand():
    sc = load(TINY)
    best = coins_search(sc)
    # safe: 2 for sure; gamble: 1/4 * 10 = 2.5; waiting for the timer: 1
    assert best.value(sc.start, sc.initial_values) == pytest.approx(2.5)
    assert best.policy(sc.start, sc.initial_values).id == "gamble"
    worst = coins_search(sc, maximise=False)
    assert worst.value(sc.start, sc.initial_values) == pytest.approx(1.0)
    assert worst.policy(sc.start, sc.initial_values).id == "a-wait"  # timers are a branch
    no_timer = coins_search(sc, maximise=False, timers=False)
    assert no_timer.value(sc.start, sc.initial_values) == pytest.approx(2.0)


def test_playthroughs_follow_every_outcome():
    sc = load(TINY)
    plays = coins_search(sc).playthroughs()
    assert sorted((p.ending, round(p.probability, 6)) for p in plays) == [("bad", 0.75), ("good", 0.25)]
    assert sum(p.value * p.probability for p in plays) == pytest.approx(2.5)


def test_cycles_terminate_and_are_exact():
    sc = load(LOOP)
    # every decision costs 1: the best play finishes at once, and the loop a -> b -> a is never worth it
    search = Search(sc, lambda pre, c, o, post: -1.0, lambda at, v: 0.0)
    assert search.value(sc.start, sc.initial_values) == pytest.approx(-1.0)
    plays = search.playthroughs()
    assert [s.choice for s in plays[0].steps] == ["finish-a"]


def test_improving_cycle_is_reported_not_looped_forever():
    sc = load(LOOP)
    search = Search(sc, lambda pre, c, o, post: 1.0, lambda at, v: 0.0)
    with pytest.raises(SearchBudgetExceeded):
        search.value(sc.start, sc.initial_values)


def test_budget():
    sc = load(TINY)
    search = coins_search(sc)
    search.budget = 1
    with pytest.raises(SearchBudgetExceeded):
        search.value(sc.start, sc.initial_values)


def test_record_log_records_the_chosen_outcomes():
    sc = load(TINY)
    for play in coins_search(sc).playthroughs():
        log = record_log(sc, play.steps)
        assert log[0]["type"] == "session_started"
        assert log[-1]["type"] == "ending_reached" and log[-1]["ending"] == play.ending
        drawn = [e for e in log if e["type"] == "outcome_drawn"]
        assert [e["outcome"] for e in drawn] == [s.outcome for s in play.steps if s.outcome is not None]
