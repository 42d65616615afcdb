"""Lint: warnings with stable codes about a loaded scenario's fairness, teaching value and length.

Pure logic, no I/O: `lint_scenario(scenario, doc)` reads the compiled scenario and the parsed YAML
document (for line and column) and returns `Diagnostic`s; it never changes a file. Every code is
explained in docs/lint.md (a test keeps the two in step). `validate`'s own warnings (the tells,
missing translations, choices without feedback...) are not repeated here.

Checks come in two kinds. Static ones read the scenario once and are fast. Three need an exact
analysis of every reachable state: `negative_training`, `good_play_endings` and
`playthrough_seconds`, each a small function with a plain signature, so that a faster exact
analysis (simulator/engine/analysis.py) can replace the body without touching the checks.
"""
from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np

from ..content.checks import iter_choices
from ..content.diagnostics import Diagnostic
from ..content.yamlsafe import YamlDocument
from ..engine.model import GRADES, Choice, Scenario
from ..i18n import _, ngettext

# --- playing time -------------------------------------------------------------------------------
# Silent reading of English non-fiction by adults: 238 words per minute (M. Brysbaert, "How many
# words do we read per minute? A review and meta-analysis of reading rate", Journal of Memory and
# Language 109, 2019). Scene text is short and concrete, so the mean rate is a fair estimate.
READING_WPM = 238
# Time to weigh the options once they are read, per decision. Parley's own choice, not a measured
# value: the bundled scenarios' decision timers give 8-20 seconds for the whole decision, reading
# included, so a few seconds beyond reading is what their authors expect.
DECISION_SECONDS = 5.0
# The stated `minutes` is an estimate; lint warns only when it is off by more than this factor:
# the quickest playthrough takes more than MINUTES_TOLERANCE times the stated minutes, or the
# longest takes less than the stated minutes divided by it.
MINUTES_TOLERANCE = 1.5
GOOD_PLAY = ("good", "acceptable")  # the grades good play takes (docs/lint.md, "good play")
SUCCESS_OUTCOMES = ("resolved", "referred")
STATE_BUDGET = 500_000  # the exact searches below stop (and the check is skipped) past this many states

_WORD = re.compile(r"\w+(?:['\u2019-]\w+)*")


@dataclass(frozen=True)
class NegativeTraining:
    """A worse-graded option with a higher expected final score (best play afterwards) than the
    best-graded option at the same node, in `states` of the reachable states there."""

    node: str
    choice: str
    grade: str
    expected: float
    best_choice: str
    best_grade: str
    best_expected: float
    states: int


class TooManyStates(RuntimeError):
    """An exact search passed STATE_BUDGET states; the check that needed it is skipped."""


# --- entry point ----------------------------------------------------------------------------------
def lint_scenario(scenario: Scenario, doc: YamlDocument, timings: dict | None = None) -> list[Diagnostic]:
    """Every lint warning for `scenario`, loaded from the file `doc` was parsed from.

    `doc` gives positions (`doc.position(path)`, the loader's own position index). When `timings` is
    a dict, each check adds the seconds it took under its name."""
    where = _Where(scenario, doc)
    found: list[Diagnostic] = []
    for name, check in CHECKS:
        start = time.perf_counter()
        found += check(scenario, where)
        if timings is not None:
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - start
    return sorted(found, key=lambda d: (d.line, d.column, d.code, d.message))


class _Where:
    """Positions of nodes, choices and endings in the source file, and names people read."""

    def __init__(self, scenario: Scenario, doc: YamlDocument):
        self.scenario = scenario
        self.doc = doc
        data = doc.data if isinstance(doc.data, dict) else {}
        self.choice_path = {c.get("id"): path for path, c, _n, _t in iter_choices(data)}

    def at(self, path: tuple, key: bool = False) -> tuple[int, int]:
        return self.doc.position(tuple(path), key) or (0, 0)

    def warn(self, path: tuple, code: str, message: str, hint: str, key: bool = False) -> Diagnostic:
        line, column = self.at(path, key) if path else (0, 0)
        return Diagnostic(self.doc.file, line, column, "warning", code, message, hint)

    def choice(self, choice_id: str) -> tuple:
        return self.choice_path.get(choice_id, ())

    def text(self, value) -> str:
        return value.get(self.scenario.language, self.scenario.language) if value is not None else ""

    def scene(self, node) -> str:
        return self.text(node.label) or node.id


# --- static checks --------------------------------------------------------------------------------
def check_untagged(scenario: Scenario, where: _Where) -> list[Diagnostic]:
    """`lint-untagged-choice`: a choice or timer expiry with no technique tag."""
    found = []
    for node in scenario.nodes:
        for choice in node.choices + ((node.timer.expire,) if node.timer else ()):
            if not choice.tags:
                found.append(where.warn(where.choice(choice.id), "lint-untagged-choice",
                                        _("choice {id!r} has no technique tags: it shows no competency and no "
                                          "behaviour rule reacts to it").format(id=choice.id),
                                        _("add `tags:` that say what the officer does (simulator/engine/behaviour.yaml "
                                          "lists them)")))
    return found


def check_expiry_feedback(scenario: Scenario, where: _Where) -> list[Diagnostic]:
    """`lint-expiry-without-feedback`: a timer expiry the debrief cannot explain (validate's
    `no-feedback` covers the choices, not the expiries)."""
    found = []
    for node in scenario.nodes:
        if node.timer is not None and node.timer.expire.feedback is None:
            expire = node.timer.expire
            found.append(where.warn(where.choice(expire.id), "lint-expiry-without-feedback",
                                    _("the timer at {scene!r} runs out into {id!r}, which has no feedback").format(
                                        scene=where.scene(node), id=expire.id),
                                    _("add `feedback:` saying why not deciding in time helps or hurts here; the "
                                      "debrief shows it")))
    return found


def check_perspective(scenario: Scenario, where: _Where) -> list[Diagnostic]:
    """`lint-no-perspective`: a node or ending without the person's perspective."""
    found = []
    for node in scenario.nodes:
        if node.perspective is None:
            found.append(where.warn(("nodes", node.id), "lint-no-perspective",
                                    _("scene {scene!r} does not say what the person is experiencing").format(
                                        scene=where.scene(node)),
                                    _("add `perspective:`, the person's side of this moment; the debrief shows it"),
                                    key=True))
    for ending in scenario.endings:
        if ending.perspective is None:
            found.append(where.warn(("endings", ending.id), "lint-no-perspective",
                                    _("ending {id!r} does not say how it was for the person").format(id=ending.id),
                                    _("add `perspective:`, the person's side of the ending; the debrief shows it"),
                                    key=True))
    return found


def _effects(effects) -> tuple:
    # written order within one variable matters (`=0` then `+1`); the order between variables does not
    return tuple((e.slot, e.relative, e.amount) for e in sorted(effects, key=lambda e: e.slot))


def decision_signature(choice: Choice) -> tuple:
    """Everything a choice does, whatever the state: grade, what it counts against, force, revealing,
    its effects, the behaviour rules its tags trigger, and where it leads with what probability
    (each outcome with its effects and condition). Equal signatures: the choices cannot differ."""
    if choice.outcomes:
        total = sum(o.weight for o in choice.outcomes)
        leads = tuple(sorted((o.target, _effects(o.effects), o.condition or "", round(o.weight / total, 12))
                             for o in choice.outcomes))
    else:
        leads = ((choice.target, (), "", 1.0),)
    return (choice.grade, tuple(sorted(choice.against)), choice.force, choice.reveals, _effects(choice.effects),
            tuple(sorted(r.id for r in choice.rules)), leads)


def check_same_effect(scenario: Scenario, where: _Where) -> list[Diagnostic]:
    """`lint-decision-cannot-matter`: two or more options at a node, all with one signature."""
    found = []
    for node in scenario.nodes:
        if len(node.choices) >= 2 and len({decision_signature(c) for c in node.choices}) == 1:
            found.append(where.warn(("nodes", node.id, "choices"), "lint-decision-cannot-matter",
                                    _("every option at {scene!r} has the same grade and the same effects and leads "
                                      "to the same place: this decision cannot matter").format(
                                        scene=where.scene(node)),
                                    _("make the options differ in grade, effects or where they lead, or make the "
                                      "scene a single option")))
    return found


# --- checks that need an exact analysis --------------------------------------------------------------
def _analysis(scenario: Scenario):
    """The scenario's exact analysis with grading's points (scoring/exact.py), built once per scenario;
    raises TooManyStates past STATE_BUDGET states."""
    from scoring.context import context_for
    from scoring.exact import best_play
    ctx = context_for(scenario)
    best = best_play(ctx)
    if best is None or best.space.n_states > STATE_BUDGET:
        raise TooManyStates(scenario.id)
    return ctx, best


def negative_training(scenario: Scenario) -> list[NegativeTraining]:
    """Every (node, option) where the option, graded worse than the best-graded option there, has
    a higher expected final score with best play afterwards, in some reachable state (the acceptance
    audit's check, scoring/audit.py, read from the exact analysis), one entry per node and option
    with the largest difference."""
    _ctx, best = _analysis(scenario)
    space, q, tiers = best.space, best.q, best.tiers
    counts = np.diff(space.action_first)
    has = counts > 0
    if not has.any():
        return []
    starts = space.action_first[:-1][has]
    top = np.repeat(np.minimum.reduceat(tiers, starts), counts[has])  # the best grade on offer, per action
    floor = np.repeat(np.fmin.reduceat(np.where(tiers == top, q, np.inf), starts), counts[has])
    bad = np.flatnonzero((tiers > top) & (q > floor + 1e-9))
    merged: dict[tuple, NegativeTraining] = {}
    for a in bad:
        s = int(space.action_state[a])
        a0, a1 = int(space.action_first[s]), int(space.action_first[s + 1])
        best_a = min((b for b in range(a0, a1) if tiers[b] == top[a]), key=lambda b: q[b])
        choice = space.options[space.action_option[a]]
        best_choice = space.options[space.action_option[best_a]]
        key = (scenario.nodes[choice.node].id, choice.id)
        old = merged.get(key)
        row = NegativeTraining(key[0], choice.id, GRADES[tiers[a]], 100 + float(q[a]), best_choice.id,
                               GRADES[tiers[best_a]], 100 + float(q[best_a]), 1 + (old.states if old else 0))
        if old is not None and old.expected - old.best_expected >= row.expected - row.best_expected:
            row = NegativeTraining(*(getattr(old, f) for f in NegativeTraining.__dataclass_fields__
                                     if f != "states"), row.states)
        merged[key] = row
    return list(merged.values())


def good_play_endings(scenario: Scenario) -> set[str]:
    """Ids of the endings good play can reach. Good play takes, in every state, only decisions
    (choices, or letting the timer run out) whose grade is good or acceptable after the rubric's
    critical errors are applied; every such decision and every random outcome is followed, exactly,
    over (node, values) states. A state with no such decision ends good play there."""
    _ctx, best = _analysis(scenario)
    space = best.space
    allowed = np.isin(best.tiers, [GRADES.index(g) for g in GOOD_PLAY])
    reached = _reachable(space, allowed[space.tr_action])
    n = len(scenario.nodes)
    return {scenario.target_ids[int(t)] for t in space.target[reached] if t >= n}


def _reachable(space, use: np.ndarray) -> np.ndarray:
    """The states reachable from the start through the transitions where `use` holds."""
    from scipy import sparse
    from scipy.sparse import csgraph
    k = space.n_states
    src = space.action_state[space.tr_action][use]
    graph = sparse.csr_matrix((np.ones(len(src), dtype=np.int8), (src, space.tr_next[use])), shape=(k, k))
    order = csgraph.breadth_first_order(graph, space.start, directed=True, return_predecessors=False)
    found = np.zeros(k, dtype=bool)
    found[order] = True
    return found


def playthrough_seconds(scenario: Scenario) -> tuple[float, float]:
    """(quickest, longest) estimated seconds of a playthrough, from the briefing to an ending, over
    every decision and random outcome (exact, over (node, values) states): reading the scene and
    the options available there, DECISION_SECONDS to decide (at most the timer's seconds; all of them
    when it runs out), the reaction's text, and the ending's.

    The quickest is exact (Dijkstra). Where play cannot come back to a state, the longest is exact
    too. Where it can (a loop), going round again has no end, so the longest counts playthroughs that
    never repeat a state, and bounds them from above: a loop's states count once each, at their
    longest decision, before its longest way out."""
    from scipy import sparse
    from scipy.sparse import csgraph
    _ctx, best = _analysis(scenario)
    space = best.space
    cost, finish = _costs(scenario, space)
    k = space.n_states
    src = space.action_state[space.tr_action]
    nxt = space.tr_next
    # quickest: duplicates (two options to the same state) keep the cheaper one
    order = np.lexsort((cost, nxt, src))
    first = np.ones(len(order), dtype=bool)
    first[1:] = (src[order][1:] != src[order][:-1]) | (nxt[order][1:] != nxt[order][:-1])
    pick = order[first]
    graph = sparse.csr_matrix((cost[pick], (src[pick], nxt[pick])), shape=(k, k))
    dist = csgraph.dijkstra(graph, directed=True, indices=space.start)
    done = space.is_ending() | (np.diff(space.action_first) == 0)
    quickest = float(np.min(dist[done] + finish[done]))
    # longest: over the strongly connected components (sinks first: SciPy numbers them that way)
    unit = sparse.csr_matrix((np.ones(len(src), dtype=np.int8), (src, nxt)), shape=(k, k))
    n_comp, label = csgraph.connected_components(unit, directed=True, connection="strong")
    size = np.bincount(label, minlength=n_comp)
    selfloop = np.zeros(n_comp, dtype=bool)
    selfloop[label[src[src == nxt]]] = True
    looped = (size > 1) | selfloop
    inside = label[src] == label[nxt]
    if ((label[src] < label[nxt]) & ~inside).any():  # never: SciPy numbers a component after those it reaches
        raise RuntimeError("unexpected component order")
    most = np.zeros(k)
    np.maximum.at(most, src, cost)
    loop_cost = np.bincount(label, weights=most, minlength=n_comp)
    comp_best = np.full(n_comp, -np.inf)
    np.maximum.at(comp_best, label[done], finish[done])
    edge_src, edge_nxt, edge_cost = src[~inside], nxt[~inside], cost[~inside]
    by_label = np.argsort(label[edge_src], kind="stable")
    edge_src, edge_nxt, edge_cost = edge_src[by_label], edge_nxt[by_label], edge_cost[by_label]
    bounds = np.searchsorted(label[edge_src], np.arange(n_comp + 1))
    value = np.full(n_comp, -np.inf)  # a component's longest remaining seconds, entering it
    for c in range(n_comp):  # sinks first, so every component it leads to is done
        e0, e1 = bounds[c], bounds[c + 1]
        out = label[edge_nxt[e0:e1]]
        if looped[c]:
            way_out = max(float(np.max(value[out], initial=-np.inf)), float(comp_best[c]))
            value[c] = loop_cost[c] + (way_out if np.isfinite(way_out) else 0.0)
        else:
            step = edge_cost[e0:e1] + value[out]
            value[c] = max(float(np.max(step, initial=-np.inf)), float(comp_best[c]))
    brief = briefing_seconds(scenario)
    return brief + quickest, brief + float(value[label[space.start]])


def _costs(scenario: Scenario, space) -> tuple[np.ndarray, np.ndarray]:
    """Seconds per transition (the decision it follows) and, per state, the seconds to read its
    ending (0 for states that are not endings)."""
    lang = scenario.language
    node_words = np.array([
        words(node.narrative.get(lang, lang)) + sum(words(line.text.get(lang, lang)) + words(line.said or "")
                                                    for line in node.lines)
        + (words(node.behaviour.get(lang, lang)) if node.behaviour is not None else 0)
        for node in scenario.nodes], dtype=float)
    option_words = np.array([words(c.text.get(lang, lang)) if c.text is not None and not c.is_timeout else 0
                             for c in space.options], dtype=float)
    state_words = np.zeros(space.n_states)
    live = np.flatnonzero(~space.is_ending())
    state_words[live] = node_words[space.target[live]]
    np.add.at(state_words, space.action_state, option_words[space.action_option])
    seconds = state_words * 60.0 / READING_WPM + DECISION_SECONDS
    timer = np.array([node.timer.seconds if node.timer is not None else np.inf for node in scenario.nodes])
    state_timer = np.full(space.n_states, np.inf)
    state_timer[live] = timer[space.target[live]]
    action_seconds = np.minimum(seconds, state_timer)[space.action_state]
    timeout = np.array([c.is_timeout for c in space.options])[space.action_option]
    action_seconds = np.where(timeout, state_timer[space.action_state], action_seconds)
    cost = action_seconds[space.tr_action]
    outcome_words = {}
    for i, c in enumerate(space.options):
        for o in c.outcomes:
            if o.text is not None:
                outcome_words[(i, o.index)] = words(o.text.get(lang, lang))
    if outcome_words:
        extra = np.array([outcome_words.get((int(space.action_option[a]), int(o)), 0)
                          for a, o in zip(space.tr_action, space.tr_outcome)], dtype=float)
        cost = cost + extra * 60.0 / READING_WPM
    finish = np.zeros(space.n_states)
    n = len(scenario.nodes)
    for s in np.flatnonzero(space.is_ending()):
        finish[s] = ending_seconds(scenario, scenario.endings[int(space.target[s]) - n])
    return cost, finish


@lru_cache(maxsize=1 << 16)
def words(text: str) -> int:
    """How many words `text` has (runs of letters and digits, with inner apostrophes and hyphens)."""
    return len(_WORD.findall(text))


def _reading(n: int) -> float:
    return n * 60.0 / READING_WPM


def briefing_seconds(scenario: Scenario) -> float:
    """Reading the briefing: title, summary, location, dispatch, content notes and the learning
    objectives shown before play."""
    lang, default = scenario.language, scenario.language
    texts = [scenario.title, scenario.summary, scenario.location, scenario.dispatch, *scenario.content_notes,
             *(o.text for o in scenario.objectives if not o.after_play)]
    return _reading(sum(words(t.get(lang, default)) for t in texts if t is not None))


def ending_seconds(scenario: Scenario, ending) -> float:
    """Reading the ending: its title and text."""
    lang = scenario.language
    return _reading(words(ending.title.get(lang, lang)) + words(ending.text.get(lang, lang)))


def check_negative_training(scenario: Scenario, where: _Where) -> list[Diagnostic]:
    """`lint-negative-training`, from `negative_training`."""
    found = []
    for row in negative_training(scenario):
        node = scenario.nodes[scenario.target_index[row.node]]
        found.append(where.warn(where.choice(row.choice), "lint-negative-training",
                                ngettext("at {scene!r}, {choice!r} is graded {grade} but is worth {expected:.1f} "
                                         "points expected, more than {best!r} ({best_grade}) at {best_expected:.1f} "
                                         "(in {states} state): worse practice pays",
                                         "at {scene!r}, {choice!r} is graded {grade} but is worth {expected:.1f} "
                                         "points expected, more than {best!r} ({best_grade}) at {best_expected:.1f} "
                                         "(in {states} states): worse practice pays", row.states).format(
                                    scene=where.scene(node), choice=row.choice, grade=row.grade,
                                    expected=row.expected, best=row.best_choice, best_grade=row.best_grade,
                                    best_expected=row.best_expected, states=row.states),
                                _("make the better-graded option lead somewhere at least as good, or grade the "
                                  "options again")))
    return found


def check_good_play_endings(scenario: Scenario, where: _Where) -> list[Diagnostic]:
    """`lint-success-needs-poor-play`: a resolved or referred ending that good play never reaches."""
    reached = good_play_endings(scenario)
    found = []
    for ending in scenario.endings:
        if ending.outcome in SUCCESS_OUTCOMES and ending.id not in reached:
            found.append(where.warn(("endings", ending.id), "lint-success-needs-poor-play",
                                    _("ending {id!r} ({outcome}) is reached only after a decision graded mistake "
                                      "or worse: good play never ends here").format(id=ending.id,
                                                                                    outcome=ending.outcome),
                                    _("make sure its text and debrief do not present it as a success, or give it "
                                      "the outcome poor play deserves"), key=True))
    return found


def check_minutes(scenario: Scenario, where: _Where) -> list[Diagnostic]:
    """`lint-longer-than-stated` and `lint-shorter-than-stated`, from `playthrough_seconds`."""
    quickest, longest = playthrough_seconds(scenario)
    stated = scenario.minutes
    if quickest / 60 > stated * MINUTES_TOLERANCE:
        return [where.warn(("minutes",), "lint-longer-than-stated",
                           _("`minutes: {stated}`, but even the quickest playthrough takes about {quick:.1f} minutes "
                             "to read and decide").format(stated=stated, quick=quickest / 60),
                           _("state at least {least} minutes, or shorten the scenario").format(
                               least=math.ceil(quickest / 60 / MINUTES_TOLERANCE)))]
    if longest / 60 * MINUTES_TOLERANCE < stated:
        return [where.warn(("minutes",), "lint-shorter-than-stated",
                           _("`minutes: {stated}`, but even the longest playthrough takes only about {long:.1f} "
                             "minutes to read and decide").format(stated=stated, long=longest / 60),
                           _("state at most {most} minutes, or add to the scenario").format(
                               most=max(1, int(longest / 60 * MINUTES_TOLERANCE))))]
    return []


def _exact(check: Callable) -> Callable:
    """`check`, returning nothing when its analysis cannot run: past STATE_BUDGET states, or when the
    scenario's `scoring:` section has errors (validate reports them; the rubric cannot be compiled)."""
    def guarded(scenario: Scenario, where: _Where) -> list[Diagnostic]:
        from scoring.rubric import RubricError
        try:
            return check(scenario, where)
        except (TooManyStates, RubricError):
            return []
    guarded.__doc__ = check.__doc__
    return guarded


CHECKS = (
    ("untagged", check_untagged),
    ("expiry-feedback", check_expiry_feedback),
    ("perspective", check_perspective),
    ("same-effect", check_same_effect),
    ("negative-training", _exact(check_negative_training)),
    ("good-play-endings", _exact(check_good_play_endings)),
    ("minutes", _exact(check_minutes)),
)
# Every code lint_scenario can return (docs/lint.md explains each).
CODES = ("lint-untagged-choice", "lint-expiry-without-feedback", "lint-no-perspective",
         "lint-decision-cannot-matter", "lint-negative-training", "lint-success-needs-poor-play",
         "lint-longer-than-stated", "lint-shorter-than-stated")
