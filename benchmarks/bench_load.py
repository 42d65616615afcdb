"""Scenario loading benchmark: libyaml alone vs. cold load-and-validate vs. load from cache.

    python benchmarks/bench_load.py                      # 100, 1,000 and 10,000 nodes, 7 runs each
    python benchmarks/bench_load.py --sizes 1000 --runs 15
    python benchmarks/bench_load.py --profile            # also cProfile the 1,000-node loads

For each size it prints the median [min-max] over --runs runs of:

  libyaml load     yaml.load(bytes, Loader=CSafeLoader): the floor, reading YAML and nothing else
  libyaml compose  yaml.compose(text, Loader=CSafeLoader): the node graph the loader builds
  cold             load_scenario(path, use_cache=False), in a warm process (after one warm-up
                   call, so imports and the compiled schema validator are already in place)
  first call       the first load_scenario(use_cache=False) in a brand-new Python process
                   (includes compiling the schema validator), median of 3 processes; the
                   import time of simulator.content.loader is printed beside it
  cached           load_scenario(path, use_cache=True) after one priming call
                   (PARLEY_CACHE_DIR points at a fresh temporary folder)

and the peak memory of a cold load of the largest size: tracemalloc's peak in this process and
ru_maxrss of a fresh process (with its ru_maxrss right after importing, for comparison).

Files over the loader's 5 MB limit (simulator/content/yamlsafe.py MAX_BYTES; the 10,000-node file is about
20 MB) are refused by the loader as shipped. To measure them anyway this script raises MAX_BYTES
in its own process and in its subprocesses only (nothing on disk changes); such rows are marked
with `*`. Pass --keep-limit to measure the refusal instead. The other limits (5,000 nodes, 200,000
YAML values: docs/scenario-format.md, "Limits") still hold, so the 10,000-node file is refused even
then; its row shows the errors it got and measures the refusal.
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

os.environ["PARLEY_CACHE_DIR"] = tempfile.mkdtemp(prefix="parley-bench-cache-")

import yaml  # noqa: E402

import generate  # noqa: E402

TARGET_COLD_1000_MS = 250
TARGET_CACHED_1000_MS = 30
TARGET_PEAK_10000_MB = 250

CHILD = r"""
import json, os, resource, sys, time
sys.path.insert(0, {root!r})
t0 = time.perf_counter()
import simulator.content.yamlsafe as ys
from simulator.content.loader import load_scenario
t1 = time.perf_counter()
if {lift!r}:
    ys.MAX_BYTES = 1 << 40
rss_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t2 = time.perf_counter()
c2 = time.process_time()
r = load_scenario({path!r}, use_cache=False)
t3 = time.perf_counter()
c3 = time.process_time()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
hwm = 0
with open("/proc/self/status") as fh:  # VmHWM: peak RSS of this process image only (Linux)
    for line in fh:
        if line.startswith("VmHWM:"):
            hwm = int(line.split()[1])
print(json.dumps({{"import_ms": (t1 - t0) * 1e3, "first_ms": (t3 - t2) * 1e3, "first_cpu_ms": (c3 - c2) * 1e3, "ok": r.ok,
                  "errors": [d.format() for d in r.errors][:3], "rss_import_kb": rss_import, "rss_kb": rss,
                  "hwm_kb": hwm}}))
"""


def ms_stats(samples: list[float]) -> dict:
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples), "n": len(samples)}


def fmt(s: dict | None) -> str:
    if s is None:
        return "-"
    return f"{s['median']:.1f} [{s['min']:.1f}-{s['max']:.1f}]"


CPU_KEYS = ("libyaml_load", "libyaml_compose", "cold", "cold_gc_off", "first_call", "cached")
CPU = {}  # (nodes, measurement) -> CPU-time stats, filled by timed()


def timed(fn, runs: int, key=None, check=None) -> dict:
    """Wall-clock stats in ms (returned) and CPU-time stats (kept in CPU[key]).

    Each result is checked and dropped before the next run: holding earlier results would make
    every full pass of the garbage collector slower and inflate the figures.
    """
    samples, cpu = [], []
    for _ in range(runs):
        gc.collect()
        c = time.process_time()
        t = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - t) * 1e3)
        cpu.append((time.process_time() - c) * 1e3)
        if check is not None:
            check(result)
        del result
    if key is not None:
        CPU[key] = ms_stats(cpu)
    return ms_stats(samples)


def child_run(path: Path, lift: bool) -> dict:
    code = CHILD.format(root=str(ROOT), path=str(path), lift=lift)
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="0")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def ensure_file(n: int) -> Path:
    """The generated file for `n` nodes. Written by `main` through a subprocess, so that generating
    20 MB of text does not grow this process (see memory_child)."""
    path = generate.OUT_DIR / f"synthetic-{n}.yaml"
    if not path.exists():
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(n)], check=True, capture_output=True)
    return path


def bench_size(n: int, runs: int, keep_limit: bool, subprocesses: int) -> dict:
    import simulator.content.yamlsafe as ys
    from simulator.content.loader import load_scenario

    path = ensure_file(n)
    raw = path.read_bytes()
    over = len(raw) > ys.MAX_BYTES
    lift = over and not keep_limit
    saved = ys.MAX_BYTES
    if lift:
        ys.MAX_BYTES = 1 << 40
    row = {"nodes": n, "bytes": len(raw), "over_limit": over, "limit_lifted": lift}
    try:
        row["libyaml_load"] = timed(lambda: yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader), runs,
                                       (n, "libyaml_load"))
        row["libyaml_compose"] = timed(
            lambda: yaml.compose(path.read_bytes().decode("utf-8"), Loader=yaml.CSafeLoader), runs,
            (n, "libyaml_compose"))
        warm = load_scenario(path, use_cache=False)  # warm-up: imports, schema validators, caches
        ok = row["ok"] = warm.ok
        row["errors"] = [d.format() for d in warm.errors][:3]
        del warm

        def same(result):
            assert result.ok == ok
        row["cold"] = timed(lambda: load_scenario(path, use_cache=False), runs, (n, "cold"), same)
        gc.disable()  # the same with the cyclic garbage collector off: how much of "cold" is GC
        try:
            row["cold_gc_off"] = timed(lambda: load_scenario(path, use_cache=False), runs, (n, "cold_gc_off"), same)
        finally:
            gc.enable()
        if ok:
            load_scenario(path, use_cache=True)  # priming call writes the cache

            def from_cache(result):
                assert result.from_cache, "the cached load did not come from the cache"
            row["cached"] = timed(lambda: load_scenario(path, use_cache=True), runs, (n, "cached"), from_cache)
        else:
            row["cached"] = None
        kids = [child_run(path, lift) for _ in range(subprocesses)]
        row["first_call"] = ms_stats([k["first_ms"] for k in kids])
        CPU[(n, "first_call")] = ms_stats([k["first_cpu_ms"] for k in kids])
        row["import"] = ms_stats([k["import_ms"] for k in kids])
        row["child_ok"] = all(k["ok"] for k in kids)
    finally:
        ys.MAX_BYTES = saved
    return row


def memory_child(n: int, keep_limit: bool) -> dict:
    """Peak RSS of a fresh process doing one cold load. Run it while this process is still small:
    on Linux a child's ru_maxrss starts from its parent's RSS at fork time (VmHWM does not)."""
    import simulator.content.yamlsafe as ys

    path = ensure_file(n)
    lift = path.stat().st_size > ys.MAX_BYTES and not keep_limit
    kid = child_run(path, lift)
    return {"nodes": n, "limit_lifted": lift, "rss_import_mb": kid["rss_import_kb"] / 1024,
            "rss_peak_mb": kid["rss_kb"] / 1024, "hwm_mb": kid["hwm_kb"] / 1024, "ok": kid["ok"]}


def memory_traced(n: int, keep_limit: bool) -> dict:
    """tracemalloc's peak for one cold load in this (warm) process."""
    import simulator.content.yamlsafe as ys
    from simulator.content.loader import load_scenario

    path = ensure_file(n)
    lift = path.stat().st_size > ys.MAX_BYTES and not keep_limit
    saved = ys.MAX_BYTES
    if lift:
        ys.MAX_BYTES = 1 << 40
    try:
        gc.collect()
        tracemalloc.start()
        result = load_scenario(path, use_cache=False)
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del result
        gc.collect()
    finally:
        ys.MAX_BYTES = saved
    return {"tracemalloc_peak_mb": peak / 2**20, "tracemalloc_kept_mb": current / 2**20}


def profile(n: int, top: int) -> None:
    from simulator.content.loader import load_scenario

    path = ensure_file(n)
    load_scenario(path, use_cache=False)
    load_scenario(path, use_cache=True)
    for label, use_cache in (("cold: load_scenario(use_cache=False)", False), ("cached: load_scenario(use_cache=True)", True)):
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(5):
            load_scenario(path, use_cache=use_cache)
        prof.disable()
        print(f"\n--- cProfile, {n} nodes, {label}, 5 calls; top {top} by cumulative time ---")
        stats = pstats.Stats(prof)
        stats.sort_stats("cumulative").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Parley scenario loading benchmark")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(generate.DEFAULT_SIZES))
    parser.add_argument("--runs", type=int, default=7, help="timed runs per measurement (default 7)")
    parser.add_argument("--subprocesses", type=int, default=3, help="fresh processes for the first-call time")
    parser.add_argument("--memory-size", type=int, default=None, help="size for the memory check (default: largest)")
    parser.add_argument("--keep-limit", action="store_true", help="do not lift the 5 MB limit for big files")
    parser.add_argument("--profile", action="store_true", help="cProfile the 1,000-node cold and cached loads")
    parser.add_argument("--top", type=int, default=10, help="rows of each profile")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here as JSON")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    if not args.worker:
        print(f"Python {sys.version.split()[0]}, PyYAML {yaml.__version__} "
          f"(libyaml {'yes' if getattr(yaml, '__with_libyaml__', False) else 'NO'}), "
              f"{os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
        print(f"{args.runs} runs per cell, each size in a fresh worker process; times in ms, median [min-max]")
        print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    mem_n = args.memory_size or max(args.sizes)
    if args.worker:
        # One size in a fresh process, so that earlier sizes' garbage and heap growth (the
        # collector's full passes scale with the live heap) do not slow the later ones.
        row = bench_size(args.sizes[0], args.runs, args.keep_limit, args.subprocesses)
        for k in CPU_KEYS:
            if (row["nodes"], k) in CPU:
                row[k + "_cpu"] = CPU[(row["nodes"], k)]
        if args.memory_size:
            row["memory"] = memory_traced(args.memory_size, args.keep_limit)
        print("WORKER-RESULT " + json.dumps(row))
        return 0
    # Regenerate the files in a subprocess (cheap, and keeps this process small), then measure
    # the memory of a fresh process, then each size in its own worker process.
    subprocess.run([sys.executable, str(HERE / "generate.py"), *map(str, args.sizes)], check=True, capture_output=True)
    mem = memory_child(mem_n, args.keep_limit)
    rows = []
    for n in args.sizes:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", "--sizes", str(n), "--runs", str(args.runs),
               "--subprocesses", str(args.subprocesses)] + (["--keep-limit"] if args.keep_limit else []) + \
              (["--memory-size", str(n)] if n == mem_n else [])
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        row = json.loads(next(l for l in out.splitlines() if l.startswith("WORKER-RESULT "))[len("WORKER-RESULT "):])
        for k in CPU_KEYS:
            if k + "_cpu" in row:
                CPU[(n, k)] = row[k + "_cpu"]
        if "memory" in row:
            mem.update(row.pop("memory"))
        rows.append(row)

    header = ("nodes", "file MB", "libyaml load", "libyaml compose", "cold (warm process)",
              "first call (new proc)", "import", "cached")
    table = [header]
    for r in rows:
        mark = "*" if r["limit_lifted"] else ""
        status = "" if r["ok"] else "  REFUSED: " + "; ".join(r["errors"])
        table.append((f"{r['nodes']:,}{mark}", f"{r['bytes'] / 2**20:.2f}", fmt(r["libyaml_load"]),
                      fmt(r["libyaml_compose"]), fmt(r["cold"]) + status, fmt(r["first_call"]), fmt(r["import"]),
                      fmt(r["cached"])))
    widths = [max(len(str(t[i])) for t in table) for i in range(len(header))]
    for i, t in enumerate(table):
        print("  ".join(str(c).rjust(widths[j]) if j < 2 else str(c).ljust(widths[j]) for j, c in enumerate(t)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    print("\nCPU time (time.process_time), median ms; less sensitive to other load on the machine:")
    keys = CPU_KEYS
    print("  " + "  ".join(f"{k:>16s}" for k in ("nodes",) + keys))
    for r in rows:
        cells = [f"{CPU[(r['nodes'], k)]['median']:16.1f}" if (r["nodes"], k) in CPU else f"{'-':>16s}" for k in keys]
        print("  " + f"{r['nodes']:>16,}" + "  " + "  ".join(cells))
        for k in keys:
            if (r["nodes"], k) in CPU:
                r[k + "_cpu"] = CPU[(r["nodes"], k)]
    if any(r["limit_lifted"] for r in rows):
        print("* over the loader's 5 MB limit (refused as shipped); measured with the limit lifted in this process only")
    print(f"\nPeak memory, cold load of {mem['nodes']:,} nodes{' *' if mem['limit_lifted'] else ''}: "
          f"tracemalloc peak {mem['tracemalloc_peak_mb']:.1f} MB (still held after return: "
          f"{mem['tracemalloc_kept_mb']:.1f} MB)\n  new process: ru_maxrss {mem['rss_peak_mb']:.1f} MB, VmHWM "
          f"{mem['hwm_mb']:.1f} MB (ru_maxrss after imports: {mem['rss_import_mb']:.1f} MB)")

    print("\nTargets:")
    by_n = {r["nodes"]: r for r in rows}

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"
    if 1000 in by_n and by_n[1000]["ok"]:
        cold, cached = by_n[1000]["cold"]["median"], by_n[1000]["cached"]["median"]
        print(f"  1,000 nodes cold   <= {TARGET_COLD_1000_MS} ms : {cold:8.1f} ms  {verdict(cold <= TARGET_COLD_1000_MS)}"
              f"   (first call in a new process: {by_n[1000]['first_call']['median']:.1f} ms)")
        print(f"  1,000 nodes cached <= {TARGET_CACHED_1000_MS} ms  : {cached:8.1f} ms  {verdict(cached <= TARGET_CACHED_1000_MS)}")
    if mem["nodes"] == 10000:
        peak = max(mem["tracemalloc_peak_mb"], mem["rss_peak_mb"], mem["hwm_mb"])
        print(f"  10,000 nodes peak  < {TARGET_PEAK_10000_MB} MB : {peak:8.1f} MB  {verdict(peak < TARGET_PEAK_10000_MB)}"
              f"   (max of tracemalloc peak, ru_maxrss and VmHWM{'; 5 MB limit lifted' if mem['limit_lifted'] else ''})")
    print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "memory": mem}, indent=2), encoding="utf-8")
    if args.profile:
        profile(1000 if 1000 in args.sizes else args.sizes[0], args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
