"""Every reachable (scene, values) state of a scenario and every transition between them, built with NumPy.

A scenario is a Markov decision process: its states are (node, values) pairs, its actions the
available choices (and, where a timer runs, letting it expire), and its transitions the random
reactions with their exact probabilities. `explore` enumerates the states reachable from the start
one *node* at a time, applying a choice to all of that node's states at once: the step function's
rules (simulator/engine/step.py: first matching case per rule, netting, the recovery bonus,
clamping, reveals, the recovery phase, display-only variables made canonical) are re-stated here
over NumPy columns. tests/test_analysis.py checks that they agree with `transition` on every
state and option of every shipped scenario and of generated ones.

Nodes are visited in topological order of the node graph's strongly connected components, so a
node is expanded once, when every state that can reach it is known (a cycle of nodes is iterated
until no new state appears). All endings are absorbing states, one per ending: the values at an
ending do not change what happens next.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..model import ESCALATION, FACTOR_REVEALED, RECOVERY, Choice, Scenario
from ..step import InvalidChoice, ScenarioError
from .conditions import holds
from .graphs import strongly_connected


class StateSpaceTooLarge(RuntimeError):
    """The scenario has more reachable states than the limit allows."""


class _Codec:
    """Value rows <-> one int64 key per (target, values): mixed radix over each variable's range."""

    def __init__(self, scenario: Scenario):
        self.lo = np.array([v.minimum for v in scenario.variables], dtype=np.int64)
        sizes = [v.maximum - v.minimum + 1 for v in scenario.variables]
        mult, total = [], 1
        for size in sizes:
            mult.append(total)
            total *= size
        self.radix = total  # distinct value rows
        self.fits = total * (len(scenario.nodes) + len(scenario.endings)) < 2**62
        self.mult = np.array(mult, dtype=np.int64) if self.fits else None
        self.sizes = np.array(sizes, dtype=np.int64) if self.fits else None
        self._rows: dict = {}  # fallback: row bytes -> code
        self._back: list = []

    def encode(self, target: int | np.ndarray, rows: np.ndarray) -> np.ndarray:
        if self.fits:
            return np.asarray(target, dtype=np.int64) * self.radix + (rows - self.lo) @ self.mult
        codes = np.empty(len(rows), dtype=np.int64)
        for i, row in enumerate(np.ascontiguousarray(rows, dtype=np.int64)):
            raw = row.tobytes()
            code = self._rows.get(raw)
            if code is None:
                code = self._rows[raw] = len(self._back)
                self._back.append(row.copy())
            codes[i] = code
        return np.asarray(target, dtype=np.int64) * (2**40) + codes

    def decode(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(targets, rows) of keys."""
        if self.fits:
            targets, rest = np.divmod(keys, self.radix)
            rows = (rest[:, None] // self.mult) % self.sizes + self.lo
            return targets, rows
        targets, codes = np.divmod(keys, 2**40)
        rows = np.array([self._back[c] for c in codes], dtype=np.int64).reshape(len(keys), -1)
        return targets, rows


@dataclass
class StateSpace:
    """The reachable states and transitions. States are numbered 0..n-1; ending states last.

    Actions are the (state, option) pairs where the option is available, grouped by state in the
    order a session offers them (the scenario's order, then the timer's expiry); transitions are
    grouped by action in the order of `outcome_distribution`. `*_first` arrays are CSR offsets.
    """

    scenario: Scenario
    timers: bool
    options: tuple  # every choice and timer expiry: option index -> Choice
    target: np.ndarray  # state -> node or ending index
    values: np.ndarray  # state -> values (int64 rows); an ending state's row is the initial values
    start: int
    action_state: np.ndarray
    action_option: np.ndarray
    action_first: np.ndarray  # state -> first action (length n + 1)
    tr_action: np.ndarray
    tr_prob: np.ndarray
    tr_next: np.ndarray
    tr_outcome: np.ndarray  # outcome index, or -1 for a choice with a fixed `next`
    tr_first: np.ndarray  # action -> first transition (length actions + 1)
    keys: np.ndarray  # sorted state keys (for `state_id`)
    codec: _Codec
    components: list  # the node graph's strongly connected components, sinks first (lists of node indexes)
    tr_escalation: np.ndarray  # the distress level after each transition (an ending state does not keep it)

    @property
    def n_states(self) -> int:
        return len(self.target)

    @property
    def n_nodes(self) -> int:
        return len(self.scenario.nodes)

    def is_ending(self) -> np.ndarray:
        return self.target >= self.n_nodes

    def state_id(self, at: int, values: tuple) -> int | None:
        """The id of state (node index `at`, `values`), or None if it is not reachable."""
        sc = self.scenario
        if at >= len(sc.nodes):
            row = np.array([sc.initial_values], dtype=np.int64)
        else:
            row = np.array([sc.canonical(tuple(values))], dtype=np.int64)
        if not self.codec.fits and row[0].tobytes() not in self.codec._rows:
            return None
        key = self.codec.encode(at, row)[0]
        i = int(np.searchsorted(self.keys, key))
        return i if i < len(self.keys) and self.keys[i] == key else None

    def option_index(self, choice: Choice) -> int:
        return self._option_of[choice.id]

    def __post_init__(self):
        self._option_of = {c.id: i for i, c in enumerate(self.options)}
        # states are sorted by target: the states of target t are node_first[t]:node_first[t + 1]
        n_targets = len(self.scenario.nodes) + len(self.scenario.endings)
        self.node_first = np.searchsorted(self.target, np.arange(n_targets + 1))

    def actions_of(self, state: int) -> range:
        return range(int(self.action_first[state]), int(self.action_first[state + 1]))

    def transitions_of(self, action: int) -> range:
        return range(int(self.tr_first[action]), int(self.tr_first[action + 1]))


def _options_of(scenario: Scenario, timers: bool) -> list:
    out = []
    for node in scenario.nodes:
        out.extend(node.choices)
        if timers and node.timer is not None:
            out.append(node.timer.expire)
    return out


def _node_successors(scenario: Scenario, timers: bool):
    succ = []
    for node in scenario.nodes:
        targets = set()
        options = list(node.choices) + ([node.timer.expire] if timers and node.timer is not None else [])
        for c in options:
            if c.outcomes:
                targets.update(o.target for o in c.outcomes)
            elif c.target is not None:
                targets.add(c.target)
        succ.append(sorted(t for t in targets if t < len(scenario.nodes)))
    return succ


def _apply(scenario: Scenario, choice: Choice, pre: np.ndarray, outcome_effects, cache: dict) -> np.ndarray:
    """The values after `choice` (with one outcome's effects) in every row of `pre`: step.transition."""
    index = scenario.var_index
    values = pre.copy()
    recovery = scenario.behaviour.recovery
    # rule parts: escalation and rapport, relative, first matching case of each rule
    rule_delta = {}
    for rule in choice.rules:
        undecided = np.ones(len(pre), dtype=bool)
        for case in rule.cases:
            hit = undecided & _holds(case.when, pre, index, cache) if case.when else undecided.copy()
            undecided &= ~hit
            for slot, amount in ((ESCALATION, case.escalation), (1, case.rapport)):
                if amount:
                    rule_delta[slot] = rule_delta.get(slot, 0) + np.where(hit, amount, 0)
    slots = set(rule_delta)
    for slot, delta in rule_delta.items():
        values[:, slot] += delta
    for eff in tuple(choice.effects) + tuple(outcome_effects):
        slots.add(eff.slot)
        if eff.relative:
            values[:, eff.slot] += eff.amount
        else:
            values[:, eff.slot] = eff.amount
    if ESCALATION in slots and recovery.rise_bonus:
        esc = values[:, ESCALATION]
        values[:, ESCALATION] = np.where((pre[:, RECOVERY] > 0) & (esc > pre[:, ESCALATION]),
                                         esc + recovery.rise_bonus, esc)
    for slot in slots:
        var = scenario.variables[slot]
        np.clip(values[:, slot], var.minimum, var.maximum, out=values[:, slot])
    if choice.reveals and scenario.hidden_factor is not None:
        revealed = values[:, FACTOR_REVEALED]
        values[:, FACTOR_REVEALED] = np.where(revealed != 0, revealed, 1)
    before, after = pre[:, ESCALATION], values[:, ESCALATION]
    if recovery.duration > 0:
        starts = (before >= recovery.trigger_level) & (after < before)
    else:
        starts = np.zeros(len(pre), dtype=bool)
    rec = pre[:, RECOVERY]
    values[:, RECOVERY] = np.where(starts, recovery.duration, np.where(rec > 0, rec - 1, values[:, RECOVERY]))
    for slot in scenario.display_slots:
        values[:, slot] = scenario.variables[slot].initial
    return values


def _expand(scenario: Scenario, choice: Choice, pre: np.ndarray, cache: dict):
    """[(rows mask or None for all, outcome index or -1, probabilities, target, post values)] for
    `choice` over `pre`. `cache` holds condition masks over exactly these rows."""
    index = scenario.var_index
    if not choice.outcomes:
        return [(None, -1, np.ones(len(pre)), choice.target, _apply(scenario, choice, pre, (), cache))]
    masks = []
    total = np.zeros(len(pre))
    for o in choice.outcomes:
        w = o.weight
        if isinstance(w, bool) or not isinstance(w, (int, float)) or not np.isfinite(w) or w < 0:
            raise ScenarioError(f"outcome {o.index} of choice {choice.id!r} has the weight {w!r}")
        mask = _holds(o.condition, pre, index, cache) if o.test is not None else np.ones(len(pre), dtype=bool)
        masks.append(mask)
        total = total + np.where(mask, float(w), 0.0)
    if not np.all(total > 0) or not np.all(np.isfinite(total)):
        bad = np.flatnonzero(~(total > 0))
        if len(bad):
            raise InvalidChoice(f"no outcome of choice {choice.id!r} is possible in a reachable state")
        raise ScenarioError(f"the outcome weights of choice {choice.id!r} do not add up to a finite number")
    out = []
    for o, mask in zip(choice.outcomes, masks):
        if not mask.any():
            continue
        if mask.all():
            out.append((None, o.index, o.weight / total, o.target, _apply(scenario, choice, pre, o.effects, cache)))
        else:
            out.append((mask, o.index, o.weight / total[mask], o.target, _apply(scenario, choice, pre[mask], o.effects, {})))
    return out


def explore(scenario: Scenario, *, timers: bool = True, limit: int = 20_000_000,
            expansions: int | None = None) -> StateSpace:
    """Enumerate every state reachable from the start and every transition (see the module docstring).

    `timers`: whether a timer's expiry is an action. Raises StateSpaceTooLarge past `limit` states or
    past `expansions` node expansions (default: 20 per node plus 10,000; a node in a cycle is
    expanded again for each round that brings it new states, and a cycle that keeps changing a
    variable with a huge range would otherwise go on for as long as the range allows).
    """
    if expansions is None:
        expansions = 20 * len(scenario.nodes) + 10_000
    sc = scenario
    n_nodes = len(sc.nodes)
    codec = _Codec(sc)
    options = _options_of(sc, timers)
    option_of = {c.id: i for i, c in enumerate(options)}
    succ = _node_successors(sc, timers)
    order = list(strongly_connected([sc.start], lambda n: succ[n]))[::-1]  # sources first
    rank = _reverse_postorder(sc.start, succ)  # inside a cycle, sweep nodes in this order
    pending: dict[int, list] = {sc.start: [codec.encode(sc.start, np.array([sc.canonical(sc.initial_values)],
                                                                        dtype=np.int64))]}
    seen: dict[int, np.ndarray] = {}
    seen_rows: dict[int, list] = {}  # node -> [(keys, value rows)] in the order expanded
    chunks: dict[int, list] = {}  # node -> [(src keys, option index, outcome, probs, dst keys)]
    total = expanded = 0
    for component in order:
        sweep = sorted(component, key=rank.__getitem__)
        while any(n in pending for n in sweep):
            for node in sweep:
                if node not in pending:
                    continue
                keys = _unique(np.concatenate(pending.pop(node)))
                if node in seen:
                    keys = keys[~np.isin(keys, seen[node], assume_unique=True)]
                    if not len(keys):
                        continue
                    seen[node] = np.union1d(seen[node], keys)
                else:
                    seen[node] = keys
                total += len(keys)
                expanded += 1
                if total > limit:
                    raise StateSpaceTooLarge(f"more than {limit:,} states")
                if expanded > expansions:
                    raise StateSpaceTooLarge(f"more than {expansions:,} rounds of new states in cycles of scenes")
                _, rows = codec.decode(keys)
                seen_rows.setdefault(node, []).append((keys, rows))
                for dst_target, dst in _expand_node(sc, node, keys, rows, codec, timers, option_of,
                                                    chunks.setdefault(node, [])):
                    pending.setdefault(dst_target, []).append(dst)
    all_chunks = [c for node in sorted(chunks) for c in chunks[node]]
    first_ending = codec.encode(n_nodes, np.array([sc.initial_values], dtype=np.int64))[0]
    ends = [c[4][c[4] >= first_ending] for c in all_chunks]
    reached = _unique(np.concatenate(ends)) if ends else np.zeros(0, dtype=np.int64)
    # each node's keys are sorted and start with its target, so node order is key order
    all_keys = np.concatenate([seen[n] for n in sorted(seen)] + [reached])
    node_rows = []
    for n in sorted(seen):
        found = seen_rows[n]
        if len(found) == 1:
            node_rows.append(found[0][1])
        else:  # a node in a cycle, expanded in several rounds: put its rows in key order
            keys = np.concatenate([k for k, _ in found])
            node_rows.append(np.concatenate([r for _, r in found])[np.argsort(keys, kind="stable")])
    node_rows.append(np.tile(np.array(sc.initial_values, dtype=np.int64), (len(reached), 1)))
    rows = np.concatenate(node_rows)
    return _assemble(sc, timers, options, codec, all_keys, rows, all_chunks, order[::-1])


def _unique(keys: np.ndarray) -> np.ndarray:
    """Sorted distinct keys (a sort and a comparison: cheaper than np.unique on many small arrays)."""
    keys = np.sort(keys)
    if len(keys) > 1:
        keys = keys[np.concatenate(([True], keys[1:] != keys[:-1]))]
    return keys


DENSE_KEYS = 16_000_000  # below this many possible keys, states are looked up in a table (int32: 64 MB at most)


def _lookup(keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The positions of `wanted` in the sorted array `keys` (every wanted key is present)."""
    if len(keys) and keys[-1] < DENSE_KEYS:
        table = np.empty(int(keys[-1]) + 1, dtype=np.int32)
        table[keys] = np.arange(len(keys), dtype=np.int32)
        return table[wanted]
    return np.searchsorted(keys, wanted)


def _reverse_postorder(start: int, succ: list) -> dict:
    """node -> its position in a reverse postorder of a depth-first search from `start` (a topological
    order where there are no cycles; inside a cycle, most edges still point forwards)."""
    post, seen, stack = [], {start}, [(start, iter(succ[start]))]
    while stack:
        node, it = stack[-1]
        for nxt in it:
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, iter(succ[nxt])))
                break
        else:
            stack.pop()
            post.append(node)
    return {node: i for i, node in enumerate(reversed(post))}


def _expand_node(sc: Scenario, node: int, keys: np.ndarray, rows: np.ndarray, codec: _Codec, timers: bool,
                 option_of: dict, out: list):
    """Apply every option of `node` to its new states `keys` (values `rows`); record the transitions
    in `out` and yield (target node, next keys) for the states it leads to."""
    n_nodes = len(sc.nodes)
    nd = sc.nodes[node]
    cache: dict = {}  # condition -> mask over `rows`: rules and outcomes share conditions
    node_options = list(nd.choices) + ([nd.timer.expire] if timers and nd.timer is not None else [])
    for choice in node_options:
        avail = None if choice.test is None else _holds(choice.condition, rows, sc.var_index, cache)
        src_rows = rows if avail is None else rows[avail]
        src_keys = keys if avail is None else keys[avail]
        if not len(src_rows):
            continue
        for mask, outcome, probs, target, post in _expand(sc, choice, src_rows, cache if avail is None else {}):
            level = post[:, ESCALATION].copy()  # kept for endings too, whose values are not
            if target >= n_nodes:
                post = np.broadcast_to(np.array(sc.initial_values, dtype=np.int64), post.shape)
            dst = codec.encode(target, post)
            out.append((src_keys if mask is None else src_keys[mask], option_of[choice.id], outcome, probs, dst, level))
            if target < n_nodes:
                yield target, dst


def _holds(condition, rows, index, cache: dict) -> np.ndarray:
    hit = cache.get(condition)
    if hit is None:
        hit = cache[condition] = holds(condition, rows, index)
    return hit


def _assemble(sc, timers, options, codec, keys, rows, chunks, components) -> StateSpace:
    """Number the states and lay actions and transitions out in CSR order: by state, then option
    (the scenario's order, the timer last), then outcome. Chunks come grouped by node in node order,
    and states are numbered by (target, values), so sorting inside each node's chunks is enough."""
    parts = []
    by_node: dict[int, list] = {}
    for c in chunks:
        node = int(c[0][0] // codec.radix) if codec.fits else int(c[0][0] // 2**40)
        by_node.setdefault(node, []).append(c)
    for node in sorted(by_node):
        group = by_node[node]
        src = np.concatenate([c[0] for c in group])
        opt = np.concatenate([np.full(len(c[0]), c[1], dtype=np.int64) for c in group])
        out = np.concatenate([np.full(len(c[0]), c[2], dtype=np.int64) for c in group])
        prob = np.concatenate([np.broadcast_to(np.asarray(c[3], dtype=np.float64), len(c[0])) for c in group])
        dst = np.concatenate([c[4] for c in group])
        level = np.concatenate([c[5] for c in group])
        # chunks are in option order, then outcome order, and every state's transitions come from one
        # round of expansion: a stable sort by state alone keeps the rest in order
        order = np.argsort(src, kind="stable")
        parts.append((src[order], opt[order], out[order], prob[order], dst[order], level[order]))
    if parts:
        src, opt, out, prob, dst, level = (np.concatenate([p[i] for p in parts]) for i in range(6))
    else:
        src = opt = out = dst = level = np.zeros(0, dtype=np.int64)
        prob = np.zeros(0)
    s = _lookup(keys, src)
    d = _lookup(keys, dst)
    new_action = np.ones(len(s), dtype=bool)
    if len(s):
        new_action[1:] = (s[1:] != s[:-1]) | (opt[1:] != opt[:-1])
    action_start = np.flatnonzero(new_action)
    action_state = s[action_start]
    action_option = opt[action_start]
    tr_action = np.cumsum(new_action, dtype=np.int64) - 1
    tr_first = np.append(action_start, len(s))
    n = len(keys)
    action_first = np.searchsorted(action_state, np.arange(n + 1))
    targets = keys // (codec.radix if codec.fits else 2**40)
    start_key = codec.encode(sc.start, np.array([sc.canonical(sc.initial_values)], dtype=np.int64))[0]
    return StateSpace(sc, timers, tuple(options), targets, rows, int(np.searchsorted(keys, start_key)),
                      action_state, action_option, action_first, tr_action, prob, d, out, tr_first, keys, codec,
                      components, level)
