"""Acceptance harness for grading (issue 9): exact over every random outcome, for each scenario given
(default: the bundled ones), print best and worst play, naive policies, single deviations from best
play, negative-training violations and force verdicts; exit 1 if any check fails.

    python benchmarks/acceptance.py [SCENARIO.yaml ...] [--all-deviations]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scoring.audit import NAIVE_LIMIT, audit  # noqa: E402
from simulator.content.loader import bundled_scenarios, load_scenario  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--all-deviations", action="store_true", help="list every single deviation checked")
    args = parser.parse_args(argv)
    paths = args.paths or bundled_scenarios()
    failed = 0
    print(f"{'scenario':<28} {'policy':<12} {'states':>7} {'pass':>7} {'practice':>9} {'fail':>7} {'no end':>7} {'mean':>6}")
    audits = []
    for path in paths:
        result = load_scenario(path, use_cache=False)
        if result.scenario is None:
            print(f"{path}: does not load:")
            for d in result.diagnostics:
                if d.severity == "error":
                    print("  " + d.format())
            failed += 1
            continue
        start = time.process_time()
        report = audit(result.scenario)
        cpu = time.process_time() - start
        audits.append((report, cpu))
        for row in report.policies:
            never = max(0.0, 1.0 - row.passed - row.needs_practice - row.failed)  # the chain never ends
            print(f"{report.scenario[:28]:<28} {row.policy:<12} {row.states:>7} {row.passed:>7.4f} "
                  f"{row.needs_practice:>9.4f} {row.failed:>7.4f} {never:>7.4f} {row.mean_score:>6.1f}")
    for report, cpu in audits:
        print(f"\n{report.scenario} (audit took {cpu:.2f} s CPU)")
        by_tier: dict = {}
        for d in report.deviations:
            by_tier.setdefault(d["grade"], []).append(d)
        for tier in ("mistake", "major", "critical"):
            rows = by_tier.get(tier, [])
            ok = sum(d["ok"] for d in rows)
            scores = [d["mean_score"] for d in rows]
            span = f", mean score {min(scores):.1f}-{max(scores):.1f}" if scores else ""
            print(f"  single {tier:<8} from best play: {ok}/{len(rows)} graded as their tier{span}")
            if args.all_deviations:
                for d in rows:
                    print(f"    {'ok ' if d['ok'] else 'BAD'} {d['node']} > {d['choice']}: mean {d['mean_score']:.1f}, "
                          f"pass {d['passed']:.3f}, practice {d['needs_practice']:.3f}, fail {d['failed']:.3f}; "
                          f"against {', '.join(d['against']) or 'nothing'}")
        print(f"  negative training: {len(report.negative_training)} violation(s)")
        print(f"  force choices: {sum(f['ok'] for f in report.force)}/{len(report.force)} verdicts agree with grades")
        for f in report.force:
            print(f"    {'ok ' if f['ok'] else 'BAD'} {f['node']} > {f['choice']}: {f['force']} where the person is "
                  f"{f['shows']} (allowed {f['allowed']}): {'proportionate' if f['proportionate'] else 'DISPROPORTIONATE'}"
                  f"{', officer-created' if f['officer_created'] else ''}; graded {f['grade']}")
        if report.problems:
            failed += 1
            print(f"  PROBLEMS ({len(report.problems)}):")
            for p in report.problems:
                print("    - " + p)
        else:
            print(f"  all checks pass (naive policies at most {NAIVE_LIMIT})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
