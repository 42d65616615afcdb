"""Exact values on a StateSpace: best and worst play (expectimax, expectimin), a fixed policy's expected
value, and how often a policy visits each state.

The node graph's strongly connected components are solved sinks first. A component that is one node
without a loop to itself is solved in one vectorised step: every successor state is already solved.
Inside a cycle of nodes the values are iterated to a fixed point (to 1e-12): for best and worst play
from "unknown" upwards, as scoring/paths.py's search does, so that a state's value is that of play
that reaches an ending. The sweeps are Gauss-Seidel, node by node backwards in the order the cycle is
usually travelled, so a cycle that is left after a few rounds settles in a few sweeps. A fixed
policy's values and visits in a cycle are swept the same way (values backwards, visits forwards);
a cycle that has not settled after POLICY_SWEEPS sweeps (one that play rarely leaves) is solved by
one sparse LU factorisation instead (SciPy's SuperLU, shared by its values and its visits). States
from which the policy may go round forever get NaN (no final score), found by SciPy's
breadth-first search before any sweep.

Rewards are per action (a choice in a state), as grading's points are; `terminal` gives each
ending state's value. NaN means "no ending is reachable" (a state where no option is available).
"""
from __future__ import annotations

import warnings

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph
from scipy.sparse.linalg import MatrixRankWarning, splu

from .space import StateSpace

TOLERANCE = 1e-12
MAX_SWEEPS = 20_000
POLICY_SWEEPS = 200  # a fixed policy's cycle that has not settled after this many sweeps is solved by LU


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
        self.factors: dict = {}  # the last policy's LU factors of the cycle (solve and visits share them)
        self.incoming = None  # built when visits first sweeps this cycle
        only = self.nodes[0]
        self.cyclic = len(component) > 1 or bool(np.any(space.target[space.tr_next[only.t0:only.t1]] == only.node))


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
        combined[np.add.reduceat(p, n.state_starts) <= 0] = np.nan  # the policy takes nothing here: stuck
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
        if mode == "policy":
            states, *_, good = _cycle(space, comp, policy)
            never = states[~good]  # from these the policy may never finish: no value, whatever the sweeps say
            values[states] = np.where(good, 0.0, np.nan)
            if not _sweep(space, comp.nodes[::-1], reward, values, q_all, mode, policy, POLICY_SWEEPS, never):
                _solve_cycle(space, comp, reward, values, policy)  # slow to settle: solve it exactly
                for n in comp.nodes:
                    _update(space, n, reward, values, q_all, mode, policy)
            continue
        if not _sweep(space, comp.nodes[::-1], reward, values, q_all, mode, policy, MAX_SWEEPS):
            raise NoFixedPoint("values in a cycle of scenes do not settle")
    return values, q_all


def _sweep(space, nodes, reward, values, q_all, mode, policy, sweeps: int, never=None) -> bool:
    """Gauss-Seidel sweeps over `nodes` until no value moves by more than TOLERANCE; False when
    `sweeps` were not enough. States in `never` keep no value (NaN)."""
    for _ in range(sweeps):
        change = 0.0
        for n in nodes:
            change = max(change, _update(space, n, reward, values, q_all, mode, policy))
            if never is not None and len(never):
                values[never] = np.nan
        if change <= TOLERANCE:
            return True
    return False


def _local(space: StateSpace, comp) -> tuple[np.ndarray, np.ndarray]:
    """The component's states, and a map from state to its position among them (-1 outside)."""
    states = np.concatenate([np.arange(n.s0, n.s1) for n in comp.nodes])
    local = np.full(space.n_states, -1)
    local[states] = np.arange(len(states))
    return states, local


def _transitions(space: StateSpace, comp) -> np.ndarray:
    return np.concatenate([np.arange(n.t0, n.t1) for n in comp.nodes])


def _reached(k: int, sources: np.ndarray, heads: np.ndarray, tails: np.ndarray) -> np.ndarray:
    """Which of k states are reachable from `sources` along the edges heads[i] -> tails[i]
    (SciPy's breadth-first search, from one extra node joined to every source)."""
    if not sources.any():
        return np.zeros(k, dtype=bool)
    extra = np.flatnonzero(sources)
    rows = np.concatenate([heads, np.full(len(extra), k)])
    cols = np.concatenate([tails, extra])
    graph = sparse.csr_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(k + 1, k + 1))
    order = csgraph.breadth_first_order(graph, k, directed=True, return_predecessors=False)
    found = np.zeros(k + 1, dtype=bool)
    found[order] = True
    return found[:k]


def _cycle(space: StateSpace, comp, policy) -> tuple:
    """A fixed policy in a cycle of scenes: the states, the local index map, the transitions (local
    source, next state, weight, whether it stays inside, action), and which states finish for sure:
    those with no positive-probability path to states from which the policy never leaves (or where
    no option is available)."""
    states, local = _local(space, comp)
    tr = _transitions(space, comp)
    action = space.tr_action[tr]
    src = local[space.action_state[action]]
    nxt = space.tr_next[tr]
    weight = policy[action] * space.tr_prob[tr]
    inside = local[nxt] >= 0
    k = len(states)
    exits = np.zeros(k, dtype=bool)  # a state with no option at all is a dead end, as good as a trap
    exits[src[(~inside) & (weight > 0)]] = True
    edge = inside & (weight > 0)
    a, b = src[edge], local[nxt[edge]]
    can = _reached(k, exits, b, a)  # backwards from the exits
    good = ~_reached(k, ~can, b, a)  # nothing that can reach a trap
    return states, local, src, nxt, weight, inside, action, good


def _factor(k: int, src: np.ndarray, dst: np.ndarray, weight: np.ndarray, live: np.ndarray, cache=None):
    """The LU factors of I - P over the `live` states of a cycle (P[src, dst] = weight), with the states
    ordered by their strongly connected components, sinks first: the matrix is then block triangular,
    so SuperLU in that natural order fills in only inside the components. Returns (factors, order)."""
    key = (k, hash(src.tobytes()), hash(dst.tobytes()), hash(weight.tobytes()), hash(live.tobytes()))
    if cache is not None and cache.get("key") == key:
        return cache["value"]  # the same policy's values and then its visits: factor once
    idx = np.flatnonzero(live)
    pos = np.full(k, -1)
    pos[idx] = np.arange(len(idx))
    sel = live[src] & live[dst]
    p = sparse.csr_matrix((weight[sel], (pos[src[sel]], pos[dst[sel]])), shape=(len(idx), len(idx)))
    _, labels = csgraph.connected_components(p, directed=True, connection="strong")
    order = np.argsort(labels, kind="stable")
    matrix = (sparse.identity(len(idx), format="csr") - p)[order][:, order].tocsc()
    with warnings.catch_warnings():
        warnings.simplefilter("error", MatrixRankWarning)
        try:
            factors = splu(matrix, permc_spec="NATURAL", diag_pivot_thresh=0.0)
        except (MatrixRankWarning, RuntimeError) as exc:
            raise NoFixedPoint("a cycle of scenes the policy may never leave") from exc
    if cache is not None:
        cache["key"], cache["value"] = key, (factors, idx[order])
    return factors, idx[order]


def _solved(factors, rhs: np.ndarray, trans: str = "N") -> np.ndarray:
    solved = factors.solve(rhs, trans=trans)
    if not np.all(np.isfinite(solved[np.isfinite(rhs)])):
        raise NoFixedPoint("a cycle of scenes the policy may never leave")
    return solved


def _solve_cycle(space: StateSpace, comp, reward, values, policy) -> None:
    """A fixed policy's values in a cycle of scenes: one sparse linear solve of V = r + P V over the
    states that finish for sure; NaN for the others (play that may never end has no final score)."""
    states, local, src, nxt, weight, inside, action, good = _cycle(space, comp, policy)
    k = len(states)
    keep = good[src] & (weight > 0)
    rhs = np.bincount(src[keep], weights=weight[keep] * reward[action[keep]], minlength=k)
    out_sel = keep & ~inside
    rhs += np.bincount(src[out_sel], weights=weight[out_sel] * values[nxt[out_sel]], minlength=k)
    solved = np.full(k, np.nan)
    if good.any():
        sel = keep & inside
        factors, order = _factor(k, src[sel], local[nxt[sel]], weight[sel], good, comp.factors)
        solved[order] = _solved(factors, rhs[order])
    values[states] = solved


def _incoming(space: StateSpace, comp) -> dict:
    """Per node of a cycle: the transitions into its states from inside the cycle, and their targets'
    positions among the node's states (built once per component)."""
    if getattr(comp, "incoming", None) is None:
        tr = np.concatenate([np.arange(n.t0, n.t1) for n in comp.nodes])
        dst = space.tr_next[tr]
        comp.incoming = {}
        for n in comp.nodes:
            mine = (dst >= n.s0) & (dst < n.s1)
            comp.incoming[n.node] = (tr[mine], dst[mine] - n.s0)
    return comp.incoming


def _sweep_visits(space, comp, inflow, out, weight, src, sweeps: int) -> bool:
    """Visits in a cycle by forward Gauss-Seidel sweeps, node by node in the order the cycle is
    usually travelled: x = inflow from outside + what the cycle's own transitions bring. False when
    `sweeps` were not enough (the caller then solves it exactly)."""
    incoming = _incoming(space, comp)
    outside = {n.node: inflow[n.s0:n.s1].copy() for n in comp.nodes}
    for n in comp.nodes:
        out[n.s0:n.s1] = 0.0
    for _ in range(sweeps):
        change = 0.0
        for n in comp.nodes:
            tr, local = incoming[n.node]
            new = outside[n.node] + np.bincount(local, weights=out[src[tr]] * weight[tr], minlength=n.s1 - n.s0)
            change = max(change, float(np.max(np.abs(new - out[n.s0:n.s1]), initial=0.0)))
            out[n.s0:n.s1] = new
        if change <= TOLERANCE:
            return True
    return False


def visits(space: StateSpace, policy: np.ndarray) -> np.ndarray:
    """Expected number of visits to each state under `policy`, starting at the start state (an ending
    state's figure is the probability of reaching that ending)."""
    inflow = np.zeros(space.n_states)
    inflow[space.start] = 1.0
    out = np.zeros(space.n_states)
    weight = policy[space.tr_action] * space.tr_prob
    src = space.action_state[space.tr_action]
    for comp in reversed(components(space)):  # sources first
        if comp.cyclic:
            states, local, csrc, nxt, w, inside, _, good = _cycle(space, comp, policy)
            if (inflow[states][~good] > 0).any():
                raise NoFixedPoint("the policy can go round a cycle of scenes forever")
            if not _sweep_visits(space, comp, inflow, out, weight, src, POLICY_SWEEPS):
                k = len(states)
                sel = inside & good[csrc] & (w > 0)
                x = np.zeros(k)
                if good.any():  # slow to settle: solve it exactly
                    factors, order = _factor(k, csrc[sel], local[nxt[sel]], w[sel], good, comp.factors)
                    x[order] = _solved(factors, inflow[states][order], "T")
                out[states] = x
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
