"""A fixed, derandomised slice of the scenario fuzzer (benchmarks/fuzz.py) for CI.

The slice is mutants 0-149 of seed 0, checked in 2 worker processes (about a minute on 2 cores).
Every mutant must be refused with positioned diagnostics or accepted and then play, grade and
give a debrief: no traceback, hang, lost position, memory error, worker crash or crash after
acceptance. To see one failure in full: `python benchmarks/fuzz.py --seed 0 --replay INDEX`.
"""
import importlib.util
import sys
from pathlib import Path

import pytest

from simulator.content.loader import load_scenario_bytes

ROOT = Path(__file__).resolve().parent.parent

SEED = 0
COUNT = 150
JOBS = 2


def _fuzzer():
    spec = importlib.util.spec_from_file_location("parley_bench_fuzz", ROOT / "benchmarks" / "fuzz.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


fuzz = _fuzzer()


def test_mutants_are_deterministic_and_independent_of_order():
    for index in (0, 7, 149):
        first = fuzz.make_mutant(SEED, index)
        assert first.data == fuzz.make_mutant(SEED, index).data, "a mutant depends only on (seed, index)"
        assert first.ops
    assert fuzz.make_mutant(SEED, 3).data != fuzz.make_mutant(SEED + 1, 3).data


@pytest.mark.parametrize("seed", fuzz.seeds(), ids=lambda s: Path(s.name).stem)
def test_structure_round_trip_keeps_seeds_valid(seed):
    """Structure-level mutations parse and dump; unmutated, that must give a valid scenario again
    (signed effects such as `+1` keep their sign), so what the fuzzer reports comes from mutations."""
    result = load_scenario_bytes(fuzz.dump(seed.data), seed.name)
    assert result.ok, "\n".join(d.format() for d in result.errors[:10])


def test_fixed_slice_has_no_failures(tmp_path):
    results = fuzz.run(SEED, COUNT, jobs=JOBS, out=tmp_path / "fuzz")
    assert [r["index"] for r in results] == list(range(COUNT))
    summary = fuzz.summarize(results)
    counts = summary["counts"]
    assert counts["ok-accepted"] + counts["ok-refused"] > 0
    lines = [f"{g['count']} x [{g['class']}] {g['cause']}\n"
             f"    e.g. #{g['first']['index']} {g['first']['mutation'][:200]}\n"
             f"    indexes {g['indexes'][:12]}" for g in summary["groups"]]
    assert summary["failures"] == 0, (
        f"{summary['failures']} of {COUNT} mutants (seed {SEED}) failed: "
        + ", ".join(f"{c} {counts[c]}" for c in fuzz.FAILURES if counts[c]) + "\n" + "\n".join(lines))
    for cls in ("traceback", "hang", "lost-position", "accepted-then-crash", "memory", "crash"):
        assert counts[cls] == 0
