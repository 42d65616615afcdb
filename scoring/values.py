"""The value of one decision under the rubric: the points its grade takes off, which the debrief and
the path search use to value options by the expected final score with good play afterwards."""
from __future__ import annotations

from simulator.engine.model import Choice

from .context import Context
from .exact import debrief_values
from .paths import Search


def points(ctx: Context, choice: Choice, pre: tuple) -> float:
    """Points the decision takes off the overall score in state `pre` (0 for a good decision)."""
    key = ("points", choice.id, pre)
    hit = ctx.memo.get(key)
    if hit is None:
        tier = ctx.effective_grade(choice, pre)
        hit = ctx.memo[key] = 0.0 if tier == "good" else float(ctx.rubric.grades[tier]["overall"])
    return hit


def force_offered(ctx: Context, node, pre: tuple) -> bool:
    """True when a force option (above officer presence) is available at `node` in state `pre`."""
    key = ("offered", node.index, pre)
    hit = ctx.memo.get(key)
    if hit is None:
        hit = ctx.memo[key] = any(c.force is not None and c.force != "presence" and (c.test is None or c.test(pre))
                                  for c in node.choices)
    return hit


def _most_points(ctx: Context, node, pre: tuple) -> float:
    """The most points any option at `node` in state `pre` takes off (timer included)."""
    key = ("most", node.index, pre)
    hit = ctx.memo.get(key)
    if hit is None:
        options = [c for c in node.choices if c.test is None or c.test(pre)]
        if node.timer is not None:
            options.append(node.timer.expire)
        hit = ctx.memo[key] = max((points(ctx, c, pre) for c in options), default=0.0)
    return hit


def decision_reward(ctx: Context, pre: tuple, choice: Choice, post: tuple, maximise: bool = True) -> float:
    """A decision's reward for the path search: minus the points it takes off, so the best play is
    the one with the highest expected final score. For the worst-play search the reward is measured
    from the worst option at that node instead (never negative), so that no cycle of states is worth
    repeating for either search and both are exact (docs/scoring.md)."""
    lost = points(ctx, choice, pre)
    if maximise:
        return -lost
    return _most_points(ctx, ctx.scenario.nodes[choice.node], pre) - lost


def terminal_value(ctx: Context, at: int, values: tuple) -> float:
    """Reaching an ending takes nothing off: the grade judges the decisions, not how it turned out."""
    return 0.0


def search_for(ctx: Context, maximise: bool = True) -> Search:
    """The cached best-play (or worst-play) search for this scenario and rubric."""
    key = ("search", maximise)
    search = ctx.memo.get(key)
    if search is None:
        search = ctx.memo[key] = Search(
            ctx.scenario, lambda pre, choice, outcome, post: decision_reward(ctx, pre, choice, post, maximise),
            lambda at, values: terminal_value(ctx, at, values), maximise=maximise)
    return search


LOOKAHEAD = 1  # decisions looked ahead when the scenario is too large to solve exactly (scoring/exact.py)


def lookahead_value(ctx: Context, at: int, values: tuple, depth: int) -> float:
    """Best expected value over the next `depth` decisions (nothing more is taken off after the horizon)."""
    sc = ctx.scenario
    if at >= len(sc.nodes):
        return terminal_value(ctx, at, values)
    if depth <= 0:
        return 0.0
    key = ("look", at, values, depth)
    hit = ctx.memo.get(key)
    if hit is None:
        search = search_for(ctx, True)
        qs = [lookahead_q(ctx, search, at, values, c, depth) for c in search.options(at, values)]
        hit = ctx.memo[key] = max(qs) if qs else 0.0
    return hit


def lookahead_q(ctx: Context, search: Search, at: int, values: tuple, choice: Choice, depth: int) -> float:
    """Expected value of `choice` now, then the best play for `depth - 1` more decisions."""
    return sum(p * (r + lookahead_value(ctx, nat, nv, depth - 1))
               for _, p, nat, nv, r in search.branches(at, values, choice))


def option_values(ctx: Context, at: int, values: tuple) -> tuple[list, str]:
    """[(value, choice)] for every option at node index `at` in state `values` (timer expiry
    included), and the method: "exact" (best achievable play afterwards, over every random
    outcome: the engine's exact analysis, scoring/exact.py) or "lookahead-N" when the scenario has
    too many states to solve exactly, or the state is not one the scenario's start can reach."""
    key = ("options", at, values)
    hit = ctx.memo.get(key)
    if hit is not None:
        return hit
    best = debrief_values(ctx)
    rows = best.option_values(at, values) if best is not None else None
    if rows is not None:
        hit = ctx.memo[key] = (rows, "exact")
        return hit
    search = search_for(ctx, True)
    rows = [(lookahead_q(ctx, search, at, values, c, LOOKAHEAD), c) for c in search.options(at, values)]
    hit = ctx.memo[key] = (rows, f"lookahead-{LOOKAHEAD}")
    return hit
