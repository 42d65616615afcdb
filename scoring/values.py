"""The value of one decision under the rubric: the reward the debrief and the path search optimise."""
from __future__ import annotations

from simulator.engine.model import ESCALATION, RAPPORT, Choice

from .context import Context
from .paths import Search, SearchBudgetExceeded


def local_value(ctx: Context, choice: Choice, pre: tuple) -> float:
    """What a choice is worth in itself in state `pre`: its tags (each tag weight times its
    competency's weight), the proportionality of any force or the restraint shown, and minus the
    critical-error penalty if it is one."""
    key = ("local", choice.id, pre)
    hit = ctx.memo.get(key)
    if hit is not None:
        return hit
    dv = ctx.rubric.decision_value
    ev = ctx.rubric.evidence
    node = ctx.scenario.nodes[choice.node]
    value = ctx.tag_value[choice.id]
    if ctx.decision_errors_for(choice, node.id, pre):
        value -= dv["critical_error"]
    prop = ctx.comp_index.get("proportionality")
    pw = ctx.rubric.competencies[prop].weight * dv["tag_scale"] if prop is not None else 0.0
    if choice.force is not None:
        fc = ctx.force_check(choice, pre)
        value += pw * (ev["force_disproportionate"] if not fc.proportionate else
                       ev["force_lower_alternative"] if fc.lower else ev["force_proportionate"])
    elif not choice.is_timeout and ev.get("restraint") and force_offered(ctx, node, pre):
        comp = ctx.comp_index.get(ev["restraint"]["competency"])
        if comp is not None:
            value += ev["restraint"]["weight"] * ctx.rubric.competencies[comp].weight * dv["tag_scale"]
    ctx.memo[key] = value
    return value


def force_offered(ctx: Context, node, pre: tuple) -> bool:
    """True when a force option (above officer presence) is available at `node` in state `pre`."""
    key = ("offered", node.index, pre)
    hit = ctx.memo.get(key)
    if hit is None:
        hit = ctx.memo[key] = any(c.force is not None and c.force != "presence" and (c.test is None or c.test(pre))
                                  for c in node.choices)
    return hit


def _reference(ctx: Context, node, pre: tuple, maximise: bool) -> float:
    """The best (or worst) local value among the options at `node` in state `pre`, timer included."""
    key = ("ref", maximise, node.index, pre)
    hit = ctx.memo.get(key)
    if hit is None:
        options = [c for c in node.choices if c.test is None or c.test(pre)]
        if node.timer is not None:
            options.append(node.timer.expire)
        values = [local_value(ctx, c, pre) for c in options]
        hit = ctx.memo[key] = (max(values) if maximise else min(values)) if values else 0.0
    return hit


def decision_reward(ctx: Context, pre: tuple, choice: Choice, post: tuple, maximise: bool = True) -> float:
    """A decision's reward for the path search: its local value relative to the best option at
    that node (the worst, when searching for the worst play), plus the escalation and rapport
    change it caused. Relative values make a longer path worth nothing extra, so no cycle of
    states is ever worth repeating and the search is exact (docs/scoring.md)."""
    dv = ctx.rubric.decision_value
    node = ctx.scenario.nodes[choice.node]
    value = local_value(ctx, choice, pre) - _reference(ctx, node, pre, maximise)
    value -= dv["escalation"] * (post[ESCALATION] - pre[ESCALATION])
    value += dv["rapport"] * (post[RAPPORT] - pre[RAPPORT])
    return value


def terminal_value(ctx: Context, at: int, values: tuple) -> float:
    """Rubric value of reaching the ending at target index `at` with `values`."""
    dv = ctx.rubric.decision_value
    ending = ctx.scenario.ending_at(at)
    value = dv["endings"].get(ending.outcome, 0.0) - dv["final_escalation"] * values[ESCALATION]
    if ctx.ending_errors(ending.id):
        value -= dv["critical_error"]
    return value


def search_for(ctx: Context, maximise: bool = True) -> Search:
    """The cached best-play (or worst-play) search for this scenario and rubric."""
    key = ("search", maximise)
    search = ctx.memo.get(key)
    if search is None:
        search = ctx.memo[key] = Search(
            ctx.scenario, lambda pre, choice, outcome, post: decision_reward(ctx, pre, choice, post, maximise),
            lambda at, values: terminal_value(ctx, at, values), maximise=maximise)
    return search


EXACT_STATE_BUDGET = 25_000  # solve exactly when the reachable states fit; else look ahead
MIN_STATES_PER_NODE = 25  # a node is reached in at least this many states in any real scenario
LOOKAHEAD = 1  # decisions looked ahead when the scenario is too large to solve exactly


def lookahead_value(ctx: Context, at: int, values: tuple, depth: int) -> float:
    """Best expected value over the next `depth` decisions (endings scored in full; at the horizon
    the subject's escalation level counts as if the scenario ended there)."""
    sc = ctx.scenario
    if at >= len(sc.nodes):
        return terminal_value(ctx, at, values)
    if depth <= 0:
        return -ctx.rubric.decision_value["final_escalation"] * values[ESCALATION]
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
    outcome) or "lookahead-N" when the scenario has too many states to solve exactly."""
    key = ("options", at, values)
    hit = ctx.memo.get(key)
    if hit is not None:
        return hit
    search = search_for(ctx, True)
    exact = ctx.memo.get("exact")
    if exact is None and len(ctx.scenario.nodes) * MIN_STATES_PER_NODE >= EXACT_STATE_BUDGET:
        exact = ctx.memo["exact"] = False  # certainly too large: do not spend the budget finding out
    if exact is None or exact:
        search.budget = EXACT_STATE_BUDGET
        try:
            rows = [(search.q(at, values, c), c) for c in search.options(at, values)]
            ctx.memo["exact"] = True
            hit = ctx.memo[key] = ([(q, c) for q, c in rows if q is not None], "exact")
            return hit
        except SearchBudgetExceeded:
            ctx.memo["exact"] = False
    rows = [(lookahead_q(ctx, search, at, values, c, LOOKAHEAD), c) for c in search.options(at, values)]
    hit = ctx.memo[key] = (rows, f"lookahead-{LOOKAHEAD}")
    return hit
