"""Authoring benchmark: `parley analyze` of a 1,000-node scenario, `parley lint` of the shipped scenarios,
and grading cold against warm. Prints medians, and ratios against the figures the targets name.

    python benchmarks/bench_authoring.py                 # all three, 3 runs each
    python benchmarks/bench_authoring.py --only analyze --runs 5

- analyze: simulator.authoring.analyze.analyze() on benchmarks/generate.py's 1,000-node scenario
  (random reactions, timers, cycles), from the loaded scenario to the finished analysis. Target:
  under 1 s. The peer figure: the ink runtime needs about 10 s for 10,000 random playthroughs of a
  story that size (the figure the issue names; ink is not run here). For a peer measured in the same
  run, Parley's own Session plays 10,000 uniformly random playthroughs of the same scenario.
- lint: `python main.py lint scenarios/` as a new process (what an author runs: imports included),
  and lint_file() on each shipped scenario in this process. Target: under 1 s.
- grading: scoring.grade on 10,000 recorded random sessions of the 1,000-node scenario, the first
  run in a fresh process ("cold") against the median of the next runs ("warm"). Twice, in two new
  processes sharing an empty cache folder: the first solves the scenario (and caches the debrief's
  values by content hash), the second reads them. Target: cold within 1.3x of warm.
"""
from __future__ import annotations

import argparse
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

INK_SECONDS = 10.0  # ink runtime, 10,000 random playthroughs of a ~1,000-node story (the figure)
ANALYZE_TARGET = 1.0
LINT_TARGET = 1.0
COLD_WARM_TARGET = 1.3


def _scenario(nodes: int, seed: int):
    from simulator.content.loader import load_scenario_bytes
    result = load_scenario_bytes(generate.generate(nodes, seed).encode(), f"synthetic-{nodes}.yaml")
    if result.scenario is None:
        raise SystemExit("\n".join(d.format() for d in result.diagnostics))
    return result.scenario


def bench_analyze(runs: int, nodes: int, seed: int) -> None:
    from simulator.authoring.analyze import analyze
    scenario = _scenario(nodes, seed)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = analyze(scenario)
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(f"analyze, {nodes} nodes: {result.states:,} states, {result.actions:,} options, "
          f"{result.transitions:,} transitions")
    print("  runs (s): " + ", ".join(f"{t:.2f}" for t in times))
    print(f"  median {median:.2f} s; target < {ANALYZE_TARGET:.1f} s: {'met' if median < ANALYZE_TARGET else 'NOT met'} "
          f"({median / ANALYZE_TARGET:.2f}x the target)")
    print(f"  against ink's {INK_SECONDS:.0f} s for 10,000 random playthroughs (the named figure): "
          f"{median / INK_SECONDS:.2f}x")
    from simulator.engine.session import Session
    pick = random.Random(seed)
    start = time.perf_counter()
    for i in range(10_000):
        session = Session(scenario, seed=i)
        while not session.ended:
            session.choose(pick.choice(session.available()).id, elapsed=1.0)
    sampled = time.perf_counter() - start
    print(f"  Parley's own Session, 10,000 random playthroughs in this run: {sampled:.2f} s; "
          f"the exact analysis takes {median / sampled:.2f}x that")


def bench_lint(runs: int) -> None:
    from simulator.cli.lint import lint_file
    from simulator.content.loader import bundled_scenarios
    paths = bundled_scenarios()
    process = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "main.py"), "lint", str(ROOT / "scenarios")],
                       check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        process.append(time.perf_counter() - start)
    inside = []
    from scoring import context as scoring_context
    for _ in range(runs):
        scoring_context.clear_cache()
        start = time.perf_counter()
        for path in paths:
            lint_file(path)
        inside.append(time.perf_counter() - start)
    for name, times in (("new process (imports included)", process), ("in process, per run", inside)):
        median = statistics.median(times)
        print(f"lint of {len(paths)} shipped scenarios, {name}: runs " + ", ".join(f"{t:.2f}" for t in times)
              + f" s; median {median:.2f} s; target < {LINT_TARGET:.1f} s: "
              f"{'met' if median < LINT_TARGET else 'NOT met'} ({median / LINT_TARGET:.2f}x)")


def bench_grading(sessions: int, nodes: int, seed: int, runs: int) -> None:
    code = f"""
import sys, time, statistics
sys.path.insert(0, {str(HERE)!r}); sys.path.insert(0, {str(ROOT)!r})
import bench_scoring as b
from simulator.content.loader import load_scenario_bytes
from scoring import grade
sc = load_scenario_bytes(b.scenario_text({nodes}, {seed}).encode(), "synthetic-{nodes}.yaml").scenario
logs = b.record(sc, {sessions}, {seed})
times = []
for _ in range({runs + 1}):
    start = time.perf_counter()
    for log in logs:
        grade(sc, log)
    times.append(time.perf_counter() - start)
print(" ".join(f"{{t:.4f}}" for t in times))
"""
    import os
    import tempfile
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, PARLEY_CACHE_DIR=cache)
        for label in ("empty cache (first time this version is graded)", "cache from the run before"):
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                 env=env).stdout.split()
            times = [float(t) for t in out]
            cold, warm = times[0], statistics.median(times[1:])
            ratio = cold / warm
            print(f"grading {sessions:,} sessions of a {nodes}-node scenario in a new process, {label}: cold "
                  f"{cold:.2f} s, warm median {warm:.2f} s ({', '.join(f'{t:.2f}' for t in times[1:])}); "
                  f"cold/warm {ratio:.2f}x; target <= {COLD_WARM_TARGET}x: "
                  f"{'met' if ratio <= COLD_WARM_TARGET else 'NOT met'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=["analyze", "lint", "grading"], default=None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.only in (None, "analyze"):
        bench_analyze(args.runs, args.nodes, args.seed)
    if args.only in (None, "lint"):
        bench_lint(args.runs)
    if args.only in (None, "grading"):
        bench_grading(args.sessions, args.nodes, args.seed, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
