"""The ink peer of benchmarks/bench_engine.py: benchmarks/ink_story.py writes a scenario's graph as an
ink story, and inkjs (benchmarks/peers/run_ink.js) must take the same path as Parley's engine.

The pure-Python tests need no Node. The path checks need `node`, and `npm` to install inkjs 2.4.0
into benchmarks/peers/node_modules once; without them they are skipped with a message that says
exactly what is missing."""
import importlib.util
import random
import sys
from pathlib import Path

import pytest

from simulator.content.loader import load_scenario, load_scenario_bytes

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"


def _module(name: str):
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))  # ink_story imports nothing else from benchmarks/
    spec = importlib.util.spec_from_file_location(f"parley_bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


generate = _module("generate")
ink_story = _module("ink_story")


@pytest.fixture(scope="module")
def scenario_100():
    result = load_scenario_bytes(generate.generate(100).encode("utf-8"), "synthetic-100.yaml")
    assert result.ok, "\n".join(d.format() for d in result.errors[:5])
    return result.scenario


@pytest.fixture(scope="module")
def minimal():
    """A small scenario with weighted outcomes (one with effects and a reaction), conditions, a
    reveal, effects on a custom variable, a timer and a cycle."""
    result = load_scenario(ROOT / "tests" / "fixtures" / "minimal.yaml", use_cache=False)
    assert result.ok
    scenario = result.scenario
    assert any(c.outcomes for n in scenario.nodes for c in n.choices)
    assert any(c.condition for n in scenario.nodes for c in n.choices)
    return scenario


# --- Pure Python: the translation ---------------------------------------------------------------

def test_ids_map_one_to_one_without_hyphens():
    ids = ["scene-00001", "scene_00001", "a-b", "a_b", "a__b", "a_-b", "a-_b", "a--b", "end-resolved", "x9"]
    mapped = [ink_story.ink_id("n_", i) for i in ids]
    assert len(set(mapped)) == len(ids)
    for m in mapped:
        assert "-" not in m and m.replace("_", "").isalnum() and m.startswith("n_")
    assert ink_story.ink_id("n_", "scene-00001") == "n_scene_h00001"
    assert ink_story.ink_id("v_", "notes_taken") == "v_notes__taken"


def test_every_node_ending_and_choice_is_in_the_story(scenario_100):
    story = ink_story.scenario_to_ink(scenario_100)
    src = story.source
    assert "-" not in "".join(story.knot_of.values())
    assert len(set(story.knot_of.values())) == len(scenario_100.nodes) + len(scenario_100.endings)
    for node in scenario_100.nodes:
        knot = story.knot_of[node.id]
        assert src.count(f"\n=== {knot}\n") == 1
        assert f" #{knot}\n" in src  # the knot's first line is tagged with its name
    for ending in scenario_100.endings:
        assert src.count(f"\n=== {story.knot_of[ending.id]}\n") == 1
    choices = [c for n in scenario_100.nodes for c in n.choices]
    assert len(story.choice_tag) == len(choices)
    for c in choices:
        assert src.count(f" #{story.choice_tag[c.id]}]\n") == 1, c.id
    assert src.count("\n+ ") == len(choices)  # sticky choices: the graph has cycles
    assert src.startswith("//") and f"\n-> {story.knot_of[scenario_100.target_ids[scenario_100.start]]}\n" in src
    for v in scenario_100.variables:
        assert f"\nVAR {ink_story.ink_id('v_', v.name)} = {v.initial}\n" in src
    assert story.externals == (2, 3)


def _ink_truth(expr: str, values: dict) -> bool:
    """Evaluate an ink condition made of and/or/not, comparisons, + and - (Python reads them alike)."""
    return bool(eval(expr, {"__builtins__": {}}, values))  # test-only: our own generated text


def test_conditions_are_translated_and_agree_with_parley(scenario_100):
    story = ink_story.scenario_to_ink(scenario_100)
    names = {v.name: ink_story.ink_id("v_", v.name) for v in scenario_100.variables}
    assert ink_story.ink_condition("not backup_called or rapport >= 0", names) == \
        "((not (v_backup__called != 0)) or (v_rapport >= 0))"
    assert ink_story.ink_condition("escalation - rapport <= 5", names) == "((v_escalation + (-v_rapport)) <= 5)"
    # `a or b and c` binds like Python in Parley; ink's and/or share one precedence, so: brackets.
    assert ink_story.ink_condition("escalation >= 3 or rapport >= 2 and notes_taken == 1", names) == \
        "((v_escalation >= 3) or ((v_rapport >= 2) and (v_notes__taken == 1)))"
    conditioned = [c for n in scenario_100.nodes for c in n.choices if c.condition]
    assert conditioned and set(story.conditions) == {c.id for c in conditioned}
    rng = random.Random(0)
    for c in conditioned:
        assert "{" + story.conditions[c.id] + "} [" in story.source
        for _ in range(30):
            values = tuple(rng.randint(v.minimum, v.maximum) for v in scenario_100.variables)
            named = {names[v.name]: values[v.slot] for v in scenario_100.variables}
            assert _ink_truth(story.conditions[c.id], named) == bool(c.test(values)), (c.id, c.condition, values)


def test_effects_rules_and_outcomes_are_written(minimal):
    story = ink_story.scenario_to_ink(minimal)
    src = story.source
    assert "~ w_notes = w_notes + 1" in src and "~ w_notes = MIN(MAX(w_notes, 0), 3)" in src
    assert "~ r_active_hlistening()" in src and "=== function r_active_hlistening()" in src
    assert "~ temp o1 = draw2(3, 1)" in src  # `coin`: weights 3 and 1
    assert "\\A car horn startles Sam." in src  # the reaction text, escaped
    assert "~ v_factor__revealed = 1" in src  # `write` reveals the hidden factor
    assert "timeout" not in src  # timers never expire in the benchmark


def test_text_is_escaped():
    assert ink_story.ink_text("VAR x = {1} -> end // #tag [a|b]\n\n  second   line ") == [
        "\\VAR x \\= \\{1\\} \\-\\> end \\/\\/ \\#tag \\[a\\|b\\]", "\\second line"]
    assert ink_story.ink_text("\\") == ["\\\\"]


# --- With Node: the path check ------------------------------------------------------------------

@pytest.fixture(scope="module")
def node():
    try:
        return ink_story.ensure_inkjs(timeout=240)
    except ink_story.InkUnavailable as exc:
        pytest.skip(f"ink peer not testable: {exc}")


def _compiled(node, scenario, name):
    try:
        return ink_story.compile_story(node, ink_story.scenario_to_ink(scenario), name)[0]
    except RuntimeError as exc:
        pytest.fail(f"inkjs could not compile the story: {exc}")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_ink_takes_parleys_path_on_100_nodes(node, scenario_100, seed):
    json_path = _compiled(node, scenario_100, "synthetic-100")
    same, message, record = ink_story.check_path(node, scenario_100, json_path, seed)
    assert same, message
    assert len(record["steps"]) >= 5


def test_ink_takes_parleys_path_on_a_small_scenario(node, minimal):
    json_path = _compiled(node, minimal, "minimal")
    drawn = closed = 0
    for seed in range(12):
        same, message, record = ink_story.check_path(node, minimal, json_path, seed)
        assert same, message
        drawn += sum(s["outcome"] is not None for s in record["steps"])
        closed += sum(len(o) < 3 for o in record["offered"])
    assert drawn and closed, "the seeds should draw outcomes and meet closed conditions"


def test_the_path_check_notices_a_wrong_story(node, minimal, tmp_path):
    story = ink_story.scenario_to_ink(minimal)
    story.source = story.source.replace("~ w_escalation = MIN(MAX(w_escalation, 0), 6)",
                                        "~ w_escalation = MIN(MAX(w_escalation, 0), 6) + 1")
    json_path = ink_story.compile_story(node, story, "minimal-wrong", out_dir=tmp_path)[0]
    results = [ink_story.check_path(node, minimal, json_path, seed)[:2] for seed in range(4)]
    assert not any(same for same, _ in results)
    assert all("differ" in message or "not offered" in message for _, message in results)
