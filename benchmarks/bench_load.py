"""Scenario loading benchmark, with its peers measured side by side in the same run.

    python benchmarks/bench_load.py                      # 100, 1,000 and 10,000 nodes, 7 interleaved runs
    python benchmarks/bench_load.py --sizes 100 1000 --runs 5
    python benchmarks/bench_load.py --profile            # also cProfile the 1,000-node cold and cached loads

Each size is measured in a fresh worker process. In every run the measurements take turns (one
of each, then the next run), so that a change in the machine's load touches them all alike:

  parse            yaml.load(bytes, Loader=CSafeLoader): the peer, libyaml reading the YAML into
                   Python data and nothing else (PyYAML's own constructor; GC on)
  parse, GC off    the same with the cyclic garbage collector off, as the loader runs
  cold             load_scenario(path, use_cache=False) in a warm process: safe parse with its
                   limits, schema, meaning checks and the model (nodes are built when first used:
                   "all nodes" below adds building every one of them)
  json.loads       json.loads of the cache file's data (its bytes after the header line): the peer
                   of a cached load
  cached           load_scenario(path, use_cache=True) from that cache file (signed entry)
  all nodes        the cached load followed by building every node (list(scenario.nodes))

and, in fresh processes taking turns with the same count of fresh processes that only parse:

  first call       the first load_scenario(use_cache=False) in a new Python process, after its
                   imports (the validator is generated code, imported, not compiled), against
                   `parse, GC off` in a new process

Times are CPU time (time.process_time, less sensitive to other work on the machine) in ms, as the
median [min-max] of --runs runs; wall-clock medians are printed too. Ratios are medians over
medians. Memory: the peak RSS (VmHWM) of a new process doing one cold load of the largest size.

Files over the loader's limits (5 MB, 200,000 values, 5,000 nodes, 15,000 choices: see
docs/scenario-format.md, "Limits"; the 10,000-node file is 21 MB) are refused as shipped. To
measure them this script lifts those limits in its own processes only (nothing on disk changes);
such rows are marked `*`. With --keep-limit the refusal itself is measured.
"""
from __future__ import annotations

import argparse
import cProfile
import gc
import inspect
import json
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

TARGET_COLD_RATIO = 1.3  # cold load, 1,000 nodes, CPU: at most this times the GC-off parse
TARGET_FIRST_RATIO = 2.0  # first call in a new process, 100 nodes: at most this times the GC-off parse
TARGET_CACHED_RATIO = 2.0  # cached load: at most this times json.loads of the cache file
TARGET_PEAK_MIB = 250  # peak RSS of one cold load of 10,000 nodes (limits lifted)

def lift_limits():
    """Every structural limit lifted in this process only, so that a 10,000-node file loads."""
    import simulator.content.schema as sc
    import simulator.content.yamlsafe as ys
    ys.MAX_BYTES = ys.MAX_VALUES = sc.MAX_CHOICES = 1 << 40
    sc.scenario_schema()["properties"]["nodes"]["maxProperties"] = 10 ** 9
    for cached in (sc._fast_namespace, sc._def_checks, sc._validator):
        cached.cache_clear()
    sc._fast_check()  # the validator for the lifted schema, generated now rather than in a timing


LIFT = inspect.getsource(lift_limits)  # the same function, for the child processes

CHILD = r"""
import gc, json, os, resource, sys, time
sys.path.insert(0, {root!r})
{lift}
kind, path, lift = {kind!r}, {path!r}, {lift_flag!r}
raw = open(path, "rb").read()
if kind == "parse":
    import yaml
    gc.disable()
    c = time.process_time(); t = time.perf_counter()
    yaml.load(raw, Loader=yaml.CSafeLoader)
    out = {{"cpu": (time.process_time() - c) * 1e3, "wall": (time.perf_counter() - t) * 1e3}}
else:
    t0 = time.perf_counter()
    from simulator.content.loader import load_scenario
    imported = (time.perf_counter() - t0) * 1e3
    if lift:
        lift_limits()
    rss_import = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    c = time.process_time(); t = time.perf_counter()
    r = load_scenario(path, use_cache=False)
    out = {{"cpu": (time.process_time() - c) * 1e3, "wall": (time.perf_counter() - t) * 1e3, "ok": r.ok,
           "errors": [d.format() for d in r.errors][:3], "import_ms": imported, "rss_import_kb": rss_import}}
    with open("/proc/self/status") as fh:  # VmHWM: this process image's own peak RSS (Linux)
        out["hwm_kb"] = next((int(l.split()[1]) for l in fh if l.startswith("VmHWM:")), 0)
print(json.dumps(out))
"""


def child(kind: str, path: Path, lift: bool) -> dict:
    """One fresh Python process: `parse` (the peer) or `load` (the first call), with bytecode caching
    on, as an installed package has it."""
    code = CHILD.format(root=str(ROOT), lift=LIFT, kind=kind, path=str(path), lift_flag=lift)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PARLEY_CACHE_DIR"] = tempfile.mkdtemp(prefix="parley-bench-cache-")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def stats(samples: list[float]) -> dict:
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples), "n": len(samples)}


def fmt(s: dict | None) -> str:
    return "-" if s is None else f"{s['median']:.1f} [{s['min']:.1f}-{s['max']:.1f}]"


def ensure_file(n: int) -> Path:
    path = generate.OUT_DIR / f"synthetic-{n}.yaml"
    if not path.exists():
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(n)], check=True, capture_output=True)
    return path


def needs_lift(path: Path, n: int) -> bool:
    """Whether the file passes a limit of the loader as shipped (it is then measured lifted)."""
    import simulator.content.schema as sc
    import simulator.content.yamlsafe as ys
    return path.stat().st_size > ys.MAX_BYTES or n > sc.scenario_schema()["properties"]["nodes"]["maxProperties"]


def measure(fn) -> tuple[float, float]:
    """(CPU ms, wall ms) of one call; the result is dropped before the next measurement."""
    gc.collect()
    c, t = time.process_time(), time.perf_counter()
    fn()
    return (time.process_time() - c) * 1e3, (time.perf_counter() - t) * 1e3


def bench_size(n: int, runs: int, keep_limit: bool, fresh: int) -> dict:
    import yaml

    from simulator.content.loader import load_scenario
    from simulator.paths import cache_dir

    path = ensure_file(n)
    raw = path.read_bytes()
    lift = not keep_limit and needs_lift(path, n)
    if lift:
        lift_limits()
    warm = load_scenario(path, use_cache=False)  # imports, behaviour model, validator in place
    row = {"nodes": n, "bytes": len(raw), "lifted": lift, "ok": warm.ok,
           "errors": [d.format() for d in warm.errors][:3]}
    del warm
    cache_file = None
    if row["ok"]:
        load_scenario(path, use_cache=True)  # writes the cache entry
        cache_file = next((cache_dir() / "scenarios").glob("*.json"))
        assert load_scenario(path, use_cache=True).from_cache
    body = cache_file.read_bytes().partition(b"\n")[2] if cache_file else b""

    def parse_gc_off():
        gc.disable()
        try:
            yaml.load(raw, Loader=yaml.CSafeLoader)
        finally:
            gc.enable()

    def all_nodes():
        for _ in load_scenario(path, use_cache=True).scenario.nodes:
            pass

    tasks = {"parse": lambda: yaml.load(raw, Loader=yaml.CSafeLoader), "parse, GC off": parse_gc_off,
             "cold": lambda: load_scenario(path, use_cache=False)}
    if cache_file:
        tasks.update({"json.loads": lambda: json.loads(body), "cached": lambda: load_scenario(path, use_cache=True),
                      "all nodes": all_nodes})
    cpu: dict[str, list] = {k: [] for k in tasks}
    wall: dict[str, list] = {k: [] for k in tasks}
    for _ in range(runs):  # interleaved: one of each per run
        for name, fn in tasks.items():
            c, w = measure(fn)
            cpu[name].append(c)
            wall[name].append(w)
    row["cpu"] = {k: stats(v) for k, v in cpu.items()}
    row["wall"] = {k: stats(v) for k, v in wall.items()}
    if fresh:
        firsts, parses = [], []
        for _ in range(fresh):  # new processes, taking turns
            parses.append(child("parse", path, lift))
            firsts.append(child("load", path, lift))
        row["fresh_parse"] = stats([p["cpu"] for p in parses])
        row["first_call"] = stats([f["cpu"] for f in firsts])
        row["import_ms"] = stats([f["import_ms"] for f in firsts])
        row["first_ok"] = all(f["ok"] for f in firsts)
    return row


def memory(n: int, keep_limit: bool) -> dict:
    path = ensure_file(n)
    lift = not keep_limit and needs_lift(path, n)
    kid = child("load", path, lift)
    return {"nodes": n, "lifted": lift, "ok": kid["ok"], "hwm_mib": kid["hwm_kb"] / 1024,
            "after_imports_mib": kid["rss_import_kb"] / 1024}


INK_LOAD = r"""
const fs = require("fs");
const ink = require(require.resolve("inkjs", { paths: [process.argv[1]] }));
const story = new ink.Story(fs.readFileSync(process.argv[2], "utf8"));  // the compiled JSON, loaded
console.log(JSON.stringify({ maxrss_kb: process.resourceUsage().maxRSS, ok: story !== null }));
"""


def ink_memory(n: int, runs: int = 3) -> dict | None:
    """Peak RSS of a new Node process loading the ink story of the same graph (its compiled JSON,
    into the inkjs 2.4.0 runtime's Story; benchmarks/ink_story.py writes and compiles it, as
    bench_engine.py does: compiling is not measured), median of
    `runs` processes; None, with the reason printed, when the ink peer cannot run here."""
    try:
        import ink_story
        node = ink_story.ensure_inkjs()
        compiled = sorted(ink_story.INK_OUT.glob(f"synthetic-{n}-*.json"), key=lambda p: p.stat().st_mtime)
        if not compiled:
            print(f"ink peer: compiling the {n:,}-node story (once; inkjs takes minutes at 10,000 nodes)...")
            from simulator.content.loader import load_scenario
            lift_limits()
            scenario = load_scenario(ensure_file(n), use_cache=False).scenario
            compiled = [ink_story.compile_story(node, ink_story.scenario_to_ink(scenario), f"synthetic-{n}")[0]]
        rss = []
        for _ in range(runs):
            out = subprocess.run([node, "-e", INK_LOAD, str(ink_story.PEERS), str(compiled[-1])],
                                 capture_output=True, text=True, check=True, timeout=600)
            rss.append(json.loads(out.stdout.strip().splitlines()[-1])["maxrss_kb"] / 1024)
        return {"rss_mib": statistics.median(rss), "min": min(rss), "max": max(rss), "file": compiled[-1].name}
    except Exception as exc:  # noqa: BLE001 - a peer that cannot run is reported, not fatal
        print(f"ink peer skipped: {exc}")
        return None


def profile(n: int, top: int) -> None:
    from simulator.content.loader import load_scenario

    path = ensure_file(n)
    load_scenario(path, use_cache=True)
    for label, use_cache in (("cold: load_scenario(use_cache=False)", False), ("cached: load_scenario(use_cache=True)", True)):
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(5):
            load_scenario(path, use_cache=use_cache)
        prof.disable()
        print(f"\n--- cProfile, {n:,} nodes, {label}, 5 calls; top {top} by cumulative time ---")
        pstats.Stats(prof).sort_stats("cumulative").print_stats(top)


def ratio(a: dict | None, b: dict | None) -> float | None:
    return None if not a or not b else a["median"] / b["median"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Parley scenario loading benchmark, with its peers")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(generate.DEFAULT_SIZES))
    parser.add_argument("--runs", type=int, default=7, help="interleaved runs per size (default 7, at least 5)")
    parser.add_argument("--fresh", type=int, default=5, help="new processes for the first-call time (0: skip)")
    parser.add_argument("--memory-size", type=int, default=None, help="size for the memory check (default: largest)")
    parser.add_argument("--keep-limit", action="store_true", help="do not lift the limits for big files")
    parser.add_argument("--profile", action="store_true", help="cProfile the 1,000-node cold and cached loads")
    parser.add_argument("--top", type=int, default=12, help="rows of each profile")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here as JSON")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    if args.worker:
        os.environ["PARLEY_CACHE_DIR"] = tempfile.mkdtemp(prefix="parley-bench-cache-")
        os.environ["PARLEY_DATA_DIR"] = tempfile.mkdtemp(prefix="parley-bench-data-")
        row = bench_size(args.sizes[0], args.runs, args.keep_limit, args.fresh)
        print("WORKER-RESULT " + json.dumps(row))
        return 0

    import yaml
    print(f"Python {sys.version.split()[0]}, PyYAML {yaml.__version__} "
          f"(libyaml {'yes' if getattr(yaml, '__with_libyaml__', False) else 'NO'}), "
          f"{os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"{args.runs} interleaved runs per size, each size in a fresh worker; {args.fresh} new processes "
          "for first calls; CPU ms, median [min-max]")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n")
    subprocess.run([sys.executable, str(HERE / "generate.py"), *map(str, args.sizes)], check=True, capture_output=True)
    mem_n = args.memory_size or max(args.sizes)
    mem = memory(mem_n, args.keep_limit)  # first, while this process is small
    rows = []
    for n in args.sizes:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", "--sizes", str(n), "--runs", str(args.runs),
               "--fresh", str(args.fresh)] + (["--keep-limit"] if args.keep_limit else [])
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        rows.append(json.loads(next(line for line in out.splitlines()
                                    if line.startswith("WORKER-RESULT "))[len("WORKER-RESULT "):]))
    ink = ink_memory(mem_n) if mem_n == 10_000 or args.memory_size else None

    cols = ("parse", "parse, GC off", "cold", "json.loads", "cached", "all nodes")
    header = ("nodes", "MB") + cols + ("first call (new proc)", "parse, new proc")
    table = [header]
    for r in rows:
        mark = "*" if r["lifted"] else ""
        cells = [fmt(r["cpu"].get(c)) for c in cols]
        if not r["ok"]:
            cells[2] += "  REFUSED: " + "; ".join(r["errors"])
        table.append((f"{r['nodes']:,}{mark}", f"{r['bytes'] / 2**20:.2f}", *cells,
                      fmt(r.get("first_call")), fmt(r.get("fresh_parse"))))
    widths = [max(len(str(t[i])) for t in table) for i in range(len(header))]
    for i, t in enumerate(table):
        print("  ".join(str(c).rjust(widths[j]) if j < 2 else str(c).ljust(widths[j]) for j, c in enumerate(t)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    print("\nwall-clock medians (ms): " + "; ".join(
        f"{r['nodes']:,}: " + ", ".join(f"{c} {r['wall'][c]['median']:.1f}" for c in cols if c in r["wall"])
        for r in rows))
    if any(r["lifted"] for r in rows):
        print("* over the loader's limits as shipped; measured with them lifted in the benchmark's processes only")

    print("\nRatios (CPU medians):")
    for r in rows:
        c = r["cpu"]
        parts = [f"cold / parse GC off {ratio(c.get('cold'), c.get('parse, GC off')):.2f}x",
                 f"cold / parse GC on {ratio(c.get('cold'), c.get('parse')):.2f}x"]
        if "cached" in c:
            parts.append(f"cached / json.loads {ratio(c['cached'], c['json.loads']):.2f}x")
            parts.append(f"all nodes / json.loads {ratio(c['all nodes'], c['json.loads']):.2f}x")
        if r.get("first_call"):
            parts.append(f"first call / parse GC off, new processes {ratio(r['first_call'], r['fresh_parse']):.2f}x")
        print(f"  {r['nodes']:>6,}{'*' if r['lifted'] else ' '}  " + "; ".join(parts))
    print(f"\nPeak RSS (VmHWM) of a new process doing one cold load of {mem['nodes']:,} nodes"
          f"{' *' if mem['lifted'] else ''}: {mem['hwm_mib']:.1f} MiB "
          f"({mem['after_imports_mib']:.1f} MiB after imports{'' if mem['ok'] else '; REFUSED'})")
    if ink:
        print(f"  peer: a new Node process loading the ink story of the same graph (inkjs 2.4.0 runtime): "
              f"{ink['rss_mib']:.1f} MiB peak RSS [{ink['min']:.1f}-{ink['max']:.1f}] -> Parley / ink "
              f"{mem['hwm_mib'] / ink['rss_mib']:.2f}x")

    print("\nTargets:")
    by_n = {r["nodes"]: r for r in rows}

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "FAIL"
    if 1000 in by_n and by_n[1000]["ok"]:
        c = by_n[1000]["cpu"]
        cold = ratio(c["cold"], c["parse, GC off"])
        print(f"  1,000 nodes, cold <= {TARGET_COLD_RATIO}x parse (GC off): {cold:.2f}x  {verdict(cold <= TARGET_COLD_RATIO)}")
        cached = ratio(c["cached"], c["json.loads"])
        print(f"  1,000 nodes, cached <= {TARGET_CACHED_RATIO}x json.loads: {cached:.2f}x  "
              f"{verdict(cached <= TARGET_CACHED_RATIO)}")
    if 100 in by_n and by_n[100].get("first_call"):
        first = ratio(by_n[100]["first_call"], by_n[100]["fresh_parse"])
        print(f"  100 nodes, first call in a new process <= {TARGET_FIRST_RATIO}x parse (GC off, new process): "
              f"{first:.2f}x  {verdict(first <= TARGET_FIRST_RATIO)}")
    if mem["nodes"] == 10_000:
        print(f"  10,000 nodes, peak RSS <= {TARGET_PEAK_MIB} MiB: {mem['hwm_mib']:.1f} MiB  "
              f"{verdict(mem['ok'] and mem['hwm_mib'] <= TARGET_PEAK_MIB)}")
    print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "memory": mem, "ink_memory": ink}, indent=2), encoding="utf-8")
    if args.profile:
        profile(1000 if 1000 in args.sizes else args.sizes[0], args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
