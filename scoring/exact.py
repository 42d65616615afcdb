"""Grading's view of the engine's exact analysis: the points each decision takes off, as one NumPy array
over the scenario's actions, and best play solved once per (scenario, rubric).

The debrief values an option by the expected final score of taking it and playing as well as
possible afterwards (scoring/values.py); `parley analyze` and `parley lint` read the same arrays.
"""
from __future__ import annotations

import numpy as np

from simulator.engine.analysis import StateSpace, StateSpaceTooLarge, explore, solve
from simulator.engine.model import GRADES

from .context import Context

# Reachable states past which the debrief looks ahead instead of solving: about a second of work per
# 1,000,000 states, so a scenario's own size sets the budget (a 1,000-node scenario may have millions;
# five scenes whose values can run through a billion levels may not).
STATES_PER_NODE = 5_000
STATES_BASE = 100_000


def state_limit(scenario) -> int:
    """The most reachable states the debrief solves exactly for this scenario."""
    return STATES_PER_NODE * len(scenario.nodes) + STATES_BASE


def grades_array(ctx: Context, space: StateSpace) -> tuple[np.ndarray, np.ndarray]:
    """(points, tiers): the points each action (a choice in a state) takes off the overall score (0 for
    a good decision) and its effective grade as an index into GRADES (critical errors applied).

    A decision's grade depends on the state only through the `when` of critical errors that could
    apply to it; options without such a condition are graded once, the others state by state."""
    sc = ctx.scenario
    per_option = np.zeros(len(space.options))
    tier_option = np.zeros(len(space.options), dtype=np.int64)
    varies = np.zeros(len(space.options), dtype=bool)
    conditional = [ce for ce, test in ctx.decision_errors if test is not None and ce.check == "decision"]
    for i, choice in enumerate(space.options):
        node_id = sc.nodes[choice.node].id
        tags = set(choice.tags)
        varies[i] = any((choice.id in ce.choices or tags & ce.tags) and choice.id not in ce.except_choices
                        and node_id not in ce.except_nodes for ce in conditional)
        if not varies[i]:
            per_option[i], tier_option[i] = _graded(ctx, choice, sc.initial_values)
    points = per_option[space.action_option]
    tiers = tier_option[space.action_option]
    for a in np.flatnonzero(varies[space.action_option]):
        choice = space.options[space.action_option[a]]
        points[a], tiers[a] = _graded(ctx, choice, tuple(int(x) for x in space.values[space.action_state[a]]))
    return points, tiers


def points_array(ctx: Context, space: StateSpace) -> np.ndarray:
    """The points each action takes off the overall score (see `grades_array`)."""
    return grades_array(ctx, space)[0]


def _graded(ctx: Context, choice, pre: tuple) -> tuple[float, int]:
    tier = ctx.effective_grade(choice, pre)
    return (0.0 if tier == "good" else float(ctx.rubric.grades[tier]["overall"])), GRADES.index(tier)


class BestPlay:
    """The state space, the points of every action, and best play's values (minus points still to lose)."""

    def __init__(self, ctx: Context, space: StateSpace):
        self.space = space
        self.points, self.tiers = grades_array(ctx, space)
        self.values, self.q = solve(space, -self.points, 0.0, "max")

    def option_values(self, at: int, values: tuple) -> list | None:
        """[(value, choice)] for every option in a state (None when the state is not reachable)."""
        sid = self.space.state_id(at, values)
        if sid is None:
            return None
        sp = self.space
        return [(float(self.q[a]), sp.options[sp.action_option[a]]) for a in sp.actions_of(sid)
                if not np.isnan(self.q[a])]


def best_play(ctx: Context) -> BestPlay | None:
    """The cached best-play analysis for the context's scenario and rubric; None when the scenario has
    more than `state_limit` reachable states."""
    hit = ctx.memo.get("best-play", False)
    if hit is False:
        try:
            hit = BestPlay(ctx, explore(ctx.scenario, limit=state_limit(ctx.scenario)))
        except StateSpaceTooLarge:
            hit = None
        ctx.memo["best-play"] = hit
    return hit
