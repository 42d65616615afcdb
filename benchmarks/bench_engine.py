"""Engine throughput benchmark: choices per second through Session.choose on a 1,000-node scenario.

    python benchmarks/bench_engine.py                 # 5 runs of >= 3 s each, engine and dict walk
    python benchmarks/bench_engine.py --nodes 100 --seconds 1 --runs 3
    python benchmarks/bench_engine.py --profile       # also cProfile 200,000 engine choices

Engine loop (the real thing, state machine and event log on, default SessionOptions, so options
are shuffled and every node_entered event records the order shown): create Session(scenario,
seed=i); at each step pick uniformly among session.available() with a seeded random.Random and
call session.choose(choice.id, 1.0); at an ending start a new Session with the next seed. Choices
are counted over at least --seconds per run; the median of --runs runs is printed with min and
max. The same loop with SessionOptions(shuffle=False) (options in the order written, as
`parley play --authored-order`) is printed beside it, so that the cost of shuffling shows; the
target is judged on the default.

Dict walk baseline: the same graph as a plain dict of lists (node id -> list of choices, each a
list of (weight, target) pairs), walked with the same random.Random, ignoring conditions, effects,
rules and the log. It shows how much of the time is the engine's own work.
"""
from __future__ import annotations

import argparse
import cProfile
import os
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

import generate  # noqa: E402

from simulator.content.loader import load_scenario  # noqa: E402
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Parley engine throughput benchmark")
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=3.0, help="minimum length of each run (default 3)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="cProfile a fixed number of engine choices")
    parser.add_argument("--profile-choices", type=int, default=200_000)
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args(argv)

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
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
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
