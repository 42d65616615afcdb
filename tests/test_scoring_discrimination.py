"""Every shipped scenario discriminates: the best achievable play passes with a high score, the
worst achievable play fails. Play is found by exact search (scoring/paths.py) and then graded."""
from __future__ import annotations

from pathlib import Path

import pytest

from scoring import grade
from scoring.context import context_for
from scoring.paths import record_log
from scoring.values import search_for
from simulator.content.loader import load_or_raise

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))
HIGH_SCORE = 85


def graded_playthroughs(path: Path, maximise: bool) -> list[tuple]:
    scenario = load_or_raise(path, use_cache=False)
    search = search_for(context_for(scenario), maximise)
    plays = search.playthroughs()
    assert plays, f"{path.name}: no playthrough found"
    assert abs(sum(p.probability for p in plays) - 1.0) < 1e-9  # every random outcome followed
    return [(p, grade(scenario, record_log(scenario, p.steps)).to_json()) for p in plays]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_best_play_passes_with_a_high_score(path):
    for play, report in graded_playthroughs(path, True):
        route = " > ".join(s.choice for s in play.steps)
        assert report["result"] == "pass", (route, report["result_rule"])
        assert report["overall"] >= HIGH_SCORE, (route, report["overall"])
        assert not report["critical_errors"]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_worst_play_fails(path):
    for play, report in graded_playthroughs(path, False):
        route = " > ".join(s.choice for s in play.steps)
        assert report["result"] == "fail", (route, report["result_rule"])
