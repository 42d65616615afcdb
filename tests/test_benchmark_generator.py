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
