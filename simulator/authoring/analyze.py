"""`parley analyze`: what a scenario rewards, solved exactly over every reachable state and random outcome.

Built on the engine's analysis (simulator/engine/analysis) with grading's points (scoring/exact.py):
- best and worst achievable play: expected score, the playthroughs the optimal policy gives (one per
  combination of random outcomes) with each one's result as scoring would grade it;
- uniformly random play and the naive policies (simulator/engine/analysis/policies.py): expected
  score and how the endings and outcome classes are distributed;
- for each decision, the expected score of taking each option there and playing randomly elsewhere,
  averaged over the states in which random play reaches it: the spread says how much it matters;
- how often random play visits each scene.

A score here is 100 minus the points the decisions take off (docs/scoring.md); an expected score is
the mean of that over random outcomes, before the floor at 0 that a single session's score has.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from scoring.audit import _result
from scoring.context import context_for
from scoring.exact import grades_array
from simulator.engine.analysis import NoFixedPoint, explore, solve, visits
from simulator.engine.analysis.policies import greedy, naive
from simulator.engine.model import Scenario

PLAYTHROUGH_LIMIT = 2_000  # playthroughs of the best (worst) policy listed at most
SHOWN_POLICIES = ("random", "longest", "shortest", "middle", "not-longest", "not-shortest")


@dataclass
class Playthrough:
    probability: float
    steps: list  # [(node id, choice id)]
    ending: str
    score: float
    result: str


@dataclass
class PlayResult:
    """One policy's expected score and where it ends."""

    policy: str
    expected_score: float
    endings: dict  # ending id -> probability
    outcomes: dict  # outcome class -> probability
    playthroughs: list = field(default_factory=list)  # Playthrough (best and worst only)
    results: dict = field(default_factory=dict)  # pass / needs practice / fail -> probability (best, worst)


@dataclass
class DecisionImpact:
    node: str
    reach: float  # expected visits under random play
    spread: float  # highest minus lowest expected score among its options
    options: list  # [(choice id, expected score with random play elsewhere, expected score with best play after)]


@dataclass
class Analysis:
    scenario: Scenario
    states: int
    actions: int
    transitions: int
    seconds: float
    best: PlayResult
    worst: PlayResult
    policies: list
    decisions: list
    visits: dict  # node id -> expected visits under random play (empty when random play may never end)


def analyze(scenario: Scenario, rubric=None) -> Analysis:
    """The exact analysis of `scenario` under `rubric` (the default rubric when None)."""
    start = time.perf_counter()
    ctx = context_for(scenario, rubric)
    space = explore(scenario)
    points, tiers = grades_array(ctx, space)
    sc = scenario
    # best play: maximise minus the points lost; worst play: minimise, with rewards measured from the
    # worst option in each state (never negative), so that no loop is worth going round (scoring/values.py)
    best_v, best_q = solve(space, -points, 0.0, "max")
    most = _most_per_state(space, points)
    _, worst_q = solve(space, most[space.action_state] - points, 0.0, "min")
    best = _play(ctx, space, "best", greedy(space, best_q, True), points, tiers)
    worst = _play(ctx, space, "worst", greedy(space, worst_q, False), points, tiers)
    policies = []
    rand_q = rand_visits = None
    for name in SHOWN_POLICIES:
        policy = naive(space, name)
        try:
            value, q = solve(space, -points, 0.0, "policy", policy)
            state_visits = visits(space, policy)
        except NoFixedPoint:  # this way of playing can go round a loop forever: no final score
            policies.append(PlayResult(name, float("nan"), {}, {}))
            continue
        policies.append(_summary(space, name, value, state_visits))
        if name == "random":
            rand_q, rand_visits = q, state_visits
    decisions, visit_map = [], {}
    if rand_visits is not None:
        decisions = _decisions(space, rand_q, best_q, rand_visits)
        node_visits = np.add.reduceat(rand_visits, space.node_first[:-1]) if space.n_states else np.zeros(0)
        counts = np.diff(space.node_first)
        visit_map = {sc.nodes[i].id: float(node_visits[i]) if counts[i] else 0.0 for i in range(len(sc.nodes))}
    return Analysis(sc, space.n_states, len(space.action_state), len(space.tr_prob), time.perf_counter() - start,
                    best, worst, policies, decisions, visit_map)


def _most_per_state(space, points) -> np.ndarray:
    most = np.zeros(space.n_states)
    if len(points):
        np.maximum.at(most, space.action_state, points)
    return most


def _endings(space, state_visits) -> tuple[dict, dict]:
    sc = space.scenario
    n = len(sc.nodes)
    endings, outcomes = {}, {}
    for s in np.flatnonzero(space.is_ending()):
        p = float(state_visits[s])
        if p <= 0:
            continue
        ending = sc.endings[int(space.target[s]) - n]
        endings[ending.id] = endings.get(ending.id, 0.0) + p
        outcomes[ending.outcome] = outcomes.get(ending.outcome, 0.0) + p
    return endings, outcomes


def _summary(space, name, values, state_visits) -> PlayResult:
    endings, outcomes = _endings(space, state_visits)
    return PlayResult(name, 100.0 + float(values[space.start]), endings, outcomes)


def _play(ctx, space, name, policy, points, tiers) -> PlayResult:
    """A deterministic policy's playthroughs (every combination of random outcomes), each graded."""
    sc = space.scenario
    n = len(sc.nodes)
    done: list[Playthrough] = []
    work = [(space.start, 1.0, (), 0.0, -1, frozenset())]
    lost_paths = 0.0
    while work and len(done) < PLAYTHROUGH_LIMIT:
        s, prob, steps, lost, worst, seen = work.pop()
        at = int(space.target[s])
        if at >= n:
            ending = sc.endings[at - n]
            result = _result(ctx, lost, worst, bool(ctx.ending_errors(ending.id)))
            done.append(Playthrough(prob, list(steps), ending.id, max(0.0, 100.0 - lost), result))
            continue
        acts = [a for a in space.actions_of(s) if policy[a] > 0]
        if not acts or s in seen:
            lost_paths += prob  # no option here, or the policy goes round a loop
            continue
        a = acts[0]
        choice = space.options[space.action_option[a]]
        step = (sc.nodes[at].id, choice.id)
        for t in reversed(space.transitions_of(a)):
            work.append((int(space.tr_next[t]), prob * float(space.tr_prob[t]), steps + (step,),
                         lost + float(points[a]), max(worst, int(tiers[a])), seen | {s}))
    done.sort(key=lambda p: -p.probability)
    endings, outcomes, results = {}, {}, {}
    expected = 0.0
    for p in done:
        ending = next(e for e in sc.endings if e.id == p.ending)
        endings[p.ending] = endings.get(p.ending, 0.0) + p.probability
        outcomes[ending.outcome] = outcomes.get(ending.outcome, 0.0) + p.probability
        results[p.result] = results.get(p.result, 0.0) + p.probability
        expected += p.probability * p.score
    total = sum(p.probability for p in done)
    return PlayResult(name, expected / total if total else float("nan"), endings, outcomes, done, results)


def _decisions(space, rand_q, best_q, rand_visits) -> list:
    """Per node: each option's expected score, averaged over the states random play reaches it in."""
    sc = space.scenario
    out = []
    weights = rand_visits[space.action_state]
    for i, node in enumerate(sc.nodes):
        s0, s1 = int(space.node_first[i]), int(space.node_first[i + 1])
        a0, a1 = int(space.action_first[s0]), int(space.action_first[s1])
        reach = float(rand_visits[s0:s1].sum())
        if a0 == a1 or reach <= 0:
            continue
        opts = space.action_option[a0:a1]
        rows = []
        for o in np.unique(opts):
            mine = np.flatnonzero(opts == o) + a0
            w = weights[mine]
            if w.sum() <= 0:
                continue
            rows.append((space.options[o].id, 100.0 + float(np.dot(w, rand_q[mine]) / w.sum()),
                         100.0 + float(np.dot(w, best_q[mine]) / w.sum())))
        if len(rows) < 1:
            continue
        order = {c.id: k for k, c in enumerate(list(node.choices) + ([node.timer.expire] if node.timer else []))}
        rows.sort(key=lambda r: order.get(r[0], 0))
        scores = [r[1] for r in rows]
        out.append(DecisionImpact(node.id, reach, max(scores) - min(scores), rows))
    out.sort(key=lambda d: -d.reach * d.spread)
    return out


def to_json(analysis: Analysis) -> dict:
    """The analysis as JSON-ready data (ids and numbers; `text` fields in the scenario's language)."""
    sc = analysis.scenario
    lang = sc.language

    def scene(node_id):
        node = sc.nodes[sc.target_index[node_id]]
        return (node.label or node.narrative).get(lang, lang)

    def choice_text(cid):
        c = sc.choice_by_id[cid]
        return c.text.get(lang, lang) if c.text is not None else "(waits: the timer runs out)"

    def play(r: PlayResult) -> dict:
        finite = r.expected_score == r.expected_score  # NaN: the policy may never finish
        data = {"policy": r.policy, "expected_score": round(r.expected_score, 6) if finite else None,
                "endings": {k: round(v, 9) for k, v in sorted(r.endings.items())},
                "outcomes": {k: round(v, 9) for k, v in sorted(r.outcomes.items())}}
        if r.results:
            data["results"] = {k: round(v, 9) for k, v in sorted(r.results.items())}
            data["playthroughs"] = [{"probability": round(p.probability, 9), "ending": p.ending, "score": p.score,
                                     "result": p.result,
                                     "steps": [{"node": n, "scene": scene(n), "choice": c, "text": choice_text(c)}
                                               for n, c in p.steps]} for p in r.playthroughs]
        return data

    return {
        "scenario": {"id": sc.id, "version": sc.version, "content_hash": sc.content_hash},
        "size": {"nodes": len(sc.nodes), "endings": len(sc.endings), "states": analysis.states,
                 "options": analysis.actions, "transitions": analysis.transitions},
        "best": play(analysis.best),
        "worst": play(analysis.worst),
        "policies": [play(p) for p in analysis.policies],
        "decisions": [{"node": d.node, "scene": scene(d.node), "reach": round(d.reach, 9),
                       "spread": round(d.spread, 6),
                       "options": [{"choice": c, "text": choice_text(c), "random_after": round(r, 6),
                                    "best_after": round(b, 6)} for c, r, b in d.options]}
                      for d in analysis.decisions],
        "visits": {k: round(v, 9) for k, v in analysis.visits.items()},
    }
