"""Fixed policies over a StateSpace's actions: uniformly random play and the naive policies of a trainee
who reads only the options' lengths. Each is an array `policy[a]`, the probability of action a in
its state (each state's options add up to 1, or all 0 where nothing is available).

As scoring/audit.py defines them: the policies never wait for a timer; `first`, `last` and `random`
are the same, because a session shows the options in a new random order at every visit; `longest`
and `shortest` take the longest (shortest) option text, ties shared; `not-longest`, `not-shortest`
and `middle` eliminate the extremes and choose uniformly among the rest (all of them when nothing
is left).
"""
from __future__ import annotations

import numpy as np

from .space import StateSpace

NAIVE = ("random", "first", "last", "longest", "shortest", "middle", "not-longest", "not-shortest")


def text_lengths(space: StateSpace) -> np.ndarray:
    """The length of each option's text in the scenario's language (0 for a timer's expiry)."""
    sc = space.scenario
    return np.array([len(c.text.get(sc.language, sc.language)) if c.text is not None else 0
                     for c in space.options], dtype=np.int64)


def _per_state(space: StateSpace, ufunc, values: np.ndarray, empty) -> np.ndarray:
    """`ufunc` reduced over each state's actions (actions are grouped by state), repeated for every
    action of the state; `empty` for states without actions never appears."""
    counts = np.diff(space.action_first)
    has = counts > 0
    if not has.any():
        return np.zeros(0, dtype=values.dtype)
    reduced = ufunc.reduceat(values, space.action_first[:-1][has])
    return np.repeat(reduced, counts[has])


def _normalise(space: StateSpace, weight: np.ndarray) -> np.ndarray:
    """Make each state's weights add up to 1 (states whose weights are all 0 stay 0)."""
    totals = _per_state(space, np.add, weight, 0.0)
    out = np.zeros(len(weight))
    nz = totals > 0
    out[nz] = weight[nz] / totals[nz]
    return out


def naive(space: StateSpace, name: str) -> np.ndarray:
    """The policy array of one of NAIVE."""
    per_option = np.array([not c.is_timeout for c in space.options], dtype=bool)
    choosable = per_option[space.action_option] if len(space.action_option) else np.zeros(0, dtype=bool)
    if name in ("random", "first", "last"):
        return _normalise(space, choosable.astype(float))
    lengths = text_lengths(space)[space.action_option]
    longest = _per_state(space, np.maximum, np.where(choosable, lengths, -1), -1)
    shortest = _per_state(space, np.minimum, np.where(choosable, lengths, np.iinfo(np.int64).max), 0)
    if name == "longest":
        picked = choosable & (lengths == longest)
    elif name == "shortest":
        picked = choosable & (lengths == shortest)
    else:
        if name == "not-longest":
            keep = lengths != longest
        elif name == "not-shortest":
            keep = lengths != shortest
        elif name == "middle":
            keep = (lengths != longest) & (lengths != shortest)
        else:
            raise ValueError(f"unknown policy {name!r}")
        picked = choosable & keep
        # where elimination leaves nothing, every option stays
        left = _per_state(space, np.add, picked.astype(np.int64), 0)
        picked = picked | (choosable & (left == 0))
    return _normalise(space, picked.astype(float))


def greedy(space: StateSpace, q: np.ndarray, maximise: bool = True) -> np.ndarray:
    """The deterministic policy that takes, in each state, the action with the highest (lowest) value
    in `q`; ties (within 1e-12) go to the first listed, as scoring/paths.py's search breaks them."""
    policy = np.zeros(len(q))
    counts = space.action_first[1:] - space.action_first[:-1]
    has = counts > 0
    if not has.any():
        return policy
    starts = space.action_first[:-1][has]
    block = q if maximise else -q
    best = np.fmax.reduceat(block, starts)  # NaN only where every option's value is unknown
    best_of = np.repeat(np.where(np.isnan(best), np.inf, best), counts[has])
    candidate = block >= best_of - 1e-12
    index = np.where(candidate, np.arange(len(q)), len(q))
    first = np.minimum.reduceat(index, starts)
    policy[first[first < len(q)]] = 1.0
    return policy
