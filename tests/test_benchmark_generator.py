"""The benchmark scenario generator makes valid scenarios that can be played to an ending."""
import importlib.util
import random
from pathlib import Path

import pytest

from simulator.content.loader import load_scenario, load_scenario_bytes
from simulator.engine.session import Session

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("parley_bench_generate", ROOT / "benchmarks" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generate_module = _generator()


@pytest.mark.parametrize("n", [100, 1000])
def test_generated_scenario_loads_and_plays_to_an_ending(n, tmp_path):
    text = generate_module.generate(n)
    assert text == generate_module.generate(n), "the generator must be deterministic"
    path = tmp_path / f"synthetic-{n}.yaml"
    path.write_text(text, encoding="utf-8")
    result = load_scenario(path, use_cache=False)
    assert result.ok, "\n".join(d.format() for d in result.errors[:10])
    assert not result.errors
    scenario = result.scenario
    assert len(scenario.nodes) == n
    assert len(scenario.endings) == 5
    assert all(len(node.choices) == 3 for node in scenario.nodes)
    assert scenario.hidden_factor is not None
    for seed in range(3):
        pick = random.Random(seed)
        session = Session(scenario, seed=seed)
        for _ in range(10 * n):
            if session.ended:
                break
            session.choose(pick.choice(session.available()).id, 1.0)
        assert session.ended, f"seed {seed}: no ending within {10 * n} choices"
        assert session.log[-1]["type"] == "ending_reached"


def test_generator_uses_only_known_tags():
    from simulator.content.behaviour import default_model
    known = set(default_model().tags)
    used = set(generate_module.HELPFUL) | set(generate_module.HARMFUL) | set(generate_module.NEUTRAL)
    assert used <= known, f"unknown tags: {sorted(used - known)}"
    helpful = {t for t, info in default_model().tags.items() if info["polarity"] == "helpful"}
    harmful = {t for t, info in default_model().tags.items() if info["polarity"] == "harmful"}
    assert set(generate_module.HELPFUL) <= helpful and set(generate_module.HARMFUL) <= harmful


def test_other_seeds_are_valid_too():
    for seed in (1, 2):
        text = generate_module.generate(300, seed)
        result = load_scenario_bytes(text.encode("utf-8"), f"synthetic-300-s{seed}.yaml")
        assert result.ok, "\n".join(d.format() for d in result.errors[:10])
        assert not result.warnings, "\n".join(d.format() for d in result.warnings[:10])


def test_every_decision_is_graded_by_its_tags_and_force_by_what_the_node_shows():
    """Harmful tag -> mistake; force above what the node's `shows` allows -> critical (the verdict
    scoring gives); otherwise good. Every node is labelled, says what the person shows, and offers a
    good option that no condition hides and a poorer one."""
    from scoring.context import context_for
    from simulator.content.behaviour import default_model
    from simulator.engine.model import BEHAVIOURS
    from simulator.engine.step import initial_state
    result = load_scenario_bytes(generate_module.generate(1000).encode("utf-8"), "synthetic-1000.yaml")
    scenario = result.scenario
    assert scenario is not None and not result.errors
    harmful = {t for t, info in default_model().tags.items() if info["polarity"] == "harmful"}
    context = context_for(scenario)
    pre = initial_state(scenario).values
    verdicts = set()
    for choice in scenario.choice_by_id.values():
        if choice.force is not None:
            proportionate = context.force_check(choice, pre).proportionate
            verdicts.add(proportionate)
            assert choice.grade == ("mistake" if proportionate else "critical"), choice.id
        elif set(choice.tags) & harmful:
            assert choice.grade == "mistake", choice.id
        else:
            assert choice.grade == "good", choice.id
    assert verdicts == {True, False}, "both proportionate and disproportionate force occur"
    for node in scenario.nodes:
        assert node.label is not None and node.shows in BEHAVIOURS
        grades = [c.grade for c in node.choices]
        assert "good" in grades and set(grades) - {"good"}, node.id
        assert any(c.grade == "good" and c.test is None for c in node.choices), node.id
