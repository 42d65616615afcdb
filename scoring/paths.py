"""Exact search over a scenario's playthroughs: best and worst achievable play, by expectimax/expectimin.

General on purpose (authoring tools build on it): the value of a playthrough is a sum of per-decision
rewards plus a terminal reward, both supplied by the caller. Every random outcome is followed with
its exact probability (simulator.engine.step.outcome_distribution), a decision timer's expiry is one more
branch the trainee can "choose" by waiting, and values are memoised on (node, values). The graph of
reachable states is explored depth-first and solved one strongly connected component at a time,
sink-first, so cycles in the scenario (a return to an earlier node with the same values) are handled
exactly rather than cut off.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Callable

from simulator.engine.analysis.graphs import strongly_connected
from simulator.engine.model import Choice, Outcome, Scenario
from simulator.engine.step import State, available_choices, outcome_distribution, transition

__all__ = ["Search", "SearchBudgetExceeded", "Step", "Playthrough", "record_log", "strongly_connected"]

Reward = Callable[[tuple, Choice, "Outcome | None", tuple], float]
Terminal = Callable[[int, tuple], float]


class SearchBudgetExceeded(RuntimeError):
    """The scenario has more states than the search budget allows."""


@dataclass(frozen=True)
class Step:
    node: str
    choice: str
    outcome: int | None
    probability: float
    timer: bool


@dataclass(frozen=True)
class Playthrough:
    """One complete path: the steps, its probability under the policy, the ending and its value."""

    steps: tuple[Step, ...]
    probability: float
    ending: str
    value: float


class Search:
    """Best (maximise=True) or worst expected value of play from any state, with optimal choices.

    The caller's rewards must not make a cycle of states worth repeating (for maximising, every
    cycle's total reward <= 0; for minimising, >= 0); the rubric's relative rewards guarantee this
    (scoring/values.py). The reachable state graph is built once, split into strongly connected
    components, and solved sink-first: exactly by one pass where there are no cycles, and by
    Bellman updates to a fixed point (to 1e-12) inside cycles.
    """

    def __init__(self, scenario: Scenario, reward: Reward, terminal: Terminal, *, maximise: bool = True,
                 timers: bool = True, budget: int = 2_000_000):
        self.scenario = scenario
        self.reward = reward
        self.terminal = terminal
        self.maximise = maximise
        self.timers = timers
        self.budget = budget
        self.expanded = 0
        self.work_budget: int | None = None  # most value updates (Bellman evaluations) allowed, or no limit
        self.work = 0
        self._values: dict[tuple, float | None] = {}
        self._branches: dict[tuple, list] = {}
        self._n_nodes = len(scenario.nodes)

    # -- structure -------------------------------------------------------------------------------
    def options(self, at: int, values: tuple) -> list[Choice]:
        """What the trainee can do in a state: the available choices, then the timer's expiry."""
        if at >= self._n_nodes:
            return []
        state = State(at, values, 0, 0.0)
        found = available_choices(self.scenario, state)
        timer = self.scenario.nodes[at].timer
        if self.timers and timer is not None:
            found = found + [timer.expire]
        return found

    def branches(self, at: int, values: tuple, choice: Choice) -> list[tuple]:
        """[(outcome, probability, next target, next values, reward)] for one choice in one state."""
        key = (choice.id, values)
        hit = self._branches.get(key)
        if hit is not None:
            return hit
        state = State(at, values, 0, 0.0)
        out = []
        for outcome, p in outcome_distribution(self.scenario, state, choice):
            nxt = transition(self.scenario, state, choice, outcome, p, 0.0, [], "search", None)
            # states that differ only in display-only variables are one state (Scenario.canonical)
            out.append((outcome, p, nxt.at, self.scenario.canonical(nxt.values),
                        self.reward(values, choice, outcome, nxt.values)))
        self._branches[key] = out
        return out

    def _successors(self, key: tuple) -> list[tuple]:
        at, values = key
        return [(nat, nv) for c in self.options(at, values) for _, _, nat, nv, _ in self.branches(at, values, c)]

    # -- solving ---------------------------------------------------------------------------------
    def _solve(self, root: tuple) -> None:
        """Solve every state reachable from `root` that is not solved yet, component by component."""
        if root in self._values:
            return
        for component in strongly_connected([root], self._expand, self._values.__contains__):
            self._solve_component(component)

    def _expand(self, key: tuple) -> list[tuple]:
        """A state's successors, counted against the state budget (endings have none)."""
        self.expanded += 1
        if self.expanded > self.budget:
            raise SearchBudgetExceeded(f"more than {self.budget} states")
        return [] if key[0] >= self._n_nodes else self._successors(key)

    def _bellman(self, key: tuple) -> float | None:
        self.work += 1
        if self.work_budget is not None and self.work > self.work_budget:
            raise SearchBudgetExceeded(f"more than {self.work_budget} value updates")
        at, values = key
        if at >= self._n_nodes:
            return self.terminal(at, values)
        best = None
        for choice in self.options(at, values):
            v = self._q_known(at, values, choice)
            if v is not None and (best is None or (v > best if self.maximise else v < best)):
                best = v
        return best

    def _q_known(self, at: int, values: tuple, choice: Choice) -> float | None:
        total = 0.0
        get = self._values.get
        for _, p, nat, nv, r in self.branches(at, values, choice):
            v = get((nat, nv))
            if v is None:
                return None
            total += p * (r + v)
        return total

    def _solve_component(self, component: list) -> None:
        if len(component) == 1 and component[0] not in self._successors(component[0]):
            self._values[component[0]] = self._bellman(component[0])
            return
        members = set(component)
        preds: dict = {k: [] for k in component}
        for k in component:
            if k[0] < self._n_nodes:
                for nxt in self._successors(k):
                    if nxt in members:
                        preds[nxt].append(k)
        queue = deque(component)
        queued = set(component)
        updates = 0
        limit = 1000 * len(component) + 10_000
        while queue:
            key = queue.popleft()
            queued.discard(key)
            new = self._bellman(key)
            old = self._values.get(key)
            if new is None or (old is not None and abs(new - old) <= 1e-12):
                continue
            if old is not None and ((new < old) if self.maximise else (new > old)):
                continue  # monotone: values only improve towards the fixed point
            self._values[key] = new
            updates += 1
            if updates > limit:
                raise SearchBudgetExceeded("values do not settle: a cycle of states improves the total "
                                           "(check that the rewards are relative)")
            for p in preds[key]:
                if p not in queued:
                    queued.add(p)
                    queue.append(p)
        for k in component:
            self._values.setdefault(k, None)

    # -- values ----------------------------------------------------------------------------------
    def value(self, at: int, values: tuple) -> float | None:
        """The best (or worst) achievable expected value from a state; None if no ending is reachable."""
        key = (at, self.scenario.canonical(values))
        self._solve(key)
        return self._values[key]

    def q(self, at: int, values: tuple, choice: Choice) -> float | None:
        """Expected value of taking `choice` in a state and playing on optimally."""
        values = self.scenario.canonical(values)
        for _, _, nat, nv, _ in self.branches(at, values, choice):
            self._solve((nat, nv))
        return self._q_known(at, values, choice)

    def policy(self, at: int, values: tuple) -> Choice | None:
        """The optimal option in a state (ties go to the first listed); None at an ending."""
        best, best_v = None, None
        for choice in self.options(at, values):
            v = self.q(at, values, choice)
            if v is not None and (best_v is None or (v > best_v + 1e-12 if self.maximise else v < best_v - 1e-12)):
                best, best_v = choice, v
        return best

    # -- playthroughs ----------------------------------------------------------------------------
    def playthroughs(self, at: int | None = None, values: tuple | None = None, limit: int = 10_000) -> list[Playthrough]:
        """Every playthrough of the optimal policy from a state (start by default), one per
        combination of random outcomes, with its probability; at most `limit` of them."""
        sc = self.scenario
        at = sc.start if at is None else at
        values = sc.initial_values if values is None else values
        done: list[Playthrough] = []
        work = [(at, values, (), 1.0, 0.0, frozenset())]
        while work and len(done) < limit:
            at, values, steps, prob, acc, seen = work.pop()
            if at >= self._n_nodes:
                done.append(Playthrough(steps, prob, sc.target_ids[at], acc + self.terminal(at, values)))
                continue
            choice = self._policy_avoiding(at, values, seen)
            if choice is None:
                continue
            seen2 = seen | {(at, values)}
            for outcome, p, nat, nvalues, r in reversed(self.branches(at, values, choice)):
                step = Step(sc.nodes[at].id, choice.id, outcome.index if outcome else None, p, choice.is_timeout)
                work.append((nat, nvalues, steps + (step,), prob * p, acc + r, seen2))
        return done

    def _policy_avoiding(self, at: int, values: tuple, seen: frozenset) -> Choice | None:
        best, best_v = None, None
        for choice in self.options(at, values):
            if any((nat, nv) in seen or (nat == at and nv == values) for _, _, nat, nv, _ in self.branches(at, values, choice)):
                continue
            v = self.q(at, values, choice)
            if v is not None and (best_v is None or (v > best_v + 1e-12 if self.maximise else v < best_v - 1e-12)):
                best, best_v = choice, v
        return best


def record_log(scenario: Scenario, steps: tuple[Step, ...] | list[Step], elapsed: float = 10.0, seed: int = 0) -> list[dict]:
    """An event log for a playthrough with the given outcomes, as a Session would record it.

    Each decision takes `elapsed` seconds; a timer expiry takes the timer's full time.
    """
    from simulator.engine.session import Session, SessionOptions
    session = Session(scenario, seed=seed, options=SessionOptions())
    for step in steps:
        state = session.state
        node = scenario.nodes[state.at]
        choice = node.timer.expire if step.timer else node.choice_by_id[step.choice]
        dist = outcome_distribution(scenario, state, choice)
        outcome, p = next((o, q) for o, q in dist if (o.index if o else None) == step.outcome)
        seconds = node.timer.seconds if step.timer else elapsed
        actor = "clock" if step.timer else "trainee"
        session.state = transition(scenario, state, choice, outcome, p, seconds, session.log, actor, None)
        if not session.ended:  # as Session does: node_entered lists the options shown, in order
            session.log[-1]["choices"] = [c.id for c in session.presented()]
    return session.log
