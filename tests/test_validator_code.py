"""The checked-in scenario validator (generated once from the schema) is current and behaves as
fastjsonschema's own compiled validator does: the same files accepted, the same first error."""
from __future__ import annotations

import copy
import json

import fastjsonschema
import pytest

from simulator.content import schema as schema_module
from simulator.content import validator_code
from simulator.content.loader import bundled_scenarios, load_scenario


def test_checked_in_validator_is_for_todays_schema():
    assert validator_code.main(["--check"]) == 0, \
        "run: python -m simulator.content.validator_code (the schema changed since it was generated)"
    namespace = schema_module._fast_namespace()
    assert namespace.get("SCHEMA_SHA256") == validator_code.schema_hash(schema_module.scenario_schema())
    assert namespace["__name__"] == "simulator.content._scenario_validator"  # the file, not a live compile


def test_generated_source_has_no_eager_locals_and_no_definitions():
    source = validator_code.GENERATED_PATH.read_text(encoding="utf-8")
    assert "locals()" not in source
    assert "definition={" not in source


def _mutations(data: dict):
    """Valid data broken in the ways authors break it: a missing key, a wrong type, a bad id, an
    unknown key, a bad enum, a text that is not text, a list over its limit."""
    node_id = next(iter(data["nodes"]))
    yield "valid", data
    for label, change in [
        ("missing title", lambda d: d.pop("title")),
        ("minutes as text", lambda d: d.__setitem__("minutes", "ten")),
        ("bad node id", lambda d: d["nodes"].__setitem__("Bad Id", d["nodes"][node_id])),
        ("unknown key in a node", lambda d: d["nodes"][node_id].__setitem__("colour", "red")),
        ("bad grade", lambda d: d["nodes"][node_id]["choices"][0].__setitem__("grade", "great")),
        ("narrative a number", lambda d: d["nodes"][node_id].__setitem__("narrative", 5)),
        ("empty choices", lambda d: d["nodes"][node_id].__setitem__("choices", [])),
        ("choice text empty", lambda d: d["nodes"][node_id]["choices"][-1].__setitem__("text", "")),
        ("too many tags", lambda d: d["nodes"][node_id]["choices"][0].__setitem__("tags", ["a"] * 21)),
        ("effect not a number", lambda d: d["nodes"][node_id]["choices"][0].__setitem__("effects", {"rapport": "x"})),
    ]:
        broken = copy.deepcopy(data)
        change(broken)
        yield label, broken


def _outcome(validate, data):
    try:
        validate(data)
        return None
    except fastjsonschema.JsonSchemaValueException as exc:
        return exc.message, exc.path, exc.rule


@pytest.mark.parametrize("path", bundled_scenarios(), ids=lambda p: p.stem)
def test_generated_validator_agrees_with_fastjsonschema(path):
    data = json.loads(json.dumps(load_scenario(path, use_cache=False).scenario.source_data))
    reference = fastjsonschema.compile(copy.deepcopy(schema_module.scenario_schema()))
    generated = schema_module._fast_check()
    for label, case in _mutations(data):
        assert _outcome(generated, case) == _outcome(reference, case), label
