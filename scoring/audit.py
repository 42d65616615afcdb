"""The acceptance audit of a scenario's grading: exact, over every random outcome, it checks that
best play passes and worst play fails, that naive play (by position or by length) rarely passes, that
single deviations from best play are graded by their tier, that no worse-graded option is worth more
than the best-graded one (no negative training), and that force verdicts agree with the grades.

Pure analysis of the scenario graph (no logs, no sampling): a path's result is computed the way
`scoring.grade` computes it, from the points each decision takes off, the worst tier on the path and
any critical error an ending carries. `tests/test_acceptance.py` asserts it on every shipped scenario;
`benchmarks/acceptance.py` prints it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from simulator.engine.model import BEHAVIOURS, GRADES, Scenario
from simulator.engine.step import State, available_choices, outcome_distribution, transition

from .context import Context, context_for
from .grade import FAIL, NEEDS_PRACTICE, PASS
from .paths import strongly_connected
from .values import points, search_for

NAIVE = ("random", "first", "last", "longest", "shortest", "middle", "not-longest", "not-shortest")
NAIVE_LIMIT = 0.10  # the most often a naive policy may pass
EPS = 1e-9
SEVERE = ("mistake", "major", "critical")


class CycleError(RuntimeError):
    """The scenario's state graph has a cycle reachable by the policy; the audit needs it acyclic."""


@dataclass
class PolicyRow:
    policy: str
    states: int  # augmented states (node, values, points lost, worst tier) the policy can reach
    passed: float
    needs_practice: float
    failed: float
    mean_score: float


@dataclass
class Audit:
    scenario: str
    policies: list = field(default_factory=list)  # PolicyRow
    deviations: list = field(default_factory=list)  # dicts: node, choice, grade, result probabilities, ok
    negative_training: list = field(default_factory=list)  # violations
    force: list = field(default_factory=list)  # dicts: node, choice, force, shows, verdict, grade, ok
    problems: list = field(default_factory=list)  # every failed assertion, in words, with ids

    def row(self, policy: str) -> PolicyRow:
        return next(r for r in self.policies if r.policy == policy)

    @property
    def ok(self) -> bool:
        return not self.problems


def _result(ctx: Context, lost: float, worst: int, ending_error: bool) -> str:
    th = ctx.rubric.thresholds
    # the same order as scoring.grade._result: a low score fails before a major error caps
    if worst >= GRADES.index("critical") or ending_error:
        return FAIL
    score = int(round(max(0.0, 100.0 - lost)))
    if score < th["fail_below"]:
        return FAIL
    if worst >= GRADES.index("major"):
        return NEEDS_PRACTICE
    if score < th["pass"]:
        return NEEDS_PRACTICE
    return PASS


def _options(sc: Scenario, at: int, values: tuple) -> list:
    return available_choices(sc, State(at, values, 0, 0.0))


def _decisions(sc: Scenario, at: int, values: tuple) -> list:
    """Everything the trainee can do in a state: the available choices and, where a timer runs,
    letting it run out (the policies never wait; the other checks cover waiting too)."""
    timer = sc.nodes[at].timer
    return _options(sc, at, values) + ([timer.expire] if timer is not None else [])


def _text_len(sc: Scenario, choice) -> int:
    return len(choice.text.get(sc.language, sc.language)) if choice.text is not None else 0


def policy_distribution(ctx: Context, policy: str, at: int, values: tuple) -> list:
    """[(choice, probability)] the policy takes in this state. `first`, `last` and `random` are the
    same over options shuffled uniformly per visit (a session's default): uniform over the options."""
    sc = ctx.scenario
    options = _options(sc, at, values)
    if not options:
        return []
    if policy in ("first", "last", "random"):
        return [(c, 1.0 / len(options)) for c in options]
    if policy in ("not-longest", "not-shortest"):  # by elimination of one extreme
        lengths = [_text_len(sc, c) for c in options]
        target = max(lengths) if policy == "not-longest" else min(lengths)
        picked = [c for c, n in zip(options, lengths) if n != target] or options
        return [(c, 1.0 / len(picked)) for c in picked]
    if policy == "middle":  # by elimination: never the longest or the shortest option
        lengths = [_text_len(sc, c) for c in options]
        picked = [c for c, n in zip(options, lengths) if n != max(lengths) and n != min(lengths)] or options
        return [(c, 1.0 / len(picked)) for c in picked]
    if policy in ("longest", "shortest"):
        lengths = [_text_len(sc, c) for c in options]
        target = max(lengths) if policy == "longest" else min(lengths)
        picked = [c for c, n in zip(options, lengths) if n == target]  # ties: uniform, as shuffled
        return [(c, 1.0 / len(picked)) for c in picked]
    search = search_for(ctx, policy == "best")
    choice = search.policy(at, values)
    return [(choice, 1.0)] if choice is not None else []


def _next(sc: Scenario, at: int, values: tuple, choice, outcome) -> tuple[int, tuple]:
    """Where a decision leads: (target index, values), by the engine's own step function."""
    state = transition(sc, State(at, values, 0, 0.0), choice, outcome, 1.0, 0.0, [], "audit", None)
    return state.at, sc.canonical(state.values)  # display-only variables never split a state


def _moves(ctx: Context, policy: str, at: int, values: tuple) -> list:
    """[(probability, next node, next values, points, tier index)] of `policy` in a state; cached."""
    kind = "uniform" if policy in ("first", "last", "random") else policy
    key = ("audit-moves", kind, at, values)
    hit = ctx.memo.get(key)
    if hit is None:
        sc = ctx.scenario
        hit = []
        for choice, pc in policy_distribution(ctx, policy, at, values):
            pts = points(ctx, choice, values)
            tier = GRADES.index(ctx.effective_grade(choice, values))
            for outcome, po in outcome_distribution(sc, State(at, values, 0, 0.0), choice):
                hit.append((pc * po, *_next(sc, at, values, choice, outcome), pts, tier))
        ctx.memo[key] = hit
    return hit


LOST_CAP = 100.0  # points lost beyond this change nothing (the score is 0): keeps the state space finite


def evaluate(ctx: Context, policy: str, starts: list) -> dict:
    """For each augmented start state (node, values, points lost so far, worst tier index so far):
    (pass, needs practice, fail, mean score, augmented states) of playing `policy` from there to an
    ending, exactly over every random outcome.

    Scenarios may loop (a state can come back), so this is a Markov chain, solved over the finite
    graph of augmented states (points lost capped at LOST_CAP): states in depth-first post-order,
    Gauss-Seidel sweeps until nothing changes by more than 1e-13 (one sweep when there is no cycle).
    Probability of never reaching an ending (a policy that loops for ever) counts as not passing and
    scores nothing."""
    sc = ctx.scenario
    edges: dict = {}
    terminal: dict = {}
    order: list = []
    for root in starts:
        if root in edges or root in terminal:
            continue
        stack = [(root, False)]
        while stack:
            state, expanded = stack.pop()
            if expanded:
                order.append(state)
                continue
            if state in edges or state in terminal:
                continue
            at, values, lost, worst = state
            if sc.is_ending(at) or not _options(sc, at, values):
                ending_error = sc.is_ending(at) and bool(ctx.ending_errors(sc.target_ids[at]))
                result = _result(ctx, lost, worst, ending_error) if sc.is_ending(at) else NEEDS_PRACTICE
                score = max(0.0, 100.0 - lost)
                terminal[state] = (float(result == PASS), float(result == NEEDS_PRACTICE), float(result == FAIL),
                                   float(int(round(score))))
                continue
            out = [(p, (nat, nv, min(LOST_CAP, round(lost + pts, 6)), max(worst, tier)))
                   for p, nat, nv, pts, tier in _moves(ctx, policy, at, values)]
            edges[state] = out
            stack.append((state, True))
            for _, nxt in reversed(out):
                if nxt not in edges and nxt not in terminal:
                    stack.append((nxt, False))
    value = dict(terminal)
    zero = (0.0, 0.0, 0.0, 0.0)

    def backup(state) -> tuple:
        a = b = c = d = 0.0
        for p, nxt in edges[state]:
            v = value.get(nxt, zero)
            a += p * v[0]
            b += p * v[1]
            c += p * v[2]
            d += p * v[3]
        return a, b, c, d

    inner = lambda state: [nxt for _, nxt in edges[state] if nxt in edges]  # noqa: E731
    for component in strongly_connected(order, inner):  # sinks first: each is solved once its successors are
        if len(component) == 1 and all(nxt != component[0] for _, nxt in edges[component[0]]):
            value[component[0]] = backup(component[0])
            continue
        for _ in range(1_000_000):
            delta = 0.0
            for state in component:
                new = backup(state)
                old = value.get(state, zero)
                delta = max(delta, abs(new[0] - old[0]), abs(new[1] - old[1]), abs(new[2] - old[2]),
                            abs(new[3] - old[3]))
                value[state] = new
            if delta < 1e-13:
                break
    size = len(edges) + len(terminal)
    return {root: value[root] + (size,) for root in starts}


def _row(ctx: Context, policy: str, start: tuple) -> PolicyRow:
    passed, practice, failed, mean, size = evaluate(ctx, policy, [start])[start]
    return PolicyRow(policy, size, passed, practice, failed, mean)


def audit(scenario: Scenario, rubric=None) -> Audit:
    """Run every acceptance check on `scenario` (see the module docstring)."""
    ctx = context_for(scenario, rubric)
    sc = ctx.scenario
    report = Audit(sc.id)
    root = (sc.start, sc.initial_values, 0.0, 0)
    for policy in ("best", "worst") + NAIVE:
        if policy in ("first", "last"):  # over shuffled options these are uniform play: the same numbers
            uniform = report.policies[-1] if report.policies[-1].policy == "random" else _row(ctx, "random", root)
            report.policies.append(PolicyRow(policy, uniform.states, uniform.passed, uniform.needs_practice,
                                             uniform.failed, uniform.mean_score))
            continue
        report.policies.append(_row(ctx, policy, root))
    best, worst = report.row("best"), report.row("worst")
    if best.passed < 1 - EPS:
        report.problems.append(f"best play passes with probability {best.passed:.4f}, not 1")
    if best.mean_score < 100 - EPS:
        report.problems.append(f"best play scores {best.mean_score:.2f} on average, not 100: some node reached "
                               "by good play offers no good option")
    if worst.failed < 1 - EPS:
        report.problems.append(f"worst play fails with probability {worst.failed:.4f}, not 1")
    for policy in NAIVE:
        row = report.row(policy)
        if row.passed > NAIVE_LIMIT + EPS:
            report.problems.append(f"naive policy '{policy}' passes with probability {row.passed:.4f} "
                                   f"(at most {NAIVE_LIMIT})")
    _deviations(ctx, report)
    _negative_training(ctx, report)
    _force(ctx, report)
    return report


def _reachable(ctx: Context, follow) -> list:
    """Every decision state reachable from the start when, in each state, the trainee takes the
    decisions `follow(at, values)` returns, over every random outcome; in visiting order."""
    sc = ctx.scenario
    seen, order, stack = set(), [], [(sc.start, sc.initial_values)]
    while stack:
        at, values = stack.pop()
        if sc.is_ending(at) or (at, values) in seen:
            continue
        seen.add((at, values))
        order.append((at, values))
        for choice in follow(at, values):
            for outcome, _ in outcome_distribution(sc, State(at, values, 0, 0.0), choice):
                stack.append(_next(sc, at, values, choice, outcome))
    return order


def _best_states(ctx: Context) -> list:
    """Every decision state best play can reach."""
    search = search_for(ctx, True)
    return _reachable(ctx, lambda at, values: [c for c in (search.policy(at, values),) if c is not None])


def _all_states(ctx: Context) -> list:
    """Every reachable decision state (cached: two checks walk it)."""
    hit = ctx.memo.get("audit-all-states")
    if hit is None:
        sc = ctx.scenario
        hit = ctx.memo["audit-all-states"] = _reachable(ctx, lambda at, values: _decisions(sc, at, values))
    return hit


def _sound_nodes(ctx: Context) -> set:
    """Nodes reachable by decisions graded good or acceptable only."""
    sc = ctx.scenario
    sound = lambda at, values: [c for c in _decisions(sc, at, values)  # noqa: E731
                                if ctx.effective_grade(c, values) in ("good", "acceptable")]
    return {at for at, _ in _reachable(ctx, sound)}


def _deviations(ctx: Context, report: Audit) -> None:
    """From every state of best play, each single option graded below good, then best play again."""
    sc = ctx.scenario
    done = set()
    for at, values in _best_states(ctx):
        for choice in _decisions(sc, at, values):
            tier = ctx.effective_grade(choice, values)
            if tier not in SEVERE or (choice.id, values) in done:
                continue
            done.add((choice.id, values))
            lost0 = points(ctx, choice, values)
            t0 = GRADES.index(tier)
            starts = [(*_next(sc, at, values, choice, outcome), lost0, t0, po)
                      for outcome, po in outcome_distribution(sc, State(at, values, 0, 0.0), choice)]
            found = evaluate(ctx, "best", [s[:4] for s in starts])
            sums = [0.0, 0.0, 0.0, 0.0]
            for s in starts:
                for i in range(4):
                    sums[i] += s[4] * found[s[:4]][i]
            row = PolicyRow("deviation", 0, *sums)
            against = ctx.counts_against(choice)
            expected = {"mistake": None, "major": NEEDS_PRACTICE, "critical": FAIL}[tier]
            ok = row.mean_score < 100 - EPS and bool(against)
            if tier == "major":
                ok = ok and row.needs_practice > 1 - EPS
            elif tier == "critical":
                ok = ok and row.failed > 1 - EPS
            entry = {"node": sc.nodes[at].id, "choice": choice.id, "grade": tier, "mean_score": row.mean_score,
                     "passed": row.passed, "needs_practice": row.needs_practice, "failed": row.failed,
                     "against": [ctx.rubric.competencies[i].id for i in against], "expected": expected, "ok": ok}
            report.deviations.append(entry)
            if not ok:
                why = ("it counts against no competency" if not against else
                       f"mean score {row.mean_score:.1f}, pass {row.passed:.3f}, needs practice "
                       f"{row.needs_practice:.3f}, fail {row.failed:.3f}")
                report.problems.append(f"single {tier} {choice.id!r} at {sc.nodes[at].id!r} from best play: {why}")


def _negative_training(ctx: Context, report: Audit) -> None:
    """At every reachable state: no option graded worse is worth more (expected final score with best
    play afterwards) than any of the best-graded options there."""
    sc = ctx.scenario
    search = search_for(ctx, True)
    for at, values in _all_states(ctx):
        options = _decisions(sc, at, values)
        if not options:
            continue
        tiers = {c.id: GRADES.index(ctx.effective_grade(c, values)) for c in options}
        top = min(tiers.values())
        q = {c.id: search.q(at, values, c) for c in options}
        best_ids = [c.id for c in options if tiers[c.id] == top]
        floor = min(q[c] for c in best_ids)
        for c in options:
            if tiers[c.id] > top and q[c.id] > floor + EPS:
                worst_best = min(best_ids, key=lambda cid: q[cid])
                entry = {"node": sc.nodes[at].id, "values": values, "choice": c.id, "grade": GRADES[tiers[c.id]],
                         "expected_score": 100 + q[c.id], "best_graded": worst_best,
                         "best_expected_score": 100 + q[worst_best]}
                report.negative_training.append(entry)
                report.problems.append(
                    f"negative training at {sc.nodes[at].id!r} {values}: {c.id!r} ({GRADES[tiers[c.id]]}) is worth "
                    f"{100 + q[c.id]:.2f} expected, more than {worst_best!r} ({GRADES[top]}) at {100 + q[worst_best]:.2f}")


def _force(ctx: Context, report: Audit) -> None:
    """Every force choice, in every state it is available: the verdict is judged against the node's
    behaviour, a disproportionate one is graded critical, and force answering a threat that only poor
    decisions lead to is not graded good or acceptable (officer-created jeopardy)."""
    sc = ctx.scenario
    sound = _sound_nodes(ctx)
    threat = BEHAVIOURS.index("pulling-away")
    seen = set()
    for at, values in _all_states(ctx):
        node = sc.nodes[at]
        for choice in _decisions(sc, at, values):
            if choice.force in (None, "presence", "verbal"):
                continue
            fc = ctx.force_check(choice, values)
            key = (choice.id, fc.proportionate)
            if key in seen:
                continue
            seen.add(key)
            written = choice.grade or "good"
            created = at not in sound and BEHAVIOURS.index(node.shows or "compliant") >= threat
            ok = fc.shows == (node.shows or "compliant")
            why = ""
            if not fc.proportionate and written != "critical":
                ok, why = False, f"disproportionate ({fc.force} where the person is {fc.shows}) but graded {written}"
            if created and written in ("good", "acceptable"):
                ok, why = False, (f"force at a threat only poor decisions lead to (officer-created jeopardy) "
                                  f"but graded {written}")
            report.force.append({"node": node.id, "choice": choice.id, "force": fc.force, "shows": fc.shows,
                                 "allowed": fc.allowed, "proportionate": fc.proportionate,
                                 "officer_created": created, "grade": written, "ok": ok})
            if not ok:
                report.problems.append(f"force {choice.id!r} at {node.id!r}: {why}")
