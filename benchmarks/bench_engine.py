"""Engine benchmark: Parley's engine per choice on synthetic scenarios, beside the ink runtime.

    python benchmarks/bench_engine.py                 # throughput at 1,000 nodes, then Parley beside ink at 100, 1,000, 10,000
    python benchmarks/bench_engine.py --nodes 100 --seconds 1 --runs 3 --no-peers
    python benchmarks/bench_engine.py --only-peers --sizes 100 1000 --peer-runs 7
    python benchmarks/bench_engine.py --no-ink         # the peer section with Parley's figures only
    python benchmarks/bench_engine.py --profile       # also cProfile 200,000 engine choices

1. Throughput (--nodes, default 1,000; skipped by --only-peers). Engine loop (the real thing, state
machine and event log on, default SessionOptions, so options are shuffled and every node_entered
event records the order shown): create Session(scenario, seed=i); at each step pick uniformly among
session.available() with a seeded random.Random and call session.choose(choice.id, 1.0); at an
ending start a new Session with the next seed. Choices are counted over at least --seconds per run;
the median of --runs runs is printed with min and max. The same loop with SessionOptions(shuffle=False)
(options in the order written, as `parley play --authored-order`) is printed beside it, so that the
cost of shuffling shows; the target is judged on the default.

Dict walk baseline: the same graph as a plain dict of lists (node id -> list of choices, each a
list of (weight, target) pairs), walked with the same random.Random, ignoring conditions, effects,
rules and the log. It shows how much of the time is the engine's own work.

2. Beside the ink runtime (--sizes, default 100, 1,000 and 10,000 nodes; skipped by --no-peers).
For each size the generated scenario (generate.generate(n), seed 0) is loaded; the 10,000-node file
is over the loader's limits (5 MB MAX_BYTES and 200,000 values in simulator/content/yamlsafe.py,
15,000 choices in simulator/content/schema.py, 5,000 nodes in scenarios/scenario.schema.json), which
are lifted in this process only, and the script says so. benchmarks/ink_story.py writes the same
graph as an ink story (what it models and leaves out is in its docstring); inkjs 2.4.0 is installed
into benchmarks/peers/node_modules with npm (once) and compiles it under Node; the compiled JSON is
cached in benchmarks/out/ink/.

Path check first: for 3 seeds per size, a Parley playthrough (choices by random.Random(seed) among
session.available(), Session seed `seed`, no timer ever expiring; the outcome index the log records
for each draw) is replayed in ink (run_ink.js path), which must enter the same knots, offer the same
choices at every step and hold the same values of every variable on entering each knot; otherwise
the script stops with the difference.

Then --peer-runs runs (at least 5), interleaved Parley, ink, Parley, ink, ...; each run measures,
each for at least --peer-seconds of play:
- Parley quiet: the loop above (Session.available + Session.choose, new Session at an ending);
- Parley with log: the same, plus json.dumps of every event the log gained, as it is appended,
  kept in a list per session (what storing the log costs);
- ink quiet: run_ink.js in a new Node process: load the story's JSON (not timed), warm up, then at
  each step ContinueMaximally, a uniform pick among currentChoices with a seeded PRNG,
  ChooseChoiceIndex, and ResetState at an ending (a new playthrough);
- ink with log: the same with Continue until !canContinue, plus JSON.stringify per step of
  {text, tags, choices offered, index chosen} pushed to an array (a new array per playthrough).
Printed per size: us per choice as median [min-max], wall clock and CPU time (time.process_time;
Node's process.cpuUsage, all its threads), the ratio ink / Parley of the medians, the cost of a new
playthrough (us per Session(scenario, seed) and us per ink ResetState), and the load average before
and after: CPU time is the steadier figure on a shared machine.

When node or npm is missing or installing inkjs fails, one line says the ink peer was skipped and
why, and Parley's figures are still printed.
"""
from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
import ink_story  # noqa: E402

from simulator.content.loader import load_scenario, load_scenario_bytes  # noqa: E402
from simulator.engine.session import Session, SessionOptions  # noqa: E402

TARGET_CHOICES_PER_S = 150_000
CHECK_EVERY = 1024  # choices between clock reads


def engine_run(scenario, seconds: float, seed: int = 0,
               session_options: SessionOptions | None = None) -> tuple[int, float, int, float]:
    """Choices made in at least `seconds`; returns (choices, elapsed, sessions finished, CPU seconds)."""
    session_options = session_options or SessionOptions()
    pick = random.Random(seed)
    session_seed = 0
    session = Session(scenario, seed=session_seed, options=session_options)
    count = ended = 0
    cpu0 = time.process_time()
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(CHECK_EVERY):
            options = session.available()
            session.choose(pick.choice(options).id, 1.0)
            if session.ended:
                ended += 1
                session_seed += 1
                session = Session(scenario, seed=session_seed, options=session_options)
        count += CHECK_EVERY
        now = time.perf_counter()
        if now >= deadline:
            return count, now - start, ended, time.process_time() - cpu0


def engine_run_logged(scenario, seconds: float, seed: int = 0) -> tuple[int, float, int, float]:
    """engine_run's loop, plus json.dumps of every event the log gains, as it is appended, kept in a
    list per session: what storing the log costs. Same return value as engine_run."""
    dumps = json.dumps
    pick = random.Random(seed)
    session_seed = 0
    session = Session(scenario, seed=session_seed)
    stored = [dumps(e) for e in session.log]
    count = ended = 0
    cpu0 = time.process_time()
    start = time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(CHECK_EVERY):
            before = len(session.log)
            session.choose(pick.choice(session.available()).id, 1.0)
            stored.extend(map(dumps, session.log[before:]))
            if session.ended:
                ended += 1
                session_seed += 1
                session = Session(scenario, seed=session_seed)
                stored = [dumps(e) for e in session.log]
        count += CHECK_EVERY
        now = time.perf_counter()
        if now >= deadline:
            return count, now - start, ended, time.process_time() - cpu0


def session_cost(scenario, count: int = 2000, repeats: int = 5) -> list[float]:
    """us per Session(scenario, seed) (a new playthrough), `repeats` times over `count` sessions."""
    out = []
    for r in range(repeats):
        t0 = time.perf_counter()
        for seed in range(r * count, (r + 1) * count):
            Session(scenario, seed=seed)
        out.append((time.perf_counter() - t0) * 1e6 / count)
    return out


def engine_fixed(scenario, choices: int, seed: int = 0) -> None:
    """Exactly `choices` engine steps (for profiling)."""
    pick = random.Random(seed)
    session_seed = 0
    session = Session(scenario, seed=session_seed)
    for _ in range(choices):
        session.choose(pick.choice(session.available()).id, 1.0)
        if session.ended:
            session_seed += 1
            session = Session(scenario, seed=session_seed)


def dict_graph(scenario) -> tuple[dict, str]:
    """node id -> list of choices, each a list of (weight, target id); endings are absent."""
    graph = {}
    for node in scenario.nodes:
        graph[node.id] = [[(o.weight, scenario.target_ids[o.target]) for o in c.outcomes] if c.outcomes
                          else [(1.0, scenario.target_ids[c.target])] for c in node.choices]
    return graph, scenario.target_ids[scenario.start]


def dict_run(graph: dict, start: str, seconds: float, seed: int = 0) -> tuple[int, float, int]:
    pick = random.Random(seed)
    here = start
    count = ended = 0
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    deadline = t0 + seconds
    while True:
        for _ in range(CHECK_EVERY):
            outs = pick.choice(graph[here])
            if len(outs) == 1:
                here = outs[0][1]
            else:
                r = pick.random() * sum(w for w, _ in outs)
                for w, target in outs:
                    r -= w
                    if r < 0:
                        break
                here = target
            if here not in graph:
                ended += 1
                here = start
        count += CHECK_EVERY
        now = time.perf_counter()
        if now >= deadline:
            return count, now - t0, ended, time.process_time() - cpu0


# --- Beside the ink runtime ------------------------------------------------------------------------

PEER_SIZES = (100, 1_000, 10_000)
PATH_SEEDS = (0, 1, 2)
BIG = 1 << 40


def lift_limits() -> tuple[list[str], callable]:
    """Lift the loader's size limits in this process only (nothing on disk changes): yamlsafe's
    MAX_BYTES and MAX_VALUES, schema's MAX_CHOICES and the schema's 5,000 nodes. Returns what was
    lifted and a function that puts everything back."""
    from simulator.content import schema, yamlsafe
    saved = [(yamlsafe, "MAX_BYTES"), (yamlsafe, "MAX_VALUES"), (schema, "MAX_CHOICES")]
    lifted, restore_values = [], []
    for module, name in saved:
        if hasattr(module, name):
            restore_values.append((module, name, getattr(module, name)))
            lifted.append(f"{module.__name__.rsplit('.', 1)[1]}.{name} {getattr(module, name):,}")
            setattr(module, name, BIG)
    original = schema.scenario_schema
    lifted_schema = json.loads(json.dumps(original()))
    nodes = lifted_schema.get("properties", {}).get("nodes", {})
    if "maxProperties" in nodes:
        lifted.append(f"scenario.schema.json nodes maxProperties {nodes['maxProperties']:,}")
        nodes["maxProperties"] = BIG

    def clear_caches():
        for name in dir(schema):
            fn = getattr(schema, name)
            if name != "scenario_schema" and callable(getattr(fn, "cache_clear", None)):
                fn.cache_clear()

    schema.scenario_schema = lambda: lifted_schema
    clear_caches()

    def restore():
        for module, name, value in restore_values:
            setattr(module, name, value)
        schema.scenario_schema = original
        clear_caches()
    return lifted, restore


def load_generated(n: int):
    """The generated n-node scenario (seed 0), loaded; lifts the limits in this process if needed."""
    raw = generate.generate(n).encode("utf-8")
    name = f"synthetic-{n}.yaml"
    result = load_scenario_bytes(raw, name)
    note = ""
    if not result.ok:
        refused = "; ".join(d.message for d in result.errors[:4])
        lifted, restore = lift_limits()
        try:
            result = load_scenario_bytes(raw, name)
        finally:
            restore()
        note = (f"{n:,} nodes ({len(raw) / 1e6:.1f} MB) refused as shipped ({refused}); loaded with these limits "
                f"lifted in this process only: {', '.join(lifted)}")
    if not result.ok:
        raise SystemExit(f"{name}: " + "; ".join(d.format() for d in result.errors[:5]))
    return result.scenario, note


def fmt(values: list[float]) -> str:
    return f"{statistics.median(values):8.2f} [{min(values):.2f}-{max(values):.2f}]"


def ratio(cpu: dict, kind: str) -> float:
    """ink / Parley of the median CPU time per choice, `kind` quiet or log."""
    return statistics.median(cpu[f"ink_{kind}"]) / statistics.median(cpu[f"parley_{kind}"])


def load_text() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def peers(sizes: list[int], runs: int, seconds: float, use_ink: bool) -> int:
    """Section 2 of the module docstring; returns the exit status."""
    node = None
    if use_ink:
        try:
            node = ink_story.ensure_inkjs()
        except ink_story.InkUnavailable as exc:
            print(f"ink peer skipped: {exc}. Parley's figures follow.")
    else:
        print("ink peer skipped: --no-ink. Parley's figures follow.")
    print(f"\n=== Parley per choice{' beside inkjs ' + ink_story.INKJS_VERSION if node else ''}: "
          f"{runs} interleaved runs of >= {seconds:g} s per measure ===")
    rows = []
    for n in sizes:
        scenario, note = load_generated(n)
        if note:
            print(note)
        print(f"\n{n:,} nodes: {len(scenario.nodes):,} nodes, {len(scenario.choice_by_id):,} choices "
              f"(load average {load_text()})")
        json_path = None
        if node:
            story = ink_story.scenario_to_ink(scenario)
            try:
                json_path, report = ink_story.compile_story(node, story, f"synthetic-{n}")
            except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
                print(f"  ink peer skipped at {n:,} nodes: inkjs could not compile the story: {str(exc)[:500]}")
            else:
                how = (f"compiled by inkjs in {report['compile_ms'] / 1000:.1f} s" if report else "compiled JSON cached")
                print(f"  ink story: {len(story.source) / 1e6:.1f} MB of ink, {how} ({json_path.name})")
        if json_path is not None:
            for seed in PATH_SEEDS:
                same, message, _ = ink_story.check_path(node, scenario, json_path, seed)
                if not same:
                    print(f"ABORT: the ink story does not take Parley's path at {n:,} nodes: {message}")
                    return 1
                print(f"  path check {message}")
        engine_run(scenario, 0.3)  # warm-up
        engine_run_logged(scenario, 0.3)
        p_quiet, p_log, i_quiet, i_log, i_load, i_reset, lengths = [], [], [], [], [], [], []
        cpu = {"parley_quiet": [], "parley_log": [], "ink_quiet": [], "ink_log": []}
        for run in range(runs):
            count, elapsed, ended, used = engine_run(scenario, seconds, run)
            p_quiet.append(elapsed * 1e6 / count)
            cpu["parley_quiet"].append(used * 1e6 / count)
            lengths.append(count / max(ended, 1))
            count, elapsed, _, used = engine_run_logged(scenario, seconds, run)
            p_log.append(elapsed * 1e6 / count)
            cpu["parley_log"].append(used * 1e6 / count)
            if json_path is not None:
                try:
                    result = ink_story.run_ink(node, "time", json_path, seconds, run, 0.5)
                except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
                    print(f"  ink peer skipped at {n:,} nodes: a timing run failed: {str(exc)[:500]}")
                    json_path = None
                    i_quiet, i_log, cpu["ink_quiet"], cpu["ink_log"] = [], [], [], []
                    continue
                i_quiet.append(result["quiet_us"])
                i_log.append(result["log_us"])
                cpu["ink_quiet"].append(result["quiet_cpu_us"])
                cpu["ink_log"].append(result["log_cpu_us"])
                i_load.append(result["load_ms"])
                i_reset.append(result["reset_us"])
        sessions = session_cost(scenario)
        row = {"nodes": n, "parley_quiet": p_quiet, "parley_log": p_log, "session_us": sessions,
               "ink_quiet": i_quiet, "ink_log": i_log, "cpu": cpu, "load": load_text()}
        print(f"  Parley quiet     us/choice {fmt(p_quiet)}   CPU {fmt(cpu['parley_quiet'])}   "
              f"(~{statistics.median(lengths):.1f} choices per playthrough)")
        print(f"  Parley with log  us/choice {fmt(p_log)}   CPU {fmt(cpu['parley_log'])}")
        print(f"  Session(scenario, seed)  us {fmt(sessions)}")
        if json_path is not None:
            resets = row["ink_reset_us"] = i_reset
            print(f"  ink quiet        us/choice {fmt(i_quiet)}   CPU {fmt(cpu['ink_quiet'])}")
            print(f"  ink with log     us/choice {fmt(i_log)}   CPU {fmt(cpu['ink_log'])}")
            print(f"  ink ResetState           us {fmt(resets)}   (story JSON loads in {statistics.median(i_load):.0f} ms, not timed)")
            print(f"  ink / Parley: quiet {statistics.median(i_quiet) / statistics.median(p_quiet):.1f}x, "
                  f"with log {statistics.median(i_log) / statistics.median(p_log):.1f}x (wall clock); "
                  f"CPU time: quiet {ratio(cpu, 'quiet'):.1f}x, with log {ratio(cpu, 'log'):.1f}x")
        print(f"  (load average after: {row['load']})")
        rows.append(row)

    print(f"\nSummary (us per choice, median [min-max] of {runs} interleaved runs; ratio = ink / Parley of the medians)")
    head = f"{'nodes':>7} | {'Parley quiet':>22} | {'Parley with log':>22} | {'Session()':>8}"
    if node:
        head += f" | {'ink quiet':>24} | {'ink with log':>24} | {'ratio quiet':>11} | {'ratio log':>9} | {'ResetState':>10}"
    print(head)
    for r in rows:
        line = (f"{r['nodes']:>7,} | {fmt(r['parley_quiet']):>22} | {fmt(r['parley_log']):>22} | "
                f"{statistics.median(r['session_us']):8.1f}")
        if node and not r["ink_quiet"]:
            line += " | ink skipped at this size (see above)"
        elif node:
            rq = statistics.median(r["ink_quiet"]) / statistics.median(r["parley_quiet"])
            rl = statistics.median(r["ink_log"]) / statistics.median(r["parley_log"])
            line += (f" | {fmt(r['ink_quiet']):>24} | {fmt(r['ink_log']):>24} | {rq:10.1f}x | {rl:8.1f}x | "
                     f"{statistics.median(r['ink_reset_us']):10.1f}")
        print(line)
    if any(r["ink_quiet"] for r in rows):
        print("CPU time per choice (time.process_time; Node's process.cpuUsage, every thread), us, medians:")
        for r in rows:
            c = r["cpu"]
            line = (f"{r['nodes']:>7,} | Parley quiet {statistics.median(c['parley_quiet']):7.2f} | "
                    f"Parley with log {statistics.median(c['parley_log']):7.2f}")
            if c["ink_quiet"]:
                line += (f" | ink quiet {statistics.median(c['ink_quiet']):8.2f} | ink with log "
                         f"{statistics.median(c['ink_log']):8.2f} | ratio quiet {ratio(c, 'quiet'):5.1f}x | "
                         f"ratio log {ratio(c, 'log'):5.1f}x")
            print(line)
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        for key, label in (("parley_quiet", "quiet"), ("parley_log", "with log")):
            growth = statistics.median(last[key]) / statistics.median(first[key])
            cpu_growth = statistics.median(last["cpu"][key]) / statistics.median(first["cpu"][key])
            print(f"Parley {label}: {last['nodes']:,} nodes / {first['nodes']:,} nodes = {growth:.2f}x per choice "
                  f"(CPU time {cpu_growth:.2f}x)")
    measured = [r for r in rows if r["ink_quiet"]]
    if measured:
        worst = min(min(statistics.median(r["ink_quiet"]) / statistics.median(r["parley_quiet"]),
                        statistics.median(r["ink_log"]) / statistics.median(r["parley_log"])) for r in measured)
        verdict = "met" if worst >= 10 else "NOT met"
        missing = [f"{r['nodes']:,}" for r in rows if not r["ink_quiet"]]
        print(f"Target: Parley at least 10x faster per choice than inkjs at every size, quiet and with log: "
              f"smallest ratio {worst:.1f}x, {verdict}"
              + (f" (ink not measured at {', '.join(missing)} nodes)" if missing else ""))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Parley engine benchmark: throughput, and per choice beside inkjs")
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=3.0, help="minimum length of each run (default 3)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="cProfile a fixed number of engine choices")
    parser.add_argument("--profile-choices", type=int, default=200_000)
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(PEER_SIZES),
                        help="node counts for the comparison with ink (default 100 1000 10000)")
    parser.add_argument("--peer-runs", type=int, default=5, help="interleaved runs per size (at least 5; default 5)")
    parser.add_argument("--peer-seconds", type=float, default=1.0,
                        help="minimum play per measure and run in the comparison (default 1)")
    parser.add_argument("--no-ink", action="store_true", help="the comparison section with Parley's figures only")
    parser.add_argument("--no-peers", action="store_true", help="skip the comparison section")
    parser.add_argument("--only-peers", action="store_true", help="only the comparison section")
    args = parser.parse_args(argv)
    if args.peer_runs < 5:
        parser.error("--peer-runs must be at least 5")

    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"load average {load_text()}")
    if not args.only_peers:
        status = throughput(args)
        if status:
            return status
    if not args.no_peers:
        return peers(args.sizes, args.peer_runs, args.peer_seconds, not args.no_ink)
    return 0


def throughput(args) -> int:
    """Section 1 of the module docstring (and --profile)."""
    path = generate.OUT_DIR / f"synthetic-{args.nodes}.yaml"
    text = generate.generate(args.nodes)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    result = load_scenario(path, use_cache=False)
    if not result.ok:
        for d in result.errors[:10]:
            print(d.format())
        return 1
    scenario = result.scenario
    print(f"{path.name}: {len(scenario.nodes)} nodes, {len(scenario.choice_by_id)} choices; "
          f"{args.runs} runs of >= {args.seconds:g} s\n")

    engine_run(scenario, 0.3)  # warm-up
    rows = {}
    authored = SessionOptions(shuffle=False)
    for label, fn in (("engine (Session.available + choose, log on)", lambda s: engine_run(scenario, args.seconds, s)),
                      ("dict-of-lists walk (baseline)", None),
                      ("engine, options not shuffled", lambda s: engine_run(scenario, args.seconds, s, authored))):
        if fn is None:
            graph, start = dict_graph(scenario)
            fn = lambda s: dict_run(graph, start, args.seconds, s)  # noqa: E731
        rates, cpu_rates, lengths = [], [], []
        for run in range(args.runs):
            count, elapsed, ended, cpu = fn(run)
            rates.append(count / elapsed)
            cpu_rates.append(count / cpu)
            lengths.append(count / max(ended, 1))
        rows[label] = (rates, lengths)
        print(f"{label:46s} median {statistics.median(rates):>12,.0f} choices/s   "
              f"[{min(rates):,.0f} - {max(rates):,.0f}]   per CPU second {statistics.median(cpu_rates):,.0f}   "
              f"~{statistics.median(lengths):.1f} choices per playthrough")
    engine_rate = statistics.median(next(iter(rows.values()))[0])
    dict_rate = statistics.median(list(rows.values())[1][0])
    print(f"\nengine / dict walk: {engine_rate / dict_rate:.3f} (the engine takes {dict_rate / engine_rate:.1f}x as long per choice)")
    print(f"per choice: engine {1e6 / engine_rate:.2f} us, dict walk {1e6 / dict_rate:.2f} us")
    authored_rate = statistics.median(list(rows.values())[2][0])
    print(f"shuffled options cost {1e6 / engine_rate - 1e6 / authored_rate:.2f} us per choice "
          f"(not shuffled: {authored_rate:,.0f} choices/s)")
    verdict = "PASS" if engine_rate >= TARGET_CHOICES_PER_S else "FAIL"
    print(f"\nTarget: >= {TARGET_CHOICES_PER_S:,} choices/s on {args.nodes:,} nodes: {engine_rate:,.0f}  {verdict}")

    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        engine_fixed(scenario, args.profile_choices)
        prof.disable()
        print(f"\n--- cProfile, engine loop, {args.profile_choices:,} choices on {args.nodes:,} nodes; "
              f"top {args.top} by cumulative time ---")
        pstats.Stats(prof).sort_stats("cumulative").print_stats(args.top)
        print(f"--- same profile, top {args.top} by own (total) time ---")
        pstats.Stats(prof).sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
