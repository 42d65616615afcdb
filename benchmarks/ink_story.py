"""A loaded Parley scenario written as an ink story of the same graph, for benchmarks/bench_engine.py.

    from ink_story import scenario_to_ink
    story = scenario_to_ink(scenario)      # story.source: ink text; story.knot_of / story.choice_tag: ids

    node = ensure_inkjs()                  # npm-installs inkjs 2.4.0 into benchmarks/peers once
    json_path, _ = compile_story(node, story, "synthetic-100")   # cached in benchmarks/out/ink/
    same, message, record = check_path(node, scenario, json_path, seed=0)

The ink runtime (inkjs, driven by benchmarks/peers/run_ink.js) plays the story beside Parley's own
engine. The story is written so that, from the same state, the same choices are open and the same
choice leads to the same place:

- one knot per node and per ending; ids are mapped by `ink_id` (ink identifiers cannot hold `-`):
  `_` becomes `__`, `-` becomes `_h`, any other character outside [A-Za-z0-9] `_u` and six hex
  digits, behind a prefix per kind (`n_` node, `e_` ending, `v_` variable, `w_` working value,
  `r_` rule, `c_` choice), so the mapping is one to one and never meets an ink keyword. Each knot's
  first line carries the knot's own name as a tag (what Parley's `node_entered` event records);
- a node's narrative and spoken lines ("Name: words") as text, escaped; an ending's title and text;
- each choice as a sticky ink choice (`+`, since the graph has cycles) with its text and, as a
  tag, its id (`c_...`), behind its condition compiled to an ink condition (same operators, fully
  parenthesised, because ink's precedence of `and`/`or`/`not` differs from Parley's);
- every variable Parley's state holds, as a VAR with the same initial value: escalation, rapport,
  recovery, factor_revealed and the scenario's own variables. They are all needed: the generator's
  conditions read escalation, rapport, notes_taken and backup_called (benchmarks/generate.py,
  CONDITIONS and OUTCOME_CONDITIONS), escalation and rapport move by the behaviour model's rules
  (simulator/engine/behaviour.yaml plus the scenario's own `shouting-unheard` rule, which reads
  factor_revealed), and rises are larger while `recovery` counts down;
- the numbers of one decision exactly as simulator/engine/step.py computes them: each behaviour rule
  whose tags meet the choice's tags, as an ink function that applies its first case whose `when`
  holds on the state before the choice; then the choice's effects, then the drawn outcome's effects
  (`+n` adds, `=n` sets, in that order); the recovery bonus on a rise of escalation while recovery
  runs; each variable clamped to its min and max once, after netting; recovery starting when
  escalation falls from the trigger level or above, else counting down; factor_revealed set by a
  `reveals` choice when the scenario has a hidden factor;
- weighted `outcomes` through the EXTERNAL function `drawK(w0, ..., wK-1)` (K outcomes), which the
  driver binds: it gets each outcome's weight, or 0 where the outcome's condition does not hold on
  the state before the choice, and returns the index of the outcome taken. The outcome's reaction
  text is shown before the story moves on.

Left out, so the comparison is honest about what ink does not do here: the event log and
everything in it (the behaviour model's explanations, the causes of every change, the rule and
recovery events, the probabilities drawn), the shuffled order of the options, grading fields
(grades, feedback, force, competencies), perspectives, the behaviour text and staging, text in other
languages, names known only later (`known_as`), `{officer}`, and decision timers: the ink story has
no timer expiry, and both engines are driven without ever letting a timer run out. The driver
draws outcomes with its own seeded generator, not NumPy's. ink, on the other hand, always builds
the text of every line it passes (Parley's engine builds no text until a front end asks for a view),
and evaluates the choice and knot tags.

The path check (`check_path`) plays Parley (choices by random.Random(seed) among
session.available(), Session seed `seed`, no timer expiring), then replays the same choice ids and
the outcome indexes Parley's log records in ink (run_ink.js path mode, where drawK returns the
recorded index and checks that its weight is above 0), and compares the knots entered, the choices
open at every step (by tag, in the written order) and every variable's value on entering each knot.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from simulator.engine.expressions import parse
from simulator.engine.model import ESCALATION, FACTOR_REVEALED, RAPPORT, RECOVERY, Scenario

# Characters that mean something in ink text (logic, choices, tags, comments, diverts, glue, gathers).
_SPECIAL = set("\\{}[]#|<>/~*+-=^\"")


def ink_id(prefix: str, ident: str) -> str:
    """`ident` as an ink identifier behind `prefix`: one to one, deterministic, no `-`."""
    out = [prefix]
    for ch in ident:
        if ch == "_":
            out.append("__")
        elif ch == "-":
            out.append("_h")
        elif ch.isascii() and ch.isalnum():
            out.append(ch)
        else:
            out.append(f"_u{ord(ch):06x}")
    return "".join(out)


def knot_name(scenario: Scenario, target: int) -> str:
    """The knot of target index `target` (a node, or an ending after the nodes)."""
    return ink_id("e_" if target >= len(scenario.nodes) else "n_", scenario.target_ids[target])


def choice_tag(choice_id: str) -> str:
    return ink_id("c_", choice_id)


def ink_text(text: str) -> list[str]:
    """Text as ink lines: one per non-empty line, every character ink could read as markup escaped,
    and the first character too (so a line can never start a keyword such as VAR or TODO)."""
    lines = []
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if not line:
            continue
        escaped = "".join("\\" + ch if ch in _SPECIAL else ch for ch in line)
        if not escaped.startswith("\\"):
            escaped = "\\" + escaped
        lines.append(escaped)
    return lines


def _one_line(text: str) -> str:
    return " ".join(ink_text(text)) if text.strip() else ""


_BOOL = ("and", "or", "not", "cmp")


def ink_condition(source: str, var_names: dict[str, str]) -> str:
    """A Parley condition (simulator/engine/expressions.py) as an ink expression that is true exactly
    when Parley's is truthy. Fully parenthesised; names mapped with `var_names`."""
    return _boolean(parse(source), var_names)


def _boolean(node, names) -> str:
    kind = node[0]
    if kind in ("and", "or"):
        return "(" + f" {kind} ".join(_boolean(child, names) for child in node[1:]) + ")"
    if kind == "not":
        return f"(not {_boolean(node[1], names)})"
    if kind == "cmp":
        return f"({_arith(node[2], names)} {node[1]} {_arith(node[3], names)})"
    return f"({_arith(node, names)} != 0)"  # a number or a sum used as a truth value


def _arith(node, names) -> str:
    kind = node[0]
    if kind == "num":
        return str(node[1])
    if kind == "var":
        return names[node[1]]
    if kind == "neg":
        return f"(-{_arith(node[1], names)})"
    if kind == "add":
        return "(" + " + ".join(_arith(child, names) for child in node[1:]) + ")"
    # Python's `and`/`or` give an operand's value, which a sum could use; ink's give true or false.
    raise NotImplementedError(f"a truth value used as a number ({kind!r}) has no ink translation here")


def _number(value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return repr(value)


@dataclass
class InkStory:
    source: str
    knot_of: dict[str, str] = field(default_factory=dict)  # Parley node or ending id -> knot name
    choice_tag: dict[str, str] = field(default_factory=dict)  # Parley choice id -> the ink choice's tag
    externals: tuple[int, ...] = ()  # K for every drawK the story calls
    conditions: dict[str, str] = field(default_factory=dict)  # Parley choice id -> ink condition


def scenario_to_ink(scenario: Scenario, language: str | None = None) -> InkStory:
    """The ink story of `scenario`'s graph (see the module docstring for what it models)."""
    lang = language or scenario.language
    default = scenario.language
    variables = scenario.variables
    vname = {v.name: ink_id("v_", v.name) for v in variables}
    wname = {v.slot: ink_id("w_", v.name) for v in variables}
    vslot = {v.slot: vname[v.name] for v in variables}
    recovery = scenario.behaviour.recovery
    story = InkStory("")
    out: list[str] = []
    w = out.append
    w(f"// {scenario.id} {scenario.version}: written by benchmarks/ink_story.py from the loaded scenario.")
    for v in variables:
        w(f"VAR {vname[v.name]} = {v.initial}")
    for v in variables:
        if v.slot not in (RECOVERY, FACTOR_REVEALED):
            w(f"VAR {wname[v.slot]} = 0")

    # Behaviour rules: only those some choice carries, each as a function of the state before it.
    used_rules = {}
    arities = set()
    for node in scenario.nodes:
        for c in node.choices:
            for rule in c.rules:
                used_rules.setdefault(rule.id, rule)
            if c.outcomes:
                arities.add(len(c.outcomes))
    story.externals = tuple(sorted(arities))
    for k in story.externals:
        w(f"EXTERNAL draw{k}({', '.join(f'w{i}' for i in range(k))})")
    w("")
    w(f"-> {knot_name(scenario, scenario.start)}")
    w("")
    for rule in used_rules.values():
        w(f"=== function {ink_id('r_', rule.id)}()")
        w("{")
        for case in rule.cases:
            w(f"- {ink_condition(case.when, vname)}:")
            if case.escalation:
                w(f"    ~ {wname[ESCALATION]} = {wname[ESCALATION]} + {case.escalation}")
            if case.rapport:
                w(f"    ~ {wname[RAPPORT]} = {wname[RAPPORT]} + {case.rapport}")
            if not case.escalation and not case.rapport:
                w("    ~ return")
        w("}")
        w("")

    def effect_lines(effects, indent: str) -> None:
        for eff in effects:
            if eff.slot in (RECOVERY, FACTOR_REVEALED):
                raise NotImplementedError(f"an effect on {eff.name!r} has no ink translation here")
            target = wname[eff.slot]
            w(f"{indent}~ {target} = {target} + {eff.amount}" if eff.relative else f"{indent}~ {target} = {eff.amount}")

    def divert(target: int, indent: str) -> None:
        w(f"{indent}-> {knot_name(scenario, target)}")

    for node in scenario.nodes:
        knot = knot_name(scenario, node.index)
        story.knot_of[node.id] = knot
        w(f"=== {knot}")
        text = ink_text(node.narrative.get(lang, default)) or ["\\."]
        for line in node.lines:
            if line.speaker in scenario.characters:
                name = scenario.characters[line.speaker].name.get(lang, default)
            else:
                name = {"you": "You", "dispatch": "Dispatch"}.get(line.speaker, line.speaker)
            spoken = line.said if line.said is not None else line.text.get(lang, default)
            text.append(_one_line(f"{name}: {spoken}"))
        w(f"{text[0]} #{knot}")
        out.extend(text[1:])
        for position, c in enumerate(node.choices):
            drawn = f"o{position}"  # a temp per choice: ink temps are the knot's
            tag = choice_tag(c.id)
            story.choice_tag[c.id] = tag
            cond = ""
            if c.condition is not None:
                cond = ink_condition(c.condition, vname)
                story.conditions[c.id] = cond
                cond = "{" + cond + "} "
            label = _one_line(c.text.get(lang, default)) if c.text is not None else _one_line(c.id)
            w(f"+ {cond}[{label} #{tag}]")
            ind = "    "
            touched = set()
            if any(case.escalation for r in c.rules for case in r.cases):
                touched.add(ESCALATION)
            if any(case.rapport for r in c.rules for case in r.cases):
                touched.add(RAPPORT)
            touched |= {e.slot for e in c.effects}
            for o in c.outcomes:
                touched |= {e.slot for e in o.effects}
            for slot in sorted(touched):
                w(f"{ind}~ {wname[slot]} = {vslot[slot]}")
            for rule in c.rules:
                if any(case.escalation or case.rapport for case in rule.cases):
                    w(f"{ind}~ {ink_id('r_', rule.id)}()")
            effect_lines(c.effects, ind)
            if c.outcomes:
                weights = []
                for o in c.outcomes:
                    weight = _number(o.weight)
                    weights.append(f"({ink_condition(o.condition, vname)}) * {weight}" if o.condition else weight)
                w(f"{ind}~ temp {drawn} = draw{len(c.outcomes)}({', '.join(weights)})")
                with_effects = [o for o in c.outcomes if o.effects]
                if with_effects:
                    w(f"{ind}{{ {drawn}:")
                    for o in with_effects:
                        w(f"{ind}- {o.index}:")
                        effect_lines(o.effects, ind + "    ")
                    w(f"{ind}}}")
            if ESCALATION in touched and recovery.rise_bonus:
                w(f"{ind}{{ {vslot[RECOVERY]} > 0 and {wname[ESCALATION]} > {vslot[ESCALATION]}:")
                w(f"{ind}    ~ {wname[ESCALATION]} = {wname[ESCALATION]} + {recovery.rise_bonus}")
                w(f"{ind}}}")
            for slot in sorted(touched):
                var = variables[slot]
                w(f"{ind}~ {wname[slot]} = MIN(MAX({wname[slot]}, {var.minimum}), {var.maximum})")
            # Recovery: starts when escalation falls from the trigger level or above, else counts down.
            if ESCALATION in touched and recovery.duration > 0:
                w(f"{ind}{{")
                w(f"{ind}- {vslot[ESCALATION]} >= {recovery.trigger_level} and {wname[ESCALATION]} < {vslot[ESCALATION]}:")
                w(f"{ind}    ~ {vslot[RECOVERY]} = {recovery.duration}")
                w(f"{ind}- {vslot[RECOVERY]} > 0:")
                w(f"{ind}    ~ {vslot[RECOVERY]} = {vslot[RECOVERY]} - 1")
                w(f"{ind}}}")
            else:
                w(f"{ind}{{ {vslot[RECOVERY]} > 0:")
                w(f"{ind}    ~ {vslot[RECOVERY]} = {vslot[RECOVERY]} - 1")
                w(f"{ind}}}")
            for slot in sorted(touched):
                w(f"{ind}~ {vslot[slot]} = {wname[slot]}")
            if c.reveals and scenario.hidden_factor is not None:
                w(f"{ind}~ {vslot[FACTOR_REVEALED]} = 1")
            if not c.outcomes:
                divert(c.target, ind)
                continue
            w(f"{ind}{{ {drawn}:")
            for o in c.outcomes:
                w(f"{ind}- {o.index}:")
                if o.text is not None and o.text.get(lang, default).strip():
                    out.extend(f"{ind}    {line}" for line in ink_text(o.text.get(lang, default)))
                divert(o.target, ind + "    ")
            w(f"{ind}}}")
        w("")

    for ending in scenario.endings:
        knot = knot_name(scenario, ending.index)
        story.knot_of[ending.id] = knot
        w(f"=== {knot}")
        title = _one_line(ending.title.get(lang, default)) or "\\."
        w(f"{title} #{knot}")
        out.extend(ink_text(ending.text.get(lang, default)))
        w("-> END")
        w("")
    story.source = "\n".join(out) + "\n"
    return story


# --- Running the ink peer (benchmarks/peers/run_ink.js) --------------------------------------------

HERE = Path(__file__).resolve().parent
PEERS = HERE / "peers"
RUN_INK = PEERS / "run_ink.js"
INK_OUT = HERE / "out" / "ink"
INKJS_VERSION = "2.4.0"


class InkUnavailable(RuntimeError):
    """Node, npm or inkjs is missing, or installing inkjs failed: the message says which."""


def inkjs_installed() -> str | None:
    """The installed inkjs version in benchmarks/peers/node_modules, or None."""
    try:
        return json.loads((PEERS / "node_modules" / "inkjs" / "package.json").read_text(encoding="utf-8"))["version"]
    except (OSError, ValueError, KeyError):
        return None


def ensure_inkjs(timeout: float = 300) -> str:
    """The path of `node`, with inkjs INKJS_VERSION installed into benchmarks/peers (npm, once);
    raises InkUnavailable saying exactly what is missing or what failed."""
    node = shutil.which("node")
    if node is None:
        raise InkUnavailable("`node` was not found on PATH (Node.js runs the ink runtime, inkjs)")
    if inkjs_installed() == INKJS_VERSION:
        return node
    npm = shutil.which("npm")
    if npm is None:
        raise InkUnavailable(f"inkjs {INKJS_VERSION} is not installed in {PEERS} and `npm` was not found on PATH")
    command = [npm, "ci" if (PEERS / "package-lock.json").exists() else "install", "--no-audit", "--no-fund",
               "--loglevel=error"]
    try:
        done = subprocess.run(command, cwd=PEERS, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise InkUnavailable(f"`{' '.join(command[:2])}` in {PEERS} failed: {exc}") from None
    if done.returncode != 0 or inkjs_installed() != INKJS_VERSION:
        last = (done.stderr.strip() or done.stdout.strip() or "no output").splitlines()[-1]
        raise InkUnavailable(f"`npm {command[1]}` of inkjs {INKJS_VERSION} in {PEERS} failed "
                             f"(exit status {done.returncode}): {last}")
    return node


# inkjs's compiler needs about 4.8 GB for the 10,000-node story (23 MB of ink), more than Node's
# default heap: compiling gets a larger one.
COMPILE_HEAP_MB = 8192


def run_ink(node: str, *args, timeout: float = 900) -> dict:
    """Run run_ink.js with `args`; its last line of output, as JSON."""
    heap = [f"--max-old-space-size={COMPILE_HEAP_MB}"] if args and args[0] == "compile" else []
    done = subprocess.run([node, *heap, str(RUN_INK), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)
    lines = done.stdout.strip().splitlines()
    try:
        result = json.loads(lines[-1]) if lines else {}
    except ValueError:
        result = {}
    if done.returncode != 0 or not result.get("ok"):
        detail = result.get("errors") or done.stderr.strip()[-2000:] or done.stdout.strip()[-2000:]
        raise RuntimeError(f"run_ink.js {args[0]} failed (exit status {done.returncode}): {detail}")
    return result


def compile_story(node: str, story: InkStory, name: str, out_dir: Path = INK_OUT) -> tuple[Path, dict]:
    """Compile `story` with inkjs's compiler; the JSON is cached in `out_dir` by the source's hash.
    Returns (path of the compiled JSON, run_ink.js's report, {} when cached)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256((INKJS_VERSION + story.source).encode("utf-8")).hexdigest()[:16]
    ink_path = out_dir / f"{name}-{digest}.ink"
    json_path = out_dir / f"{name}-{digest}.json"
    if json_path.exists():
        return json_path, {}
    if not ink_path.exists():
        tmp = ink_path.with_name(f"{ink_path.name}.{os.getpid()}.tmp")
        tmp.write_text(story.source, encoding="utf-8")
        os.replace(tmp, ink_path)  # atomic: another run never compiles half a file
    report = run_ink(node, "compile", ink_path, json_path)
    return json_path, report


def record_parley(scenario: Scenario, seed: int, max_steps: int = 100_000) -> dict:
    """A Parley playthrough: choices picked by random.Random(seed) among session.available(), the
    Session seeded with `seed`, no timer ever expiring. Returns the steps (choice tag, outcome index
    the log records), the knots entered, the choices open at each step and the values on entering
    each knot (every variable of the state: the built-ins and the scenario's own)."""
    from simulator.engine.session import Session
    pick = random.Random(seed)
    session = Session(scenario, seed=seed)
    knots = [knot_name(scenario, session.state.at)]
    names = [(ink_id("v_", v.name), v.slot) for v in scenario.variables]
    values = [{name: session.state.values[slot] for name, slot in names}]
    steps, offered = [], []
    while not session.ended and len(steps) < max_steps:
        available = session.available()
        offered.append([choice_tag(c.id) for c in available])
        choice = pick.choice(available)
        before = len(session.log)
        session.choose(choice.id, 1.0)
        outcome = next((e["outcome"] for e in session.log[before:] if e["type"] == "outcome_drawn"), None)
        steps.append({"choice": choice_tag(choice.id), "outcome": outcome})
        knots.append(knot_name(scenario, session.state.at))
        values.append({name: session.state.values[slot] for name, slot in names})
    return {"steps": steps, "knots": knots, "offered": offered, "values": values, "ended": session.ended}


def check_path(node: str, scenario: Scenario, json_path: Path, seed: int) -> tuple[bool, str, dict]:
    """Replay Parley's playthrough of `seed` in ink; (same?, a message, Parley's record)."""
    record = record_parley(scenario, seed)
    if not record["ended"]:
        return False, f"seed {seed}: Parley's playthrough reached no ending", record
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as f:
        json.dump({"steps": record["steps"]}, f)
        steps_path = Path(f.name)
    try:
        try:
            ink = run_ink(node, "path", json_path, steps_path)
        except RuntimeError as exc:
            return False, f"seed {seed}: {exc}", record
    finally:
        steps_path.unlink(missing_ok=True)
    for i, (mine, theirs) in enumerate(zip(record["knots"], ink["knots"])):
        if mine != theirs:
            return False, f"seed {seed}: step {i}: Parley entered {mine}, ink {theirs}", record
    if len(record["knots"]) != len(ink["knots"]):
        return False, (f"seed {seed}: Parley visited {len(record['knots'])} knots, ink {len(ink['knots'])}"), record
    for i, (mine, theirs) in enumerate(zip(record["offered"], ink["offered"])):
        if mine != theirs:
            return False, f"seed {seed}: step {i} at {record['knots'][i]}: Parley offered {mine}, ink {theirs}", record
    for i, (mine, theirs) in enumerate(zip(record["values"], ink["values"])):
        wrong = {k: (v, theirs.get(k)) for k, v in mine.items() if theirs.get(k) != v}
        if wrong:
            return False, (f"seed {seed}: step {i} at {record['knots'][i]}: values differ (Parley, ink): "
                           f"{wrong}"), record
    draws = sum(1 for s in record["steps"] if s["outcome"] is not None)
    return True, (f"seed {seed}: same {len(record['knots'])} knots, same choices open at {len(record['steps'])} "
                  f"steps, {draws} outcomes drawn, same values at every step"), record
