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


# -- the debrief's values, cached by content hash ----------------------------------------------------
# Best play's option values for every reachable state, as JSON in the user's cache folder (never
# pickle), so the first debrief of a scenario in a new process reads them instead of solving again.
# The four arrays are stored as base64 of their little-endian bytes with their dtype and length:
# still one JSON document, read without running anything (np.frombuffer of checked dtypes and
# sizes), and about 20 times faster to read than JSON numbers (a 1.77-million-state scenario: 5.3
# million option values). Only for the default rubric and at most CACHE_BYTES of arrays.
CACHE_FORMAT = "2"
CACHE_BYTES = 160 * 1024 * 1024
_DTYPES = {"keys": "<i8", "action_first": "<i8", "options": "<i4", "q": "<f8"}


class CachedValues:
    """Best play's option values read from the cache: the same `option_values` as BestPlay."""

    def __init__(self, scenario, keys: np.ndarray, action_first: np.ndarray, options: np.ndarray, q: np.ndarray):
        from simulator.engine.analysis.space import _Codec
        self.scenario = scenario
        self.codec = _Codec(scenario)
        self.keys, self.action_first, self.options, self.q = keys, action_first, options, q
        self.all_options = _all_options(scenario)

    def option_values(self, at: int, values: tuple) -> list | None:
        sc = self.scenario
        row = np.array([sc.canonical(tuple(values))], dtype=np.int64)
        key = self.codec.encode(at, row)[0]
        i = int(np.searchsorted(self.keys, key))
        if i >= len(self.keys) or self.keys[i] != key:
            return None
        a0, a1 = int(self.action_first[i]), int(self.action_first[i + 1])
        return [(float(self.q[a]), self.all_options[int(self.options[a])]) for a in range(a0, a1)
                if not np.isnan(self.q[a])]


def _all_options(scenario) -> list:
    from simulator.engine.analysis.space import _options_of
    return _options_of(scenario, True)


def _cache_path(ctx: Context):
    """The cache file for this scenario's debrief values, or None when they are not cached (a rubric
    other than the default, no content hash)."""
    import hashlib
    from pathlib import Path

    from simulator.content.cache import toolchain_hash
    from simulator.paths import cache_dir
    sc = ctx.scenario
    if not sc.content_hash or ctx.memo.get("custom-rubric"):
        return None
    here = Path(__file__).parent
    analysis = here.parent / "simulator" / "engine" / "analysis"
    h = hashlib.sha256(f"{CACHE_FORMAT}|{sc.content_hash}|{sc.variant}|{toolchain_hash()}|{np.__version__}".encode())
    for path in sorted(analysis.glob("*.py")) + sorted(here.glob("*.py")) + sorted(here.glob("*.yaml")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return cache_dir() / "analysis" / f"{sc.id[:60]}-{h.hexdigest()[:24]}.json"


def debrief_values(ctx: Context):
    """What the debrief values options with (an object with `option_values(at, values)`): read from
    the cache when this version of the scenario was solved before, else solved (and cached); None when
    the scenario is too large to solve exactly."""
    hit = ctx.memo.get("debrief-values", False)
    if hit is not False:
        return hit
    path = _cache_path(ctx)
    hit = _read(ctx, path) if path is not None else None
    if hit is None:
        hit = best_play(ctx)
        size = 16 * hit.space.n_states + 12 * len(hit.q) if hit is not None else 0
        if hit is not None and path is not None and size <= CACHE_BYTES and hit.space.codec.fits:
            _write(hit, path)
    ctx.memo["debrief-values"] = hit
    return hit


def _write(best: BestPlay, path) -> None:
    import base64
    import json

    from simulator.files import write_atomically
    sp = best.space
    arrays = {"keys": sp.keys, "action_first": sp.action_first, "options": sp.action_option, "q": best.q}
    import hashlib
    data = {"format": CACHE_FORMAT}
    digest = hashlib.sha256()
    for name, array in arrays.items():
        raw = np.ascontiguousarray(array, dtype=_DTYPES[name]).tobytes()
        digest.update(raw)
        data[name] = {"dtype": _DTYPES[name], "length": len(array), "base64": base64.b64encode(raw).decode("ascii")}
    data["sha256"] = digest.hexdigest()  # catches damage (a flipped value would still decode)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, json.dumps(data, separators=(",", ":")).encode("ascii"), durable=False)
    except (OSError, ValueError):
        pass  # a read-only or full disk only costs speed next time


def _array(data: dict, name: str, digest) -> np.ndarray:
    """One stored array: its dtype must be the one this format uses and its bytes match its length."""
    import base64
    item = data[name]
    dtype = np.dtype(_DTYPES[name])
    if not isinstance(item, dict) or item.get("dtype") != _DTYPES[name] or type(item.get("length")) is not int:
        raise ValueError(name)
    raw = base64.b64decode(item["base64"], validate=True)
    if len(raw) != item["length"] * dtype.itemsize:
        raise ValueError(name)
    digest.update(raw)
    return np.frombuffer(raw, dtype=dtype).astype(dtype.newbyteorder("="))


def _read(ctx: Context, path) -> CachedValues | None:
    """The cached values, or None for a missing, damaged or inconsistent file (any of which means:
    solve again). The arrays are checked for type, shape and order, so a damaged file is never used."""
    import binascii
    import json
    try:
        with open(path, "rb") as handle:
            data = json.loads(handle.read())
        if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
            return None
        import hashlib
        digest = hashlib.sha256()
        keys, first = _array(data, "keys", digest), _array(data, "action_first", digest)
        options, q = _array(data, "options", digest).astype(np.int64), _array(data, "q", digest)
        if data.get("sha256") != digest.hexdigest():
            return None
        n_options = len(_all_options(ctx.scenario))
        if (first.shape != (len(keys) + 1,) or options.shape != q.shape or first[0] != 0
                or first[-1] != len(q) or np.any(np.diff(first) < 0) or np.any(np.diff(keys) <= 0)
                or (len(options) and (options.min() < 0 or options.max() >= n_options))):
            return None
        return CachedValues(ctx.scenario, keys, first, options, q)
    except (OSError, ValueError, TypeError, KeyError, OverflowError, binascii.Error):
        return None
