"""The scenario schema checked by a second, independent implementation (jschon, JSON Schema 2020-12):
it is a valid 2020-12 schema, every shipped scenario and the POL-COM importer's output are valid for
jschon, and broken documents are invalid for jschon and for the validators the loader uses
(jsonschema, and the compiled validator behind `schema_accepts`), so the implementations agree."""
from __future__ import annotations

import copy
import json
import warnings
from pathlib import Path

import jsonschema
import pytest
import yaml
from jschon import JSON, URI, JSONSchema, create_catalog

from simulator.content.importers.policecom import import_policecom
from simulator.content.schema import schema_accepts

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "scenarios" / "scenario.schema.json"
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))
SHARED = ROOT / "tests" / "fixtures" / "policecom-upstream"  # two real POL-COM files, unchanged, CC BY 4.0
POLICECOM = ["scenario-1-en.json", "scenario-road-rage-en.json"]

# jschon 0.11 calls rfc3986 methods that warn of their deprecation on every URI; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:Please use rfc3986:DeprecationWarning")
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "Please use rfc3986", DeprecationWarning)
    CATALOG = create_catalog("2020-12")  # once per module: it loads the 2020-12 metaschemas
    SCHEMA_DATA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    JSCHON_SCHEMA = JSONSchema(SCHEMA_DATA)
JSONSCHEMA = jsonschema.Draft202012Validator(SCHEMA_DATA)


def _plain(path: Path) -> dict:
    """The YAML file as JSON data; fails if it holds anything JSON cannot (dates, non-string keys)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return json.loads(json.dumps(data, allow_nan=False))


def _jschon_errors(data) -> list:
    result = JSCHON_SCHEMA.evaluate(JSON(data))
    return [] if result.valid else result.output("basic")["errors"]


def test_schema_is_valid_2020_12():
    assert SCHEMA_DATA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    metaschema = CATALOG.get_schema(URI("https://json-schema.org/draft/2020-12/schema"))
    assert metaschema.evaluate(JSON(SCHEMA_DATA)).valid
    assert JSCHON_SCHEMA.validate().valid
    jsonschema.Draft202012Validator.check_schema(SCHEMA_DATA)


def test_every_shipped_scenario_is_checked():
    assert len(SHIPPED) >= 8, SHIPPED


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_scenario_valid_for_both(path):
    data = _plain(path)
    assert _jschon_errors(data) == []
    assert list(JSONSCHEMA.iter_errors(data)) == []
    assert schema_accepts(data)


@pytest.mark.skipif(not SHARED.is_dir(), reason=f"POL-COM sample files not found at {SHARED}")
@pytest.mark.parametrize("name", POLICECOM)
def test_policecom_import_valid_for_both(name):
    result = import_policecom(SHARED / name)
    assert result.text is not None, [d.format() for d in result.diagnostics]
    data = json.loads(json.dumps(yaml.safe_load(result.text), allow_nan=False))
    assert _jschon_errors(data) == []
    assert list(JSONSCHEMA.iter_errors(data)) == []
    assert schema_accepts(data)


def _first_node(data: dict) -> dict:
    return data["nodes"][data["start"]]


def _break(kind: str, data: dict) -> None:
    """Damage a valid scenario in place, one way per kind."""
    if kind == "missing-required-top":
        del data["start"]
    elif kind == "missing-required-choice":
        del _first_node(data)["choices"][0]["id"]
    elif kind == "missing-required-ending":
        del next(iter(data["endings"].values()))["outcome"]
    elif kind == "wrong-type-minutes":
        data["minutes"] = "15"
    elif kind == "wrong-type-choices":
        _first_node(data)["choices"] = {"a": 1}
    elif kind == "wrong-type-escalation":
        data["state"]["escalation"] = 1.5
    elif kind == "bool-not-integer":
        data["format"] = True
    elif kind == "unknown-top-property":
        data["titel"] = "typo"
    elif kind == "unknown-node-property":
        _first_node(data)["narative"] = "typo"
    elif kind == "unknown-choice-property":
        _first_node(data)["choices"][0]["nxt"] = "x"
    elif kind == "bad-enum-grade":
        _first_node(data)["choices"][0]["grade"] = "excellent"
    elif kind == "id-with-trailing-newline":
        data["id"] = data["id"] + "\n"
    elif kind == "text-too-long":
        data["title"] = "x" * 10_001
    elif kind == "empty-audience":
        data["audience"] = []
    elif kind == "effect-bad-pattern":
        _first_node(data)["choices"][0]["effects"] = {"escalation": "1"}
    else:
        raise AssertionError(kind)


BROKEN = ["missing-required-top", "missing-required-choice", "missing-required-ending", "wrong-type-minutes",
          "wrong-type-choices", "wrong-type-escalation", "bool-not-integer", "unknown-top-property",
          "unknown-node-property", "unknown-choice-property", "bad-enum-grade", "id-with-trailing-newline",
          "text-too-long", "empty-audience", "effect-bad-pattern"]


@pytest.fixture(scope="module")
def valid_base() -> dict:
    return _plain(ROOT / "tests" / "fixtures" / "minimal.yaml")  # small: jschon takes seconds on a full scenario


@pytest.mark.parametrize("kind", BROKEN)
def test_broken_document_invalid_for_both(valid_base, kind):
    data = copy.deepcopy(valid_base)
    _break(kind, data)
    assert json.dumps(data) != json.dumps(valid_base)  # not `!=`: True == 1 in Python
    assert _jschon_errors(data), f"jschon accepts a document broken by {kind}"
    assert list(JSONSCHEMA.iter_errors(data)), f"jsonschema accepts a document broken by {kind}"
    assert not schema_accepts(data), f"the loader's compiled validator accepts a document broken by {kind}"


def test_the_base_document_is_valid_before_breaking(valid_base):
    """Without this, every broken-document test could pass on an already-invalid base."""
    assert _jschon_errors(valid_base) == [] and list(JSONSCHEMA.iter_errors(valid_base)) == []
