"""Scoring benchmark: grade 10,000 recorded sessions of a 1,000-node scenario (target: under 2 s).

    python benchmarks/bench_scoring.py                       # 10,000 sessions, 1,000 nodes, 5 runs
    python benchmarks/bench_scoring.py --sessions 2000 --runs 3 --profile

The scenario comes from benchmarks/generate.py (generate(n_nodes, seed) -> YAML text); a small
private generator is used only if that module is missing. Sessions are recorded first, outside the
timing: Session(scenario, seed=i), a uniformly random available choice at each step with a random
1-20 s decision time, until an ending. Each run then calls scoring.grade(scenario, log) on every
log (the full report: competencies, de-escalation, proportionality, critical errors, timeline,
key decisions, perspectives, objectives, feedback; not the JSON conversion). Printed: every run,
the median total time of the runs (they share one process, so per-scenario analysis is cached after
the first run), and the first ("cold") run separately.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import statistics
import sys
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

TARGET_SECONDS = 2.0


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profile", action="store_true", help="also cProfile one warm run")
    args = parser.parse_args(argv)

    result = load_scenario_bytes(scenario_text(args.nodes, args.seed).encode(), f"synthetic-{args.nodes}.yaml")
    if result.scenario is None:
        print("\n".join(d.format() for d in result.errors), file=sys.stderr)
        return 1
    scenario = result.scenario
    t0 = time.perf_counter()
    logs = record(scenario, args.sessions, args.seed)
    events = sum(len(log) for log in logs)
    decisions = sum(1 for log in logs for e in log if e["type"] in ("choice_made", "timer_expired"))
    print(f"scenario: {len(scenario.nodes)} nodes; recorded {len(logs):,} sessions "
          f"({decisions / len(logs):.1f} decisions, {events / len(logs):.1f} events each) "
          f"in {time.perf_counter() - t0:.1f} s (not timed)")

    pairs = [grade_all(scenario, logs) for _ in range(args.runs)]
    times = [wall for wall, _ in pairs]
    median = statistics.median(times)
    print("runs, wall (s): " + ", ".join(f"{t:.3f}" for t in times))
    print("runs, CPU (s):  " + ", ".join(f"{c:.3f}" for _, c in pairs))
    print(f"first run (cold: per-scenario analysis built while grading): {times[0]:.3f} s")
    print(f"median of {args.runs} runs: {median:.3f} s for {len(logs):,} sessions "
          f"({median / len(logs) * 1e6:.0f} us per session); target < {TARGET_SECONDS:.1f} s: "
          f"{'met' if median < TARGET_SECONDS else 'NOT met'}; median CPU "
          f"{statistics.median(c for _, c in pairs):.3f} s")
    start, cpu = time.perf_counter(), time.process_time()
    for log in logs:
        grade(scenario, log).to_json()
    print(f"for comparison, grade(...).to_json() (the full JSON data) on every log: "
          f"{time.perf_counter() - start:.3f} s wall, {time.process_time() - cpu:.3f} s CPU")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(grade_all, scenario, logs[: min(len(logs), 2000)])
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
    scoring_context.clear_cache()
    return 0


if __name__ == "__main__":
    sys.exit(main())
