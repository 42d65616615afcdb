"""Options are shuffled per visit from the seed: every order is a permutation, orders are uniform
over seeds, and shuffling never changes the random reactions a seed gives."""
from __future__ import annotations

from collections import Counter

from simulator.engine.session import Session, SessionOptions, presented_order

from .conftest import ROOT, load_ok


def test_order_is_a_deterministic_permutation():
    items = list("abcdefghij")
    for seed in (0, 1, 2**63 - 1):
        for steps in (0, 5, 10**6):
            order = presented_order(seed, steps, 3, items, True)
            assert sorted(order) == items
            assert order == presented_order(seed, steps, 3, items, True)
    assert presented_order(5, 1, 1, items, False) == items
    assert presented_order(5, 1, 1, ["only"], True) == ["only"]


def test_every_order_is_about_equally_likely():
    """All 6 orders of 3 options over 60,000 seeds: each within 5% of 10,000 (about 5 standard
    deviations), and each option first about a quarter of the time among 4."""
    counts = Counter(tuple(presented_order(seed, 2, 4, list("abc"), True)) for seed in range(60_000))
    assert len(counts) == 6 and all(9_500 <= n <= 10_500 for n in counts.values()), counts
    first = Counter(presented_order(seed, 7, 1, list("abcd"), True)[0] for seed in range(40_000))
    assert all(9_500 <= n <= 10_500 for n in first.values()), first


def test_shuffling_never_changes_the_reactions_of_a_seed():
    scenario = load_ok(ROOT / "scenarios" / "deaf-driver-traffic-stop.yaml")
    for seed in range(30):
        logs = []
        for shuffle in (True, False):
            session = Session(scenario, seed=seed, options=SessionOptions(shuffle=shuffle))
            for step in range(40):  # bounded: the scenario has loops a fixed policy could follow for ever
                if session.ended:
                    break
                ids = sorted(c.id for c in session.available())
                session.choose(ids[(seed + step) % len(ids)], 2.0)
            logs.append([(e["choice"], e["outcome"]) for e in session.log if e["type"] == "outcome_drawn"])
        assert logs[0] == logs[1], seed
