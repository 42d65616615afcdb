"""Scoring benchmark: grade 10,000 recorded sessions of a 1,000-node scenario, cold and warm.

    python benchmarks/bench_scoring.py                  # 10,000 sessions, 1,000 nodes, 5 cold and 5 warm runs
    python benchmarks/bench_scoring.py --quick          # development: 1,000 sessions (--sessions N to choose)
    python benchmarks/bench_scoring.py --profile        # also cProfile one cold and one warm run

The scenario comes from benchmarks/generate.py (generate(n_nodes, seed) -> YAML text); a small
private generator is used only if that module is missing. Sessions are recorded first, outside the
timing: Session(scenario, seed=i), a uniformly random available choice at each step with a random
1-20 s decision time, until an ending. A run calls scoring.grade(scenario, log) on every log (the
full report: the log replayed through the engine, competencies, de-escalation, proportionality,
critical errors, the room, timeline, key decisions, perspectives, objectives, feedback; not the
JSON conversion) and is timed as a whole, in wall time (time.perf_counter) and CPU time
(time.process_time, less disturbed by other work on the machine).

- **Cold**: the first grading of the scenario in a process. Every per-scenario cache in memory is
  cleared first (`scoring.context.clear_cache()`: the compiled rubric, the exact analysis and its
  key-decision table, memoised facts and labels), so the run builds them while grading, as the
  first grading after starting Parley does. The exact analysis is read from the on-disk analysis
  cache (`$PARLEY_CACHE_DIR/analysis`), as it is after the scenario's first solve on a machine.
- **Warm**: the same sessions graded again straight after a cold run, in the same process, reusing
  everything the cold run built.

Runs are interleaved, C, W, C, W, ... (`--runs` of each), so that a change in the machine's load
affects both alike; printed are every run, the median [min-max] of each kind in CPU and wall time,
the ratio cold/warm of the medians, the time per session, and the load average before and after
(other users of the CPU inflate every figure). Before them, one untimed-for-the-ratio run grades
the sessions with no on-disk cache at all ("first ever": the exact analysis is solved and the cache
written); the benchmark uses a private cache folder (a temporary one unless `--cache-dir`), so it
never adds files to the user's cache.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from scoring import context as scoring_context  # noqa: E402
from scoring import grade  # noqa: E402
from simulator.content.loader import load_scenario_bytes  # noqa: E402
from simulator.engine.session import Session  # noqa: E402

TARGET_RATIO = 1.3  # cold at most 1.3 times warm
QUICK_SESSIONS = 1_000


def scenario_text(n_nodes: int, seed: int) -> str:
    """YAML for an n-node scenario: benchmarks/generate.py, or a tiny private fallback."""
    try:
        import generate  # the shared generator (benchmarks/generate.py)
        return generate.generate(n_nodes, seed)
    except ImportError:
        return _fallback(n_nodes, seed)


def _fallback(n: int, seed: int) -> str:
    rng = random.Random(seed)
    helpful = ["open-question", "empathy", "tactical-pause", "accommodate-communication", "explain-reason"]
    harmful = ["shouting", "rush", "dismiss", "child-interpreter", "repeated-commands"]
    lines = [f"""format: 1
id: bench-{n}
version: "1"
title: "Benchmark"
summary: "Generated."
audience: [recruit]
minutes: 1
topics: [bench]
language: en
languages: [en]
learning_objectives: [{{id: obj, text: "Objective."}}]
content_notes: ["none"]
authors: [{{name: "bench"}}]
reviewers: [{{name: "bench"}}]
characters: {{ana: {{name: "Ana", role: subject}}}}
state: {{escalation: 2, rapport: 0}}
graham: {{offence_severity: minor, weapon: false, danger_to_others: false}}
start: n0
nodes:"""]
    for i in range(n):
        lines.append(f"  n{i}:\n    narrative: \"Node {i}.\"\n    choices:")
        for j in range(3):
            nxt = f"n{min(n - 1, i + rng.randint(1, 40))}" if i < n - 1 and rng.random() < 0.97 else "end"
            tag = rng.choice(helpful if j else harmful)
            lines.append(f"      - {{id: c{i}-{j}, text: \"Choice {j}\", tags: [{tag}], feedback: \"Why.\", next: {nxt}}}")
    lines.append("endings:\n  end: {outcome: resolved, title: \"End\", text: \"End.\", debrief: \"End.\"}")
    return "\n".join(lines) + "\n"


def record(scenario, sessions: int, seed: int = 0) -> list[list[dict]]:
    """Record `sessions` random playthroughs (outside any timing)."""
    pick = random.Random(seed)
    logs = []
    for i in range(sessions):
        session = Session(scenario, seed=i)
        while not session.ended:
            options = session.available()
            session.choose(pick.choice(options).id, elapsed=round(pick.uniform(1.0, 20.0), 3))
        logs.append(session.log)
    return logs


def grade_all(scenario, logs) -> tuple[float, float]:
    """(wall seconds, CPU seconds) to grade every log."""
    start, cpu = time.perf_counter(), time.process_time()
    for log in logs:
        grade(scenario, log)
    return time.perf_counter() - start, time.process_time() - cpu


def cold(scenario, logs) -> tuple[float, float]:
    """A cold run: every per-scenario cache in memory cleared, then every log graded."""
    scoring_context.clear_cache()
    return grade_all(scenario, logs)


def _load() -> str:
    try:
        return "load average %.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        return "load average unknown"


def _summary(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} [{min(values):.3f}-{max(values):.3f}]"


def _profile(label: str, run, scenario, logs, top: int) -> None:
    profiler = cProfile.Profile()  # the default clock: time.process_time as the timer costs more than it measures
    profiler.runcall(run, scenario, logs)
    for order in ("tottime", "cumulative"):
        print(f"\n--- cProfile, {label} run, by {order} ---")
        pstats.Stats(profiler).sort_stats(order).print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--sessions", type=int, default=None, help="sessions graded per run (default 10,000)")
    parser.add_argument("--quick", action="store_true", help=f"development: {QUICK_SESSIONS:,} sessions unless --sessions")
    parser.add_argument("--runs", type=int, default=5, help="cold runs and warm runs, interleaved (default 5 of each)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache-dir", help="the on-disk cache folder to use and keep (default: a temporary one)")
    parser.add_argument("--profile", action="store_true", help="also cProfile one cold and one warm run")
    parser.add_argument("--top", type=int, default=25, help="rows of each profile table")
    args = parser.parse_args(argv)
    sessions = args.sessions if args.sessions is not None else QUICK_SESSIONS if args.quick else 10_000
    if args.runs < 1 or sessions < 1:
        parser.error("--runs and --sessions must be at least 1")

    temporary = None if args.cache_dir else tempfile.mkdtemp(prefix="parley-bench-scoring-")
    os.environ["PARLEY_CACHE_DIR"] = args.cache_dir or temporary
    try:
        return _run(args, sessions)
    finally:
        scoring_context.clear_cache()
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)


def _run(args, sessions: int) -> int:
    result = load_scenario_bytes(scenario_text(args.nodes, args.seed).encode(), f"synthetic-{args.nodes}.yaml")
    if result.scenario is None:
        print("\n".join(d.format() for d in result.errors), file=sys.stderr)
        return 1
    scenario = result.scenario
    print(_load(), f"({os.cpu_count()} CPUs); other work on the machine inflates every figure")
    t0 = time.perf_counter()
    logs = record(scenario, sessions, args.seed)
    events = sum(len(log) for log in logs)
    decisions = sum(1 for log in logs for e in log if e["type"] in ("choice_made", "timer_expired"))
    print(f"scenario: {len(scenario.nodes)} nodes; recorded {len(logs):,} sessions "
          f"({decisions / len(logs):.1f} decisions, {events / len(logs):.1f} events each) "
          f"in {time.perf_counter() - t0:.1f} s (not timed)")

    wall, cpu = cold(scenario, logs)
    print(f"first ever (no on-disk cache: the exact analysis solved and its cache written): "
          f"{cpu:.3f} s CPU, {wall:.3f} s wall")
    runs: dict[str, list[tuple[float, float]]] = {"cold": [], "warm": []}
    for _ in range(args.runs):
        runs["cold"].append(cold(scenario, logs))
        runs["warm"].append(grade_all(scenario, logs))
    order = ", ".join(f"C {c[1]:.3f}, W {w[1]:.3f}" for c, w in zip(runs["cold"], runs["warm"]))
    print(f"runs in order, CPU s: {order}")
    medians = {}
    for kind in ("cold", "warm"):
        walls = [w for w, _ in runs[kind]]
        cpus = [c for _, c in runs[kind]]
        medians[kind] = (statistics.median(walls), statistics.median(cpus))
        print(f"{kind}: CPU {_summary(cpus)} s, wall {_summary(walls)} s (median [min-max] of {args.runs}); "
              f"{medians[kind][1] / len(logs) * 1e6:.0f} us CPU per session")
    ratio_cpu = medians["cold"][1] / medians["warm"][1]
    ratio_wall = medians["cold"][0] / medians["warm"][0]
    print(f"cold/warm: {ratio_cpu:.2f} (CPU), {ratio_wall:.2f} (wall); target <= {TARGET_RATIO}: "
          f"{'met' if ratio_cpu <= TARGET_RATIO else 'NOT met'} (CPU)")
    print(f"cold extra per scenario (CPU medians): {medians['cold'][1] - medians['warm'][1]:.3f} s")
    print(_load())
    if args.profile:
        _profile("cold", cold, scenario, logs, args.top)
        _profile("warm", grade_all, scenario, logs, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
