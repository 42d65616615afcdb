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


class _Lookup:
    """Option values of many states at once: the states' keys found in one sorted search. Needs
    `scenario`, `codec`, `keys` (sorted state keys), `action_first`, `option_of_action` (indexes into
    `all_options`) and `q` (each action's value)."""

    def state_ids(self, states: list) -> tuple[np.ndarray, list] | None:
        """(positions, found) of each (node index, values) in `states`: its state id where `found`
        holds (the state is reachable); None when this analysis cannot look states up together (its
        codec does not fit an int64) or a value is outside its variable's range."""
        codec = self.codec
        keys = self.keys
        if not codec.fits or not len(keys) or not states:
            return None
        canonical = self.scenario.canonical
        offset = np.array([canonical(values) for _, values in states], dtype=np.int64) - codec.lo
        if (offset.view(np.uint64) >= codec.sizes.view(np.uint64)).any():  # below 0 wraps round: above too
            return None
        wanted = np.array([at for at, _ in states], dtype=np.int64) * codec.radix + offset @ codec.mult
        i = keys.searchsorted(wanted)
        np.minimum(i, len(keys) - 1, out=i)
        return i, (keys.take(i) == wanted).tolist()


class DecisionTable:
    """What the debrief's key decisions need from every state of the exact analysis, worked out once per
    (scenario, rubric) with NumPy over all actions (in proportion to the analysis, never per distinct
    state met), so that valuing a decision is a look-up rather than a computation
    (`scoring.debrief.decision_value` gives the same numbers). Per action: its option's effective grade; per state: how far apart the best and
    worst option values are, and the best option graded good or acceptable, ranked as
    `decision_value` ranks them (value, then grade, then id). That option is the decision's better
    one unless it is the choice itself, and then no other is (with `min_gain` above 0 none gains
    enough). States where an option's grade depends on the state (a critical error's `when`) are
    marked and left to `decision_value`."""

    def __init__(self, ctx: Context, lookup: _Lookup):
        self.lookup = lookup
        sc = ctx.scenario
        options = lookup.all_options
        self.options = options
        self.option_index = {c.id: i for i, c in enumerate(options)}
        varies = np.array([ctx.grade_varies(c) for c in options], dtype=bool)
        tier_of = np.array([0 if v else GRADES.index(ctx.effective_grade(c, sc.initial_values))
                            for c, v in zip(options, varies)], dtype=np.int8)
        timeout = np.array([c.is_timeout for c in options], dtype=bool)
        by_id = sorted(range(len(options)), key=lambda i: options[i].id)
        id_rank = np.empty(len(options), dtype=np.int64)
        id_rank[by_id] = np.arange(len(options))
        q, first, opt = lookup.q, lookup.action_first, lookup.option_of_action
        n_actions, n_states = len(q), len(first) - 1
        self.none = n_actions  # "no such action" (a state without an option graded good or acceptable)
        self.q, self.option = q, opt
        self.tier = tier_of[opt]
        self.stake = np.full(n_states, np.nan)  # best minus worst option value
        self.top = np.full(n_states, n_actions, dtype=np.int64)  # -1: the state's grades vary (see above)
        counts = np.diff(first)
        has = counts > 0
        if n_actions:
            starts, counts = first[:-1][has], counts[has]
            self.stake[has] = np.fmax.reduceat(q, starts) - np.fmin.reduceat(q, starts)
            # per option first, then one gather each: good or acceptable and not a timer; the ranking
            eligible = (~timeout & (tier_of <= GRADES.index("acceptable")))[opt] & ~np.isnan(q)
            rank = (tier_of.astype(np.int64) * len(options) + id_rank)[opt]
            top = self._top(q, eligible, rank, starts, counts)
            if varies.any():
                top[np.logical_or.reduceat(varies[opt], starts)] = -1
            self.top[has] = top
        self._before: dict = {}  # option index -> (options before it at its node always offered, tests of the others)

    @staticmethod
    def _top(q, eligible, rank, starts, counts) -> np.ndarray:
        """Per state: the eligible action with the highest value, then the lowest rank (len(q) if none).
        Ranks are unique within a state, so (rank, action) packed in one int64 picks the action."""
        n = len(q)
        high = np.maximum.reduceat(np.where(eligible, q, -np.inf), starts)
        tied = eligible & (q == np.repeat(high, counts))
        packed = np.where(tied, rank * n + np.arange(n), np.iinfo(np.int64).max)
        low = np.minimum.reduceat(packed, starts)
        return np.where(low == np.iinfo(np.int64).max, n, low % n)

    def _position(self, choice, pre: tuple) -> int:
        """Where `choice` is among the options available in state `pre` (a state's actions are its
        available options in the node's order, the timer's expiry last)."""
        hit = self._before.get(choice.id)
        if hit is None:
            node = self.lookup.scenario.nodes[choice.node]
            offered = list(node.choices) + ([node.timer.expire] if node.timer is not None else [])
            before = offered[:next(i for i, c in enumerate(offered) if c.id == choice.id)]
            hit = self._before[choice.id] = (sum(1 for c in before if c.test is None),
                                             tuple(c.test for c in before if c.test is not None))
        always, tests = hit
        return always + sum(1 for test in tests if test(pre)) if tests else always

    def values(self, ctx: Context, made: list) -> list | None:
        """For each (choice, pre) in `made`: `decision_value`'s row, or False where this table leaves
        it to `decision_value` (a state it does not have, or one whose grades depend on the state);
        None when it cannot look these states up."""
        if not made:
            return []
        located = self.lookup.state_ids([(choice.node, pre) for choice, pre in made])
        if located is None:
            return None
        sid, found = located  # where a state is not found, `sid` is some other state's: never read
        # the chosen option's action: the state's first plus its place among the options available
        a = self.lookup.action_first.take(sid) + np.array(
            [self._position(c, pre) if ok else 0 for (c, pre), ok in zip(made, found)], dtype=np.int64)
        chosen = a.tolist()
        option = self.option
        got = option.take(a, mode="clip").tolist()
        if any(ok and got[k] != self.option_index.get(made[k][0].id) for k, ok in enumerate(found)):
            return None  # not the actions expected (cannot happen for a log that replays): value one by one
        top = self.top.take(sid).tolist()
        qs = self.q.take(chosen + top, mode="clip").tolist()  # "none" and -1 clip: such values are never read
        n = len(made)
        tiers = self.tier.take(a, mode="clip").tolist()
        min_gain = ctx.rubric.key_decisions.get("min_gain", 1.0)
        options, none = self.options, self.none
        out = []
        for k, ((choice, _), ok, stake, bi) in enumerate(zip(made, found, self.stake.take(sid).tolist(), top)):
            if not ok or bi < 0 or (bi == chosen[k] and min_gain <= 0):
                out.append(False)  # left to decision_value (with min_gain <= 0 the second best could win)
                continue
            qa = qs[k]
            if qa != qa:  # the chosen option has no value here (NaN): as `decision_value`, no row
                out.append(None)
                continue
            ta, qb = tiers[k], qs[n + k]
            better = None
            if ta != 0 and bi != none and bi != chosen[k] and qb >= qa + min_gain:
                better = options[int(option[bi])]
            regret = round(qb - qa, 9) if better is not None else 0.0
            out.append((regret, ta, round(stake, 9), choice, better, "exact"))
        return out


def decision_table(ctx: Context) -> DecisionTable | None:
    """The cached `DecisionTable` of the context's exact analysis (None when there is none)."""
    hit = ctx.memo.get("decision-table", False)
    if hit is False:
        values = debrief_values(ctx)
        hit = ctx.memo["decision-table"] = DecisionTable(ctx, values) if values is not None else None
    return hit


class BestPlay(_Lookup):
    """The state space, the points of every action, and best play's values (minus points still to lose)."""

    def __init__(self, ctx: Context, space: StateSpace):
        self.space = space
        self.points, self.tiers = grades_array(ctx, space)
        self.values, self.q = solve(space, -self.points, 0.0, "max")
        self.scenario, self.codec, self.keys = space.scenario, space.codec, space.keys
        self.action_first, self.option_of_action, self.all_options = space.action_first, space.action_option, space.options

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


class CachedValues(_Lookup):
    """Best play's option values read from the cache: the same `option_values` as BestPlay."""

    def __init__(self, scenario, keys: np.ndarray, action_first: np.ndarray, options: np.ndarray, q: np.ndarray):
        from simulator.engine.analysis.space import _Codec
        self.scenario = scenario
        self.codec = _Codec(scenario)
        self.keys, self.action_first, self.options, self.q = keys, action_first, options, q
        self.option_of_action = options
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
    import binascii
    item = data[name]
    dtype = np.dtype(_DTYPES[name])
    if not isinstance(item, dict) or item.get("dtype") != _DTYPES[name] or type(item.get("length")) is not int:
        raise ValueError(name)
    raw = binascii.a2b_base64(item["base64"], strict_mode=True)  # in C: no copy, no regular expression
    if len(raw) != item["length"] * dtype.itemsize:
        raise ValueError(name)
    digest.update(raw)
    array = np.frombuffer(raw, dtype=dtype)  # read-only, and never written
    return array if array.dtype.isnative else array.astype(dtype.newbyteorder("="))


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
