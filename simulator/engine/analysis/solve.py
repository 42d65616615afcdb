"""Exact values on a StateSpace: best and worst play (expectimax, expectimin), a fixed policy's expected
value, and how often a policy visits each state.

The node graph's strongly connected components are solved sinks first. A component that is one node
without a loop to itself is solved in one vectorised step: every successor state is already solved.
Inside a cycle of nodes the values are iterated to a fixed point (to 1e-12): for best and worst play
from "unknown" upwards, as scoring/paths.py's search does, so that a state's value is that of play
that reaches an ending; for a fixed policy from zero. The sweeps are Gauss-Seidel, node by node in
the order the cycle is usually travelled (backwards for values, forwards for visits), so a cycle
that is left after a few rounds settles in a few sweeps.

Rewards are per action (a choice in a state), as grading's points are; `terminal` gives each
ending state's value. NaN means "no ending is reachable" (a state where no option is available).
"""
from __future__ import annotations

import numpy as np

from .space import StateSpace

TOLERANCE = 1e-12
MAX_SWEEPS = 20_000
DENSE_LIMIT = 3_000  # a fixed policy's cycle of at most this many states is solved by one linear solve


class NoFixedPoint(RuntimeError):
    """Values in a cycle of states do not settle (a policy that may never end, or rewards that grow)."""


def ranges(starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """The concatenation of arange(start, stop) for each pair, without a Python loop."""
    lengths = stops - starts
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
    return offsets + np.arange(total)


class _Node:
    """One node's states, actions and transitions: contiguous ranges of the space's arrays."""

    def __init__(self, space: StateSpace, node: int):
        nf, af, tf = space.node_first, space.action_first, space.tr_first
        self.node = node
        self.s0, self.s1 = int(nf[node]), int(nf[node + 1])
        self.a0, self.a1 = int(af[self.s0]), int(af[self.s1])
        self.t0, self.t1 = int(tf[self.a0]), int(tf[self.a1])
        self.tr_starts = tf[self.a0:self.a1] - self.t0  # each action's first transition, from t0
        counts = af[self.s0 + 1:self.s1 + 1] - af[self.s0:self.s1]
        self.has = counts > 0  # states with at least one option
        self.state_starts = (af[self.s0:self.s1] - self.a0)[self.has]
        self.all_have = bool(self.has.all())


class _Component:
    """A strongly connected component of the node graph: its nodes in sweep order."""

    def __init__(self, space: StateSpace, component: list, rank: dict):
        self.nodes = [_Node(space, n) for n in sorted(component, key=rank.__getitem__)]
        self.n_states = sum(n.s1 - n.s0 for n in self.nodes)
        members = set(component)
        only = self.nodes[0]
        self.cyclic = len(component) > 1 or bool(np.any(space.target[space.tr_next[only.t0:only.t1]] == only.node))
        if self.cyclic:  # each node's incoming transitions from inside the component, for visits
            self.incoming = {}
            tr = np.concatenate([np.arange(n.t0, n.t1) for n in self.nodes])
            dst = space.tr_next[tr]
            inside = np.isin(space.target[dst], list(members))
            tr, dst = tr[inside], dst[inside]
            for n in self.nodes:
                mine = (dst >= n.s0) & (dst < n.s1)
                self.incoming[n.node] = (tr[mine], dst[mine] - n.s0)


def components(space: StateSpace) -> list:
    """The space's node components, sinks first, prepared once per space."""
    cached = getattr(space, "_components", None)
    if cached is None:
        rank = {}
        for i, comp in enumerate(reversed(space.components)):
            for n in comp:
                rank[n] = (i, n)
        cached = space._components = [_Component(space, c, rank) for c in space.components]
    return cached


def _update(space: StateSpace, n: _Node, reward, values, q_all, mode, policy) -> float:
    """Recompute one node's action and state values; returns the largest change (inf from unknown)."""
    if n.a1 == n.a0:
        values[n.s0:n.s1] = np.nan
        return 0.0
    weighted = space.tr_prob[n.t0:n.t1] * values[space.tr_next[n.t0:n.t1]]
    q = reward[n.a0:n.a1] + np.add.reduceat(weighted, n.tr_starts)
    q_all[n.a0:n.a1] = q
    if mode == "max":
        combined = np.fmax.reduceat(q, n.state_starts)
    elif mode == "min":
        combined = np.fmin.reduceat(q, n.state_starts)
    else:
        p = policy[n.a0:n.a1]
        combined = np.add.reduceat(np.where(p > 0, q * p, 0.0), n.state_starts)  # an untaken option may be NaN
    if n.all_have:
        new = combined
    else:
        new = np.full(n.s1 - n.s0, np.nan)
        new[n.has] = combined
    old = values[n.s0:n.s1]
    if mode == "max":
        new = np.where(np.isnan(old) | (new > old), new, old)
    elif mode == "min":
        new = np.where(np.isnan(old) | (new < old), new, old)
    known = ~np.isnan(new)
    fresh = known & np.isnan(old)
    change = np.inf if fresh.any() else float(np.max(np.abs(new[known] - old[known]), initial=0.0))
    values[n.s0:n.s1] = new
    return change


def solve(space: StateSpace, reward: np.ndarray, terminal: np.ndarray | float = 0.0, mode: str = "max",
          policy: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(state values, action values) for best play (`mode="max"`), worst play ("min") or a fixed
    policy ("policy": `policy[a]` is the probability of action a in its state).

    `reward[a]`: the reward of action a; `terminal`: each ending state's value (scalar or per state).
    """
    values = np.full(space.n_states, np.nan)
    ends = space.is_ending()
    values[ends] = terminal[ends] if isinstance(terminal, np.ndarray) else terminal
    q_all = np.full(len(space.action_state), np.nan)
    for comp in components(space):
        if not comp.cyclic:
            _update(space, comp.nodes[0], reward, values, q_all, mode, policy)
            continue
        if mode == "policy" and comp.n_states <= DENSE_LIMIT:
            _solve_dense(space, comp, reward, values, policy)
            for n in comp.nodes:
                _update(space, n, reward, values, q_all, mode, policy)
            continue
        if mode == "policy":
            states, *_, good = _leaving(space, comp, policy)
            values[states] = np.where(good, 0.0, np.nan)  # NaN: play from there may never end
        backwards = comp.nodes[::-1]
        for _ in range(MAX_SWEEPS):
            change = 0.0
            for n in backwards:
                change = max(change, _update(space, n, reward, values, q_all, mode, policy))
            if change <= TOLERANCE:
                break
        else:
            raise NoFixedPoint("values in a cycle of scenes do not settle")
    return values, q_all


def _local(space: StateSpace, comp) -> tuple[np.ndarray, np.ndarray]:
    """The component's states, and a map from state to its position among them (-1 outside)."""
    states = np.concatenate([np.arange(n.s0, n.s1) for n in comp.nodes])
    local = np.full(space.n_states, -1)
    local[states] = np.arange(len(states))
    return states, local


def _transitions(space: StateSpace, comp) -> np.ndarray:
    return np.concatenate([np.arange(n.t0, n.t1) for n in comp.nodes])


def _leaving(space: StateSpace, comp, policy) -> tuple:
    """For a fixed policy in a cycle of scenes: the states, their local index map, the transitions with
    their weights, and which states finish for sure: from them no positive-probability path leads to
    states that can never leave the cycle (where the policy goes round forever)."""
    states, local = _local(space, comp)
    tr = _transitions(space, comp)
    action = space.tr_action[tr]
    src = local[space.action_state[action]]
    nxt = space.tr_next[tr]
    weight = policy[action] * space.tr_prob[tr]
    inside = local[nxt] >= 0
    can = space.action_first[states + 1] == space.action_first[states]  # no option: the value is unknown
    can[src[(~inside) & (weight > 0)]] = True
    edges = (inside & (weight > 0))
    back: dict[int, list] = {}
    for a, b in zip(src[edges].tolist(), local[nxt[edges]].tolist()):
        back.setdefault(b, []).append(a)
    queue = list(np.flatnonzero(can))
    while queue:
        b = queue.pop()
        for a in back.get(b, ()):
            if not can[a]:
                can[a] = True
                queue.append(a)
    # finishing for sure: no positive-probability path into the states that can never leave
    good = can.copy()
    queue = list(np.flatnonzero(~can))
    while queue:
        b = queue.pop()
        for a in back.get(b, ()):
            if good[a]:
                good[a] = False
                queue.append(a)
    return states, local, src, nxt, weight, inside, action, good


def _solve_dense(space: StateSpace, comp, reward, values, policy) -> None:
    """A fixed policy's values in a cycle of scenes, by one linear solve of V = r + P V. States from
    which the policy never leaves the cycle get NaN (play that never ends has no final score)."""
    states, local, src, nxt, weight, inside, action, can = _leaving(space, comp, policy)
    keep = can[src] & (~inside | can[np.where(inside, local[nxt], 0)])
    matrix = np.eye(len(states))
    sel = inside & keep
    np.add.at(matrix, (src[sel], local[nxt[sel]]), -weight[sel])
    rhs = np.zeros(len(states))
    np.add.at(rhs, src[keep], weight[keep] * reward[action[keep]])
    out_sel = ~inside & keep
    np.add.at(rhs, src[out_sel], weight[out_sel] * values[nxt[out_sel]])
    empty = space.action_first[states + 1] == space.action_first[states]
    rhs[empty | ~can] = np.nan
    solved = _linear(matrix, rhs)
    solved[~can] = np.nan
    values[states] = solved


def _linear(matrix: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    try:
        solved = np.linalg.solve(matrix, rhs)
    except np.linalg.LinAlgError as exc:
        raise NoFixedPoint("a cycle of scenes the policy may never leave") from exc
    finite = solved[np.isfinite(solved)]
    if len(finite) and np.max(np.abs(finite)) > 1e15:
        raise NoFixedPoint("a cycle of scenes the policy may never leave")
    return solved


def visits(space: StateSpace, policy: np.ndarray) -> np.ndarray:
    """Expected number of visits to each state under `policy`, starting at the start state (an ending
    state's figure is the probability of reaching that ending)."""
    inflow = np.zeros(space.n_states)
    inflow[space.start] = 1.0
    out = np.zeros(space.n_states)
    weight = policy[space.tr_action] * space.tr_prob
    src = space.action_state[space.tr_action]
    for comp in reversed(components(space)):  # sources first
        if comp.cyclic and comp.n_states <= DENSE_LIMIT:
            states, local, csrc, nxt, w, inside, _, can = _leaving(space, comp, policy)
            if (inflow[states][~can] > 0).any():
                raise NoFixedPoint("the policy can go round a cycle of scenes forever")
            sel = inside & can[csrc]
            matrix = np.eye(len(states))
            np.add.at(matrix, (local[nxt[sel]], csrc[sel]), -w[sel])
            x = _linear(matrix, inflow[states])
            if (x[~can] > 1e-12).any():
                raise NoFixedPoint("the policy can go round a cycle of scenes forever")
            out[states] = x
        elif comp.cyclic:
            states, *_, good = _leaving(space, comp, policy)
            if (inflow[states][~good] > 0).any():
                raise NoFixedPoint("the policy can go round a cycle of scenes forever")
            external = {n.node: inflow[n.s0:n.s1].copy() for n in comp.nodes}
            for _ in range(MAX_SWEEPS):
                change = 0.0
                for n in comp.nodes:
                    tr, local = comp.incoming[n.node]
                    new = external[n.node] + np.bincount(local, weights=out[src[tr]] * weight[tr],
                                                         minlength=n.s1 - n.s0)
                    change = max(change, float(np.max(np.abs(new - out[n.s0:n.s1]), initial=0.0)))
                    out[n.s0:n.s1] = new
                if change <= TOLERANCE:
                    break
            else:
                raise NoFixedPoint("visits in a cycle of scenes do not settle")
        if comp.cyclic:
            for n in comp.nodes:  # what leaves the component (inside transitions are counted already)
                nxt = space.tr_next[n.t0:n.t1]
                leaving = ~np.isin(space.target[nxt], [m.node for m in comp.nodes])
                np.add.at(inflow, nxt[leaving], (out[src[n.t0:n.t1]] * weight[n.t0:n.t1])[leaving])
            continue
        n = comp.nodes[0]
        out[n.s0:n.s1] = inflow[n.s0:n.s1]
        np.add.at(inflow, space.tr_next[n.t0:n.t1], out[src[n.t0:n.t1]] * weight[n.t0:n.t1])
    ends = space.is_ending()
    out[ends] = inflow[ends]
    return out
