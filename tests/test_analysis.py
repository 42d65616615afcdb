"""The engine's exact analysis (simulator/engine/analysis): its vectorised step agrees with the step
function on every state, its solutions agree with closed forms, with the path search of
scoring/paths.py and with large seeded samples of real sessions."""
import json
import math
import random
import sys
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.context import context_for
from scoring.exact import best_play, points_array
from scoring.values import search_for
from simulator.content.loader import load_scenario_bytes
from simulator.engine.analysis import NoFixedPoint, explore, solve, visits
from simulator.engine.analysis.conditions import evaluate
from simulator.engine.analysis.policies import greedy, naive
from simulator.engine.expressions import compile_expr, parse
from simulator.engine.session import Session
from simulator.engine.step import State, available_choices, outcome_distribution, transition
from tests.conftest import ROOT, bundled_paths, load_ok

sys.path.insert(0, str(ROOT / "benchmarks"))
import generate  # noqa: E402  (benchmarks/generate.py: synthetic scenarios)

HEADER = """format: 1
id: {id}
version: "1.0.0"
title: "Analysis fixture"
summary: "A scenario with a known answer."
audience: [recruit]
minutes: 5
topics: [test]
language: en
languages: [en]
learning_objectives: [{{id: obj, text: "Objective."}}]
content_notes: ["None"]
authors: [{{name: "Parley tests", role: "fixture"}}]
reviewers: [{{name: "Test reviewer", role: "fixture"}}]
characters: {{sam: {{name: "Sam", role: subject}}}}
state: {{escalation: 2, rapport: 0}}
"""


def _load(text: str, name: str = "fixture.yaml"):
    result = load_scenario_bytes(text.encode(), name)
    assert result.scenario is not None, "\n".join(d.format() for d in result.diagnostics)
    return result.scenario


def random_walk(n: int, p_up: float) -> str:
    """A walk on 0..n: at k (0 < k < n) one choice, "Wait", goes to k + 1 with probability p_up and
    to k - 1 otherwise; 0 and n are endings. Starts at 1. Each step is graded `mistake`."""
    lines = [HEADER.format(id=f"walk-{n}"), "start: k1", "nodes:"]
    for k in range(1, n):
        up = "top" if k + 1 == n else f"k{k + 1}"
        down = "bottom" if k - 1 == 0 else f"k{k - 1}"
        lines += [f"  k{k}:", f"    label: \"Step {k}\"", "    shows: compliant",
                  f"    narrative: \"Position {k}.\"", "    choices:",
                  f"      - id: wait-{k}", "        text: \"Wait.\"", "        tags: [tactical-pause]",
                  "        grade: mistake", "        against: [empathy-rapport]",
                  "        feedback: \"A step.\"", "        outcomes:",
                  f"          - {{weight: {p_up}, next: {up}}}",
                  f"          - {{weight: {1 - p_up}, next: {down}}}"]
    lines += ["endings:",
              "  top: {outcome: resolved, title: \"Top\", text: \"Top.\", debrief: \"Top.\"}",
              "  bottom: {outcome: arrest, title: \"Bottom\", text: \"Bottom.\", debrief: \"Bottom.\"}"]
    return "\n".join(lines) + "\n"


def _ruin(k: int, n: int, p: float) -> float:
    """Gambler's ruin: the probability of reaching n before 0 from k, moving up with probability p."""
    if p == 0.5:
        return k / n
    r = (1 - p) / p
    return (1 - r**k) / (1 - r**n)


def _duration(k: int, n: int, p: float) -> float:
    """Expected number of steps until 0 or n from k."""
    if p == 0.5:
        return k * (n - k)
    q = 1 - p
    return k / (q - p) - n / (q - p) * (1 - (q / p) ** k) / (1 - (q / p) ** n)


@pytest.mark.parametrize("n,p", [(5, 0.5), (8, 0.3), (12, 0.6), (40, 0.45)])
def test_random_walk_matches_the_closed_form(n, p):
    sc = _load(random_walk(n, p))
    space = explore(sc)
    policy = naive(space, "random")
    state_visits = visits(space, policy)
    top = space.state_id(sc.target_index["top"], ())
    bottom = space.state_id(sc.target_index["bottom"], ())
    assert state_visits[top] == pytest.approx(_ruin(1, n, p), abs=1e-9)
    assert state_visits[bottom] == pytest.approx(1 - _ruin(1, n, p), abs=1e-9)
    # every step costs one `mistake`: the expected points lost are the expected number of steps times it
    ctx = context_for(sc)
    points = points_array(ctx, space)
    each = float(ctx.rubric.grades["mistake"]["overall"])
    assert set(points.tolist()) == {each}
    values, _ = solve(space, -points, 0.0, "policy", policy)
    assert -values[space.start] == pytest.approx(each * _duration(1, n, p), rel=1e-9)
    # and the visits add up to the same duration
    assert state_visits[~space.is_ending()].sum() == pytest.approx(_duration(1, n, p), rel=1e-9)


LOOP = HEADER.format(id="loop") + """start: wait
nodes:
  wait:
    label: "Waiting"
    shows: compliant
    narrative: "Sam waits."
    choices:
      - {id: again, text: "Wait here a little while longer.", tags: [tactical-pause], grade: acceptable,
         feedback: "Time.", next: wait}
      - {id: go, text: "Talk.", tags: [open-question], grade: good, feedback: "Talking.", next: done}
endings:
  done: {outcome: resolved, title: "Done", text: "Done.", debrief: "Done."}
"""


def test_a_policy_that_never_leaves_a_loop_is_reported_not_solved():
    """Always taking the longest option here waits forever: there is no expected score to give, and
    the analysis says so instead of iterating without end; random play leaves after 2 visits on average."""
    sc = _load(LOOP)
    space = explore(sc)
    reward = -np.ones(len(space.action_state))
    longest = naive(space, "longest")
    with pytest.raises(NoFixedPoint):
        visits(space, longest)
    values, _ = solve(space, reward, 0.0, "policy", longest)
    assert np.isnan(values[space.start])
    random_policy = naive(space, "random")
    wait = visits(space, random_policy)[~space.is_ending()]  # the scene's states (the pause lowers distress)
    assert len(wait) > 1 and wait.sum() == pytest.approx(2.0)
    values, _ = solve(space, reward, 0.0, "policy", random_policy)
    assert values[space.start] == pytest.approx(-2.0)
    best, _ = solve(space, reward, 0.0, "max")
    assert best[space.start] == pytest.approx(-1.0)


def _python_transitions(sc, space, s):
    at = int(space.target[s])
    state = State(at, tuple(int(x) for x in space.values[s]), 0, 0.0)
    options = available_choices(sc, state)
    if sc.nodes[at].timer is not None:
        options = options + [sc.nodes[at].timer.expire]
    out = []
    for c in options:
        rows = []
        for o, p in outcome_distribution(sc, state, c):
            nxt = transition(sc, state, c, o, p, 0.0, [], "test", None)
            rows.append((o.index if o else -1, p, space.state_id(nxt.at, nxt.values), nxt.values[0]))
        out.append((c.id, rows))
    return out


def _check_against_step(sc):
    space = explore(sc)
    n = len(sc.nodes)
    assert space.state_id(sc.start, sc.initial_values) == space.start
    for s in range(space.n_states):
        if space.target[s] >= n:
            assert not len(space.actions_of(s))
            continue
        got = [(space.options[space.action_option[a]].id,
                [(int(space.tr_outcome[t]), float(space.tr_prob[t]), int(space.tr_next[t]),
                  int(space.tr_escalation[t])) for t in space.transitions_of(a)]) for a in space.actions_of(s)]
        assert got == _python_transitions(sc, space, s), (sc.id, s)
    return space


@pytest.mark.parametrize("path", bundled_paths(), ids=lambda p: p.stem)
def test_every_state_and_option_agrees_with_the_step_function(path):
    """Exact: every reachable state, every option, every random outcome (probability, next state and the
    distress level after it, which an ending state does not keep)."""
    space = _check_against_step(load_ok(path))
    assert space.n_states > 100


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_scenarios_agree_with_the_step_function(seed):
    _check_against_step(_load(generate.generate(25, seed), f"gen-{seed}.yaml"))


def test_the_minimal_fixture_with_timers_and_reveals_agrees(minimal):
    _check_against_step(minimal)


_NAMES = ("escalation", "rapport", "recovery", "factor_revealed")


@st.composite
def _expr(draw, depth=0):
    if depth > 3 or draw(st.booleans()):
        return draw(st.one_of(st.sampled_from(_NAMES), st.integers(0, 9).map(str), st.sampled_from(["true", "false"])))
    kind = draw(st.sampled_from(["cmp", "and", "or", "not", "add", "sub", "neg"]))
    a, b = draw(_expr(depth + 1)), draw(_expr(depth + 1))
    if kind == "cmp":
        return f"({a} {draw(st.sampled_from(['==', '!=', '<', '<=', '>', '>=']))} {b})"
    if kind in ("and", "or"):
        return f"({a} {kind} {b})"
    if kind == "not":
        return f"(not {a})"
    if kind == "neg":
        return f"(-{a})"
    return f"({a} {'+' if kind == 'add' else '-'} {b})"


@settings(max_examples=300, deadline=None)
@given(_expr(), st.lists(st.tuples(*[st.integers(-3, 8)] * 4), min_size=1, max_size=20))
def test_vectorised_conditions_agree_with_the_compiled_ones(source, rows):
    index = {name: i for i, name in enumerate(_NAMES)}
    compiled = compile_expr(parse(source), index)
    got = evaluate(source, np.array(rows, dtype=np.int64), index)
    assert got.tolist() == [int(compiled(row)) for row in rows]


@pytest.mark.parametrize("path", bundled_paths(), ids=lambda p: p.stem)
def test_best_play_equals_the_path_search_in_every_state(path):
    sc = load_ok(path)
    ctx = context_for(sc)
    best = best_play(ctx)
    search = search_for(ctx, True)
    for s in range(0, best.space.n_states, 7):  # every 7th state: the search is slow
        at = int(best.space.target[s])
        if at >= len(sc.nodes):
            continue
        values = tuple(int(x) for x in best.space.values[s])
        mine = best.option_values(at, values)
        theirs = [(search.q(at, values, c), c) for c in search.options(at, values)]
        theirs = [(q, c) for q, c in theirs if q is not None]
        assert [c.id for _, c in mine] == [c.id for _, c in theirs]
        assert [q for q, _ in mine] == pytest.approx([q for q, _ in theirs], abs=1e-9)


def test_random_play_agrees_with_a_large_seeded_sample():
    """20,000 real sessions taking a uniformly random option: the ending frequencies and the mean points
    lost fall within 4.5 standard errors of the exact figures (a wrong analysis fails by far more)."""
    sc = load_ok(bundled_paths()[0])
    ctx = context_for(sc)
    space = explore(sc)
    policy = naive(space, "random")
    exact_visits = visits(space, policy)
    exact = Counter()
    for s in np.flatnonzero(space.is_ending()):
        exact[sc.target_ids[int(space.target[s])]] += float(exact_visits[s])
    points = points_array(ctx, space)
    values, _ = solve(space, -points, 0.0, "policy", policy)
    pick = random.Random(7)
    runs = 20_000
    seen = Counter()
    lost = []
    for i in range(runs):
        session = Session(sc, seed=i)
        total = 0.0
        while not session.ended:
            choice = pick.choice(session.available())
            sid = space.state_id(session.state.at, session.state.values)
            a = next(a for a in space.actions_of(sid) if space.options[space.action_option[a]].id == choice.id)
            total += points[a]
            session.choose(choice.id, elapsed=1.0)
        seen[sc.target_ids[session.state.at]] += 1
        lost.append(total)
    for ending, p in exact.items():
        se = math.sqrt(p * (1 - p) / runs) + 1e-12
        assert abs(seen[ending] / runs - p) <= 4.5 * se + 1e-9, ending
    mean, sd = float(np.mean(lost)), float(np.std(lost))
    assert abs(mean - (-values[space.start])) <= 4.5 * sd / math.sqrt(runs)


def test_greedy_policies_follow_the_values():
    sc = _load(random_walk(6, 0.5))
    space = explore(sc)
    q = np.arange(len(space.action_state), dtype=float)
    policy = greedy(space, q, True)
    assert policy.sum() == len(np.flatnonzero(~space.is_ending()))


def test_naive_policies_add_up_to_one_in_every_state(minimal):
    space = explore(minimal)
    for name in ("random", "longest", "shortest", "middle", "not-longest", "not-shortest"):
        policy = naive(space, name)
        totals = np.bincount(space.action_state, weights=policy, minlength=space.n_states)
        live = np.diff(space.action_first) > 0
        assert np.allclose(totals[live], 1.0), name
        # the policies never wait for a timer
        waits = np.array([space.options[o].is_timeout for o in space.action_option])
        assert not policy[waits].any()


def test_the_debrief_values_are_cached_by_content_hash_and_a_damaged_cache_is_ignored(tmp_path):
    """A second process reads best play's option values from the JSON cache; what it reads equals
    what solving gives; a damaged or truncated file, or one for another rubric, is never used."""
    from scoring import context as scoring_context
    from scoring.exact import BestPlay, CachedValues, _cache_path, debrief_values
    sc = load_ok(bundled_paths()[0])
    scoring_context.clear_cache()
    first = debrief_values(context_for(sc))
    assert isinstance(first, BestPlay)
    path = _cache_path(context_for(sc))
    assert path.is_file() and json.loads(path.read_bytes())["format"]
    scoring_context.clear_cache()
    again = debrief_values(context_for(sc))
    assert isinstance(again, CachedValues)
    space = first.space
    for s in range(0, space.n_states, 3):
        at = int(space.target[s])
        if at < len(sc.nodes):
            values = tuple(int(x) for x in space.values[s])
            assert [(q, c.id) for q, c in again.option_values(at, values)] == \
                [(q, c.id) for q, c in first.option_values(at, values)]
    good = path.read_bytes()
    data = json.loads(good)
    flipped = dict(data, q=dict(data["q"], base64=("B" if data["q"]["base64"][0] != "B" else "C") + data["q"]["base64"][1:]))
    for damage in (b"", b"{\"format\": \"2\"}", good[:-100], json.dumps(flipped).encode()):
        path.write_bytes(damage)
        scoring_context.clear_cache()
        assert isinstance(debrief_values(context_for(sc)), BestPlay)
    from scoring.rubric import default_rubric
    custom = context_for(sc, default_rubric())  # a rubric passed in: not what the file's hash names
    assert _cache_path(custom) is None
