"""Meaning checks on scenario data: ids, references, expressions, ranges, assets, reachability."""
from __future__ import annotations

import difflib
from collections import deque
from pathlib import Path

from ..engine.expressions import ExpressionError, interval, parse, variables
from ..engine.model import BUILTIN_VARIABLES, BehaviourModel
from .diagnostics import DiagnosticSink
from .yamlsafe import SignedInt, YamlDocument

RESERVED_SPEAKERS = ("you", "dispatch")
PORTRAIT_EXPRESSIONS = ("calm", "anxious", "upset", "angry")
BUILTIN_RANGES = {"escalation": (0, 6), "rapport": (0, 5), "recovery": (0, 50), "factor_revealed": (0, 1)}


def _suggest(word: str, options) -> str:
    close = difflib.get_close_matches(str(word), list(options), n=1)
    return f"did you mean {close[0]!r}?" if close else ""


def _d(value) -> dict:
    return value if isinstance(value, dict) else {}


def _l(value) -> list:
    return value if isinstance(value, list) else []


def iter_choices(data: dict):
    """Yield (path, choice dict, node id, is_timeout) for every choice and timer expiry."""
    for node_id, node in _d(data.get("nodes")).items():
        node = _d(node)
        for i, choice in enumerate(_l(node.get("choices"))):
            if isinstance(choice, dict):
                yield ("nodes", node_id, "choices", i), choice, node_id, False
        timer = _d(node.get("timer"))
        if isinstance(timer.get("expire"), dict):
            yield ("nodes", node_id, "timer", "expire"), timer["expire"], node_id, True


class SemanticChecker:
    """Runs every meaning check on one document, reporting into a sink; never raises."""

    def __init__(self, doc: YamlDocument, sink: DiagnosticSink, model: BehaviourModel,
                 asset_dirs: list[Path]):
        self.doc = doc
        self.data = doc.data if isinstance(doc.data, dict) else {}
        self.sink = sink
        self.model = model
        self.asset_dirs = asset_dirs
        self.ranges: dict[str, tuple[int, int]] = dict(BUILTIN_RANGES)
        self.initial: dict[str, int] = {}
        self.parsed: dict[tuple, object] = {}  # path of a condition -> AST

    def pos(self, path, key=False):
        return self.doc.position(tuple(path), key)

    # --- entry point ---------------------------------------------------------------------------
    def run(self) -> None:
        data = self.data
        self.check_variables()
        self.check_characters()
        self.check_ids_and_targets()
        self.check_choices()
        self.check_rules()
        self.check_assets()
        self.check_translations()
        if not _l(data.get("reviewers")) and "reviewers" in data:
            self.sink.warning(self.pos(("reviewers",)), "no-reviewers",
                              "no community reviewer is named yet: this scenario is a draft",
                              "have people with lived experience review it and list them")
        self.check_graph()

    # --- variables ------------------------------------------------------------------------------
    def check_variables(self) -> None:
        state = _d(self.data.get("state"))
        recovery = _d(_d(self.data.get("behaviour")).get("recovery"))
        duration = recovery.get("duration")
        if not isinstance(duration, int) or isinstance(duration, bool):
            duration = self.model.recovery.duration
        self.ranges["recovery"] = (0, max(duration, 0))
        self.initial = {"escalation": state.get("escalation", 0) if isinstance(state.get("escalation"), int) else 0,
                        "rapport": state.get("rapport", 0) if isinstance(state.get("rapport"), int) else 0,
                        "recovery": 0, "factor_revealed": 0}
        for name, var in _d(state.get("variables")).items():
            path = ("state", "variables", name)
            if name in BUILTIN_VARIABLES:
                self.sink.error(self.pos(path, key=True), "reserved-variable",
                                f"{name!r} is a built-in variable and cannot be redefined",
                                "choose another name")
                continue
            var = _d(var)
            lo, hi, init = var.get("min"), var.get("max"), var.get("initial")
            if not all(isinstance(v, int) and not isinstance(v, bool) for v in (lo, hi, init)):
                continue  # the schema reports the shape
            if lo > hi:
                self.sink.error(self.pos(path), "bad-range", f"variable {name!r} has min {lo} above max {hi}",
                                "swap min and max")
                continue
            if not lo <= init <= hi:
                self.sink.error(self.pos(path + ("initial",)), "out-of-range",
                                f"variable {name!r} starts at {init}, outside its range {lo}..{hi}",
                                "make initial lie between min and max")
            self.ranges[name] = (lo, hi)
            self.initial[name] = min(max(init, lo), hi)
        if "hidden_factor" not in state:
            self.sink.warning(self.pos(("state",)), "no-hidden-factor",
                              "the scenario has no hidden factor",
                              "a hidden factor (deafness, limited English, crisis...) teaches information gathering")

    # --- characters -----------------------------------------------------------------------------
    def check_characters(self) -> None:
        chars = _d(self.data.get("characters"))
        subjects = [cid for cid, c in chars.items() if _d(c).get("role") == "subject"]
        if chars and len(subjects) != 1:
            self.sink.error(self.pos(("characters",)), "subject-count",
                            f"exactly one character must have role: subject (found {len(subjects)})",
                            "mark the person the trainee is dealing with as the subject")
        known = set(chars) | set(RESERVED_SPEAKERS)
        for node_id, node in _d(self.data.get("nodes")).items():
            node = _d(node)
            for i, who in enumerate(_l(node.get("present"))):
                if who not in chars:
                    self.sink.error(self.pos(("nodes", node_id, "present", i)), "unknown-character",
                                    f"unknown character {who!r} in present",
                                    _suggest(who, chars) or f"characters: {', '.join(chars)}")
            for i, line in enumerate(_l(node.get("lines"))):
                speaker = _d(line).get("speaker")
                if isinstance(speaker, str) and speaker not in known:
                    self.sink.error(self.pos(("nodes", node_id, "lines", i, "speaker")), "unknown-speaker",
                                    f"unknown speaker {speaker!r}",
                                    _suggest(speaker, known) or f"speakers: {', '.join(sorted(known))}")

    # --- ids and targets ------------------------------------------------------------------------
    def check_ids_and_targets(self) -> None:
        nodes, endings = _d(self.data.get("nodes")), _d(self.data.get("endings"))
        for eid in endings:
            if eid in nodes:
                self.sink.error(self.pos(("endings", eid), key=True), "duplicate-id",
                                f"{eid!r} is both a node and an ending", "nodes and endings share one namespace")
        self.targets = set(nodes) | set(endings)
        start = self.data.get("start")
        if isinstance(start, str) and nodes:
            if start in endings:
                self.sink.error(self.pos(("start",)), "bad-start", f"start {start!r} is an ending",
                                "start at a node with choices")
            elif start not in nodes:
                self.sink.error(self.pos(("start",)), "unknown-next", f"start node {start!r} does not exist",
                                _suggest(start, nodes) or "name one of the nodes")
        seen: dict[str, tuple] = {}
        for path, choice, node_id, _ in iter_choices(self.data):
            cid = choice.get("id")
            if isinstance(cid, str):
                if cid in seen:
                    line = self.pos(seen[cid] + ("id",))
                    self.sink.error(self.pos(path + ("id",)), "duplicate-id",
                                    f"choice id {cid!r} is used twice (first at line {line[0] if line else '?'})",
                                    "choice ids must be unique in the whole scenario")
                else:
                    seen[cid] = path
            has_next, has_outcomes = "next" in choice, "outcomes" in choice
            if has_next == has_outcomes:
                self.sink.error(self.pos(path), "next-or-outcomes",
                                f"choice {cid!r} needs exactly one of `next` or `outcomes`",
                                "use next for a fixed branch, outcomes for weighted random reactions")
            if has_next:
                self.check_target(path + ("next",), choice["next"])
            for i, outcome in enumerate(_l(choice.get("outcomes"))):
                outcome = _d(outcome)
                if "next" in outcome:
                    self.check_target(path + ("outcomes", i, "next"), outcome["next"])
                weight = outcome.get("weight")
                if isinstance(weight, (int, float)) and not isinstance(weight, bool) and weight <= 0:
                    self.sink.error(self.pos(path + ("outcomes", i, "weight")), "bad-weight",
                                    f"outcome weight must be positive, not {weight}",
                                    "remove the outcome or give it a weight above 0")
        self.choice_ids = seen

    def check_target(self, path, target) -> None:
        if isinstance(target, str) and target not in self.targets:
            self.sink.error(self.pos(path), "unknown-next", f"there is no node or ending {target!r}",
                            _suggest(target, self.targets) or "add it, or point to an existing node")

    # --- choices: tags, force, effects, conditions ----------------------------------------------
    def check_choices(self) -> None:
        tags = self.model.tags
        for path, choice, node_id, is_timeout in iter_choices(self.data):
            seen_tags: set = set()
            for i, tag in enumerate(_l(choice.get("tags"))):
                if isinstance(tag, str) and tag in seen_tags:
                    self.sink.error(self.pos(path + ("tags", i)), "duplicate-tag", f"tag {tag!r} is listed twice",
                                    "list each tag once")
                seen_tags.add(tag if isinstance(tag, str) else None)
                if isinstance(tag, str) and tag not in tags:
                    self.sink.error(self.pos(path + ("tags", i)), "unknown-tag", f"unknown technique tag {tag!r}",
                                    _suggest(tag, tags) or "see simulator/engine/behaviour.yaml for the tags")
            self.check_effects(path + ("effects",), choice.get("effects"))
            if "condition" in choice:
                self.check_condition(path + ("condition",), choice["condition"])
            for i, outcome in enumerate(_l(choice.get("outcomes"))):
                outcome = _d(outcome)
                self.check_effects(path + ("outcomes", i, "effects"), outcome.get("effects"))
                if "condition" in outcome:
                    self.check_condition(path + ("outcomes", i, "condition"), outcome["condition"])
            outcomes = _l(choice.get("outcomes"))
            if outcomes and all("condition" in _d(o) for o in outcomes):
                self.sink.warning(self.pos(path + ("outcomes",)), "all-outcomes-conditional",
                                  "every outcome has a condition; if none holds the choice cannot proceed",
                                  "leave one outcome without a condition")
            if not is_timeout and "feedback" not in choice:
                self.sink.warning(self.pos(path), "no-feedback", f"choice {choice.get('id')!r} has no feedback",
                                  "explain why this choice helps or hurts; the debrief shows it")
        for node_id, node in _d(self.data.get("nodes")).items():
            choices = [c for c in _l(_d(node).get("choices")) if isinstance(c, dict)]
            if choices and all("condition" in c for c in choices) and "timer" not in _d(node):
                self.sink.warning(self.pos(("nodes", node_id, "choices")), "all-choices-conditional",
                                  f"every choice at {node_id!r} has a condition; if none holds the trainee is stuck",
                                  "add one choice without a condition")

    def check_effects(self, path, effects) -> None:
        for name, value in _d(effects).items():
            vpath = path + (name,)
            if name not in self.ranges:
                self.sink.error(self.pos(vpath, key=True), "unknown-variable", f"unknown variable {name!r} in effects",
                                _suggest(name, self.ranges) or "declare it under state.variables")
                continue
            if name in ("recovery",):
                self.sink.error(self.pos(vpath, key=True), "read-only-variable",
                                f"{name!r} is managed by the behaviour model and cannot be changed",
                                "tune behaviour.recovery instead")
                continue
            if isinstance(value, bool):
                continue  # the schema reports it
            if isinstance(value, int) and not isinstance(value, SignedInt):
                self.sink.error(self.pos(vpath), "bare-number",
                                f"effect `{name}: {value}` is ambiguous",
                                f"write `{name}: +{value}` to add or `{name}: ={value}` to set")
                continue
            if isinstance(value, str) and value.startswith("="):
                try:
                    target = int(value[1:])
                except ValueError:
                    continue
                lo, hi = self.ranges[name]
                if not lo <= target <= hi:
                    self.sink.error(self.pos(vpath), "out-of-range",
                                    f"`{name}: {value}` sets a value outside {lo}..{hi}",
                                    f"use a value from {lo} to {hi}")
            elif isinstance(value, int):
                lo, hi = self.ranges[name]
                if abs(value) > hi - lo:
                    self.sink.warning(self.pos(vpath), "large-change",
                                      f"`{name}: {value:+d}` is larger than the whole range {lo}..{hi}",
                                      "the value will be clamped; use a smaller change")

    def check_condition(self, path, source):
        if not isinstance(source, str):
            return None
        try:
            ast = parse(source)
        except ExpressionError as exc:
            self.sink.error(self.pos(path), "bad-condition",
                            f"cannot read condition `{source}`: {exc.message} at character {exc.offset + 1}",
                            exc.hint or "see the expression syntax in docs/scenario-format.md")
            return None
        ok = True
        for name, offset in variables(ast):
            if name not in self.ranges:
                ok = False
                self.sink.error(self.pos(path), "unknown-variable",
                                f"unknown variable {name!r} in condition `{source}`",
                                _suggest(name, self.ranges) or f"known variables: {', '.join(self.ranges)}")
        if ok:
            self.parsed[tuple(path)] = ast
            return ast
        return None

    # --- behaviour tuning ----------------------------------------------------------------------
    def check_rules(self) -> None:
        behaviour = _d(self.data.get("behaviour"))
        known = {r.id for r in self.model.rules}
        for i, rid in enumerate(_l(behaviour.get("disable_rules"))):
            if isinstance(rid, str) and rid not in known:
                self.sink.error(self.pos(("behaviour", "disable_rules", i)), "unknown-rule",
                                f"there is no default rule {rid!r}", _suggest(rid, known))
        for i, rule in enumerate(_l(behaviour.get("rules"))):
            rule = _d(rule)
            for j, tag in enumerate(_l(rule.get("tags"))):
                if isinstance(tag, str) and tag not in self.model.tags:
                    self.sink.error(self.pos(("behaviour", "rules", i, "tags", j)), "unknown-tag",
                                    f"unknown technique tag {tag!r}", _suggest(tag, self.model.tags))
            for j, case in enumerate(_l(rule.get("cases"))):
                if "when" in _d(case):
                    self.check_condition(("behaviour", "rules", i, "cases", j, "when"), case["when"])

    # --- assets ---------------------------------------------------------------------------------
    def find_asset(self, ref: str) -> Path | None:
        """The first existing file or folder named `ref` in the asset search path, else None."""
        if not ref or len(ref) > 255 or ref.startswith(("/", "\\")) or ".." in Path(ref).parts:
            return None
        for base in self.asset_dirs:
            candidate = base / ref
            try:
                if candidate.exists():
                    return candidate
            except (OSError, ValueError):  # a name too long, or with a NUL byte, is simply not found
                return None
        return None

    def check_assets(self) -> None:
        def background(path, ref):
            if isinstance(ref, str) and self.find_asset(ref) is None:
                self.sink.error(self.pos(path), "missing-asset", f"background {ref!r} not found",
                                "paths are relative to the scenario file or to assets/, without '..'")
        for node_id, node in _d(self.data.get("nodes")).items():
            background(("nodes", node_id, "background"), _d(node).get("background"))
        for eid, ending in _d(self.data.get("endings")).items():
            background(("endings", eid, "background"), _d(ending).get("background"))
        for cid, char in _d(self.data.get("characters")).items():
            ref = _d(char).get("portrait")
            if not isinstance(ref, str):
                continue
            folder = self.find_asset(ref)
            missing = [e for e in PORTRAIT_EXPRESSIONS if folder is None or not folder.is_dir()
                       or not (folder / f"{e}.svg").is_file()]
            if missing:
                self.sink.error(self.pos(("characters", cid, "portrait")), "missing-asset",
                                f"portrait {ref!r} lacks {', '.join(m + '.svg' for m in missing)}",
                                "a portrait is a folder under assets/ with calm, anxious, upset and angry SVGs")

    # --- translations ---------------------------------------------------------------------------
    def check_translations(self) -> None:
        languages = [l for l in _l(self.data.get("languages")) if isinstance(l, str)]
        default = self.data.get("language")
        if isinstance(default, str) and languages and default not in languages:
            self.sink.error(self.pos(("language",)), "bad-language",
                            f"default language {default!r} is not in languages {languages}",
                            "add it to languages")
        if len(languages) < 2:
            return
        missing_count = 0

        def walk(value, path):
            nonlocal missing_count
            if isinstance(value, dict):
                keys = set(value)
                looks_like_text = keys and all(isinstance(k, str) and 2 <= len(k) <= 8 and isinstance(v, str)
                                               for k, v in value.items()) and keys & set(languages)
                if looks_like_text:
                    for lang in languages:
                        if lang not in value:
                            missing_count += 1
                            if missing_count <= 50:
                                self.sink.warning(self.pos(path), "missing-translation",
                                                  f"no {lang!r} text here; players see the {default!r} text",
                                                  f"add `{lang}: ...`")
                    return
                for k, v in value.items():
                    walk(v, path + (k,))
            elif isinstance(value, list):
                for i, v in enumerate(value):
                    walk(v, path + (i,))
            elif isinstance(value, str) and path and path[-1] in TEXT_KEYS:
                missing_count += 1
                if missing_count <= 50:
                    self.sink.warning(self.pos(path), "missing-translation",
                                      f"text given only in the default language; {', '.join(l for l in languages if l != default)} missing",
                                      "give the text as a map, e.g. {en: ..., es: ...}")
        for key in ("title", "summary", "location", "dispatch", "learning_objectives", "content_notes",
                    "characters", "nodes", "endings"):
            if key in self.data:
                walk(self.data[key], (key,))
        if missing_count > 50:
            self.sink.warning(None, "missing-translation", f"{missing_count - 50} more texts lack translations",
                              "translate the remaining texts")

    # --- graph: reachability, endings reachable, dead conditions --------------------------------
    def check_graph(self) -> None:
        nodes = _d(self.data.get("nodes"))
        endings = _d(self.data.get("endings"))
        start = self.data.get("start")
        if not nodes or start not in nodes:
            return
        edges: dict[str, list[tuple[str, tuple, dict, tuple | None]]] = {n: [] for n in nodes}
        for path, choice, node_id, _ in iter_choices(self.data):
            if isinstance(choice.get("next"), str) and choice["next"] in self.targets:
                edges[node_id].append((choice["next"], path, choice, None))
            for i, outcome in enumerate(_l(choice.get("outcomes"))):
                nxt = _d(outcome).get("next")
                if isinstance(nxt, str) and nxt in self.targets:
                    edges[node_id].append((nxt, path, choice, path + ("outcomes", i)))
        # Forward reachability.
        seen = {start}
        queue = deque([start])
        while queue:
            here = queue.popleft()
            for target, *_ in edges.get(here, ()):
                if target not in seen:
                    seen.add(target)
                    if target in nodes:
                        queue.append(target)
        for node_id in nodes:
            if node_id not in seen:
                self.sink.error(self.pos(("nodes", node_id), key=True), "unreachable",
                                f"node {node_id!r} can never be reached from start {start!r}",
                                "point a choice at it, or remove it")
        for eid in endings:
            if eid not in seen:
                self.sink.error(self.pos(("endings", eid), key=True), "unreachable",
                                f"ending {eid!r} can never be reached", "point a choice at it, or remove it")
        # Backward: which nodes can reach an ending.
        reverse: dict[str, list[str]] = {}
        for here, out in edges.items():
            for target, *_ in out:
                reverse.setdefault(target, []).append(here)
        can_end = set(endings)
        queue = deque(endings)
        while queue:
            here = queue.popleft()
            for prev in reverse.get(here, ()):
                if prev not in can_end:
                    can_end.add(prev)
                    queue.append(prev)
        for node_id in nodes:
            if node_id in seen and node_id not in can_end:
                self.sink.error(self.pos(("nodes", node_id), key=True), "no-ending",
                                f"no ending can be reached from node {node_id!r}: the trainee would be trapped",
                                "give it a path to an ending")
        self.check_dead_conditions(nodes, edges, start)

    def check_dead_conditions(self, nodes, edges, start) -> None:
        """Interval analysis of values reachable at each node; reports conditions that never hold.

        An environment is a tuple of (lo, hi) pairs, one per variable in `names` order; tuples keep
        the fixpoint cheap (it visits every edge a few times). Conditions read a name -> interval
        dict built once per node visit, only when an edge has a condition.
        """
        names = list(self.ranges)
        init = tuple((self.initial.get(n, self.ranges[n][0]),) * 2 for n in names)
        env_at: dict[str, tuple] = {start: init}
        rules = self.effective_rules()
        rise_bonus = self.model.recovery.rise_bonus
        behaviour = _d(self.data.get("behaviour"))
        if isinstance(_d(behaviour.get("recovery")).get("rise_bonus"), int):
            rise_bonus = behaviour["recovery"]["rise_bonus"]
        queue = deque([start])
        queued = {start}
        transfers: dict[int, object] = {}
        self._index = {n: i for i, n in enumerate(names)}
        self._bounds = tuple(self.ranges[n] for n in names)
        self._shifts: dict[frozenset, tuple] = {}
        while queue:
            here = queue.popleft()
            queued.discard(here)
            env = env_at[here]
            named = None
            for edge in edges[here]:
                target, path, choice, outcome_path = edge
                if target not in nodes:
                    continue
                cond = self.parsed.get(path + ("condition",))
                if cond is not None:
                    if named is None:
                        named = dict(zip(names, env))
                    if interval(cond, named) == (0, 0):
                        continue
                transfer = transfers.get(id(edge))
                if transfer is None:
                    transfer = transfers[id(edge)] = self.transfer(names, choice, outcome_path, rules, rise_bonus)
                new = transfer(env)
                old = env_at.get(target)
                if old is None:
                    merged = new
                else:
                    merged = tuple((a[0] if a[0] < b[0] else b[0], a[1] if a[1] > b[1] else b[1])
                                   for a, b in zip(old, new))
                if merged != old:
                    env_at[target] = merged
                    if target not in queued:
                        queued.add(target)
                        queue.append(target)
        for path, choice, node_id, _ in iter_choices(self.data):
            if node_id not in env_at:
                continue
            env = dict(zip(names, env_at[node_id]))
            for cpath in [path + ("condition",)] + [path + ("outcomes", i, "condition")
                                                    for i in range(len(_l(choice.get("outcomes"))))]:
                ast = self.parsed.get(cpath)
                if ast is not None and interval(ast, env) == (0, 0):
                    ranges = ", ".join(f"{n} {lo}..{hi}" for n, (lo, hi) in env.items()
                                       if n in {v for v, _ in variables(ast)})
                    self.sink.error(self.pos(cpath), "dead-condition",
                                    f"condition `{self.get(cpath)}` can never hold at node {node_id!r} "
                                    f"(reachable values there: {ranges})",
                                    "fix the condition or the effects that lead here")

    def get(self, path):
        value = self.data
        for p in path:
            value = value[p]
        return value

    def effective_rules(self):
        behaviour = _d(self.data.get("behaviour"))
        disabled = set(x for x in _l(behaviour.get("disable_rules")) if isinstance(x, str))
        rules = {r.id: [(set(r.tags), [(c.escalation, c.rapport) for c in r.cases])]
                 for r in self.model.rules if r.id not in disabled}
        for rule in _l(behaviour.get("rules")):
            rule = _d(rule)
            cases = []
            for case in _l(rule.get("cases")):
                case = _d(case)
                cases.append((_int(case.get("escalation", 0)), _int(case.get("rapport", 0))))
            if isinstance(rule.get("id"), str):
                rules[rule["id"]] = [(set(x for x in _l(rule.get("tags")) if isinstance(x, str)), cases)]
        return [entry for entries in rules.values() for entry in entries]

    def transfer(self, names, choice, outcome_path, rules, rise_bonus):
        """The effect of one edge on value intervals, computed once and applied on every visit.

        Over-approximates the engine: any rule case may apply, netted rises may get the recovery
        bonus, and recovery may hold any value in its range afterwards.
        """
        index = self._index
        tags = frozenset(x for x in _l(choice.get("tags")) if isinstance(x, str))
        shift = self._shifts.get(tags)
        if shift is None:
            e_lo = e_hi = r_lo = r_hi = 0
            for rule_tags, cases in rules:
                if tags & rule_tags and cases:
                    esc = [c[0] for c in cases] + [0]
                    rap = [c[1] for c in cases] + [0]
                    e_lo, e_hi = e_lo + min(esc), e_hi + max(esc)
                    r_lo, r_hi = r_lo + min(rap), r_hi + max(rap)
            shift = self._shifts[tags] = (e_lo, e_hi, r_lo, r_hi)
        e_lo, e_hi, r_lo, r_hi = shift
        steps = []  # (slot, set?, amount), in application order
        effect_sets = [_d(choice.get("effects"))]
        if outcome_path is not None:
            effect_sets.append(_d(_d(self.get(outcome_path)).get("effects")))
        for effects in effect_sets:
            for name, value in effects.items():
                if name not in index or isinstance(value, bool):
                    continue
                if isinstance(value, str) and value.startswith("="):
                    try:
                        steps.append((index[name], True, int(value[1:])))
                    except ValueError:
                        continue
                elif isinstance(value, (int, str)):
                    steps.append((index[name], False, _int(value)))
        reveals = choice.get("reveals") is True
        esc_i, rap_i = index["escalation"], index["rapport"]
        rec_i, fac_i = index["recovery"], index["factor_revealed"]
        recovery_range = (0, self.ranges["recovery"][1])
        bounds = self._bounds

        def apply(env):
            new = list(env)
            lo, hi = new[esc_i]
            new[esc_i] = (lo + e_lo, hi + e_hi)
            lo, hi = new[rap_i]
            new[rap_i] = (lo + r_lo, hi + r_hi)
            for slot, is_set, amount in steps:
                if is_set:
                    new[slot] = (amount, amount)
                else:
                    lo, hi = new[slot]
                    new[slot] = (lo + amount, hi + amount)
            lo, hi = new[esc_i]
            if hi > env[esc_i][0]:  # some rise is possible: allow for the recovery bonus
                new[esc_i] = (lo, hi + rise_bonus)
            if reveals:
                new[fac_i] = (1, 1)
            new[rec_i] = recovery_range
            return tuple((rlo if lo < rlo else rhi if lo > rhi else lo, rlo if hi < rlo else rhi if hi > rhi else hi)
                         for (lo, hi), (rlo, rhi) in zip(new, bounds))
        return apply

TEXT_KEYS = {"title", "summary", "location", "dispatch", "text", "narrative", "behaviour", "perspective",
             "feedback", "debrief", "description", "name", "offence"}


def _int(value) -> int:
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return int(value)
    try:
        return int(str(value).replace("+", ""))
    except ValueError:
        return 0
