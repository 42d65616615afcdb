"""Loader: safe YAML, every diagnostic with file/line/column/hint, all at once, never a traceback."""
import json
from pathlib import Path

import pytest
import yaml

from simulator.content import yamlsafe
from simulator.content.diagnostics import DiagnosticSink
from simulator.content.loader import load_scenario, load_scenario_bytes
from simulator.engine.model import Scenario

from .conftest import FIXTURES, ROOT, bundled_paths

MINIMAL = (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")


def diags(text: str, name="t.yaml"):
    result = load_scenario_bytes(text.encode("utf-8"), name, asset_dirs=[ROOT / "assets"])
    return result, [(d.code, d.line, d.column) for d in result.diagnostics if d.severity == "error"]


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    idx = -1
    for _ in range(occurrence):
        idx = text.index(needle, idx + 1)
    return text[:idx].count("\n") + 1


def test_minimal_loads_into_an_immutable_model(minimal):
    assert isinstance(minimal, Scenario)
    assert minimal.target_ids[minimal.start] == "first"
    with pytest.raises(AttributeError):
        minimal.id = "other"  # frozen
    assert minimal.nodes[0].choices[0].test is None
    assert minimal.choice_by_id["thank"].test((0, 0, 0, 0, 1)) is True


@pytest.mark.parametrize("path", bundled_paths(), ids=lambda p: p.stem)
def test_bundled_scenarios_have_no_errors(path):
    result = load_scenario(path, use_cache=False)
    assert result.ok, "\n".join(d.format() for d in result.errors)
    sc = result.scenario
    assert len(sc.nodes) >= 20 and len(sc.endings) >= 3
    assert any(n.timer for n in sc.nodes), "needs a timed decision"
    assert any(c.outcomes for c in sc.choice_by_id.values()), "needs a random reaction"
    assert sc.hidden_factor is not None
    assert Path(path).read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=")


def test_unknown_next_is_reported_at_its_line_with_a_suggestion():
    text = MINIMAL.replace("next: calm-end", "next: calm-edn", 1)
    result, errors = diags(text)
    assert result.scenario is None
    assert ("unknown-next", line_of(text, "next: calm-edn"), 15) in errors
    d = next(d for d in result.diagnostics if d.code == "unknown-next")
    assert "calm-end" in d.hint and d.format().startswith(f"t.yaml:{d.line}:15: error:")


def test_all_problems_come_at_once():
    text = (MINIMAL.replace("tags: [open-question]", "tags: [open-questoin]")
                   .replace("narrative: \"Sam looks at you.\"", "narative: \"Sam looks at you.\"")
                   .replace("condition: \"notes >= 1\"", "condition: \"nots >= 1\"")
                   .replace("effects: {notes: +1}", "effects: {notes: 1}")
                   .replace("- {weight: 3, next: third}", "- {weight: 0, next: third}"))
    result, errors = diags(text)
    codes = {c for c, _, _ in errors}
    assert {"unknown-tag", "unknown-key", "missing-key", "unknown-variable", "bare-number", "bad-weight"} <= codes
    tag = next(d for d in result.diagnostics if d.code == "unknown-tag")
    assert "open-question" in tag.hint
    key = next(d for d in result.diagnostics if d.code == "unknown-key")
    assert key.line == line_of(text, "narative:") and "narrative" in key.hint


def test_duplicate_ids_and_keys():
    text = MINIMAL.replace("- id: demand", "- id: listen")
    _, errors = diags(text)
    assert ("duplicate-id", line_of(text, "- id: listen", 2), 13) in errors
    text = MINIMAL.replace("minutes: 5\n", "minutes: 5\nminutes: 6\n")
    _, errors = diags(text)
    assert ("duplicate-key", line_of(text, "minutes: 6"), 1) in errors


def test_unreachable_and_trapped_nodes():
    text = MINIMAL.replace("endings:", """  island:
    narrative: "Nobody comes here."
    choices:
      - {id: island-loop, text: "Loop", grade: good, next: island, feedback: "x"}
endings:""")
    _, errors = diags(text)
    codes = [c for c, _, _ in errors]
    assert "unreachable" in codes
    text2 = MINIMAL.replace("        next: second\n      - id: demand", "        next: trap\n      - id: demand").replace(
        "endings:", """  trap:
    narrative: "A loop."
    choices:
      - {id: trap-loop, text: "Again", grade: good, next: trap, feedback: "x"}
endings:""")
    _, errors2 = diags(text2)
    assert ("no-ending", line_of(text2, "  trap:"), 3) in errors2


def test_dead_condition_is_found_by_interval_analysis():
    # notes only ever goes up by one, at most once before `second`, so notes >= 3 can never hold.
    text = MINIMAL.replace('condition: "notes >= 1"', 'condition: "notes >= 3"')
    result, errors = diags(text)
    assert ("dead-condition", line_of(text, 'condition: "notes >= 3"'), 20) in errors
    assert "notes 0..1" in next(d for d in result.diagnostics if d.code == "dead-condition").message
    # a satisfiable condition is not reported
    _, ok = diags(MINIMAL)
    assert ok == []


def test_out_of_range_values_and_bad_conditions():
    text = MINIMAL.replace("notes: {initial: 0, min: 0, max: 3}", "notes: {initial: 5, min: 0, max: 3}")
    _, errors = diags(text)
    assert "out-of-range" in [c for c, _, _ in errors]
    text = MINIMAL.replace('condition: "notes >= 1"', 'condition: "notes >== 1"')
    result, errors = diags(text)
    bad = next(d for d in result.diagnostics if d.code == "bad-condition")
    assert "character" in bad.message
    text = MINIMAL.replace("escalation: 2\n", "escalation: 9\n")
    _, errors = diags(text)
    assert any(c == "schema" or c == "bad-value" for c, _, _ in errors)


def test_missing_asset_files_are_errors(tmp_path):
    text = MINIMAL.replace('sam: {name: "Sam", role: subject}',
                           'sam: {name: "Sam", role: subject, portrait: portraits/nobody}').replace(
        '    narrative: "Sam stands by the car."', '    background: backgrounds/nowhere.svg\n    narrative: "Sam stands by the car."')
    result, errors = diags(text)
    assert [c for c, _, _ in errors].count("missing-asset") == 2
    text = MINIMAL.replace('sam: {name: "Sam", role: subject}',
                           'sam: {name: "Sam", role: subject, portrait: portraits/ruth-lindqvist}')
    _, errors = diags(text)
    assert errors == []
    escape = MINIMAL.replace('    narrative: "Sam stands by the car."',
                             '    background: ../../etc/passwd\n    narrative: "Sam stands by the car."')
    _, errors = diags(escape)
    assert "missing-asset" in [c for c, _, _ in errors]


def test_translations_fall_back_with_a_warning():
    text = MINIMAL.replace("languages: [en]", "languages: [en, es]").replace(
        'title: "Minimal test scenario"', 'title: {en: "Minimal test scenario", es: "Escenario mínimo"}')
    result, errors = diags(text)
    assert errors == [] and result.scenario is not None
    warnings = [d for d in result.diagnostics if d.code == "missing-translation"]
    assert warnings and all(d.severity == "warning" for d in warnings)
    assert result.scenario.title.get("es", "en") == "Escenario mínimo"
    assert result.scenario.summary.get("es", "en") == "A small scenario that exercises every engine feature."


@pytest.mark.parametrize("text,code", [
    ("a: &x [1]\nb: *x\n", "alias"),
    ("a: !!python/object/apply:os.system ['true']\n", "tag"),
    ("a: 1\na: 2\n", "duplicate-key"),
    ("<<: {a: 1}\n", "merge-key"),
    ("a: [1, 2\n", "yaml-syntax"),
    ("a: 1\n---\nb: 2\n", "several-documents"),
    ("", "empty"),
    ("[" * 5000 + "]" * 5000, "too-deep"),
    ("- " * 5000 + "x\n", "too-deep"),
    ("- just\n- a list\n", "not-a-mapping"),
])
def test_unsafe_or_broken_yaml_is_refused_with_a_position(text, code):
    result, errors = diags(text)
    assert result.scenario is None
    assert code in [c for c, _, _ in errors], result.diagnostics


# Nesting. Each shape makes text nested `n` levels deep; beside it, where level 65 starts (the first
# level past the limit of 64). libyaml in PyYAML 6.0.4 refuses 1,000 levels itself and 6.0.3 has no
# limit, so the depths straddle that (999-1001) as well as ours (65), and go far past both (5000).
NESTING = {
    "flow-seq": (lambda n: "[" * n + "x" + "]" * n, (1, 65)),
    "flow-map": (lambda n: "{a: " * n + "x" + "}" * n, (1, 257)),
    "block-seq": (lambda n: "- " * n + "x\n", (1, 129)),
    "block-map": (lambda n: "".join(" " * i + "a:\n" for i in range(n)) + " " * n + "x\n", (65, 65)),
    # two levels per `- ? ` (a sequence of mappings with complex keys): no `- - -` run, little indentation
    "complex-keys": (lambda n: "- ? " * (n // 2) + "- " * (n % 2) + "x\n", (1, 129)),
}
# 5,000 levels of indented mappings would be 12.5 MB, over the 5 MB limit; 3,000 are 4.5 MB.
DEEP = [(shape, depth) for shape in NESTING
        for depth in (65, 100, 999, 1000, 1001, 3000 if shape == "block-map" else 5000)]


@pytest.fixture(params=["installed", "pure-python"])
def nesting_path(request, monkeypatch):
    """Each parser the YAML layer can meet deep nesting with, whichever PyYAML is installed.

    installed: as shipped (libyaml where it is available: PyYAML 6.0.4's refuses 1,000 levels by
    itself, 6.0.3's has no limit); pure-python: the fallback parser used where libyaml is missing.
    Either way the one pass over the parser's events stops at level 65; nothing is composed first
    (the pure-Python composer recurses, so a RecursionError would escape as a traceback).
    """
    if request.param == "pure-python":
        monkeypatch.setattr(yamlsafe, "_Loader", yaml.SafeLoader)
    return request.param


@pytest.mark.parametrize("shape,depth", DEEP, ids=[f"{s}-{d}" for s, d in DEEP])
def test_too_deep_nesting_is_refused_with_our_limit_and_its_position(shape, depth, nesting_path):
    make, where = NESTING[shape]
    result, errors = diags(make(depth))
    assert result.scenario is None
    deep = [d for d in result.diagnostics if d.code == "too-deep"]
    assert [(d.line, d.column) for d in deep] == [where], result.diagnostics
    assert deep[0].message == "nesting deeper than 64 levels" and "flatten" in deep[0].hint
    if shape != "complex-keys":  # complex keys are also reported as such where they are composed
        assert errors == [("too-deep", *where)], result.diagnostics


@pytest.mark.parametrize("shape", [s for s in NESTING if s != "complex-keys"])
def test_nesting_of_64_levels_is_accepted_and_65_refused(shape, nesting_path):
    assert yamlsafe.MAX_DEPTH == 64
    make, where = NESTING[shape]
    sink = DiagnosticSink("t.yaml")
    doc = yamlsafe.read_yaml(make(64).encode(), "t.yaml", sink)
    assert doc is not None and sink.items == []
    data, levels = doc.data, 0
    while isinstance(data, (list, dict)):
        data, levels = (data[0] if isinstance(data, list) else data["a"]), levels + 1
    assert (levels, data) == (64, "x")
    doc = yamlsafe.read_yaml(make(65).encode(), "t.yaml", sink)
    assert doc is None and [(d.code, d.line, d.column) for d in sink.items] == [("too-deep", *where)]


@pytest.mark.parametrize("depth", [65, 100, 999, 1001, 5000])
def test_too_deep_nesting_is_reported_before_a_later_syntax_error(depth, nesting_path):
    """The nesting passes 64 levels before the syntax error, so that is what every path reports."""
    for text, where in (("[" * depth + "x", (1, 65)),  # never closed
                        ("- " * depth + "x\nkey: value\n", (1, 129))):  # a mapping after the sequence
        result, errors = diags(text)
        assert errors == [("too-deep", *where)], result.diagnostics


@pytest.mark.parametrize("depth", [100, 1500, 5000])
def test_too_deep_nesting_inside_a_scenario_is_reported_where_it_starts(depth, nesting_path):
    # `topics:` is line 9 and its `[` column 9 (level 2), so level 65 is the 64th `[`, at column 72
    text = MINIMAL.replace("topics: [test]", "topics: " + "[" * depth + "test" + "]" * depth)
    _, errors = diags(text)
    assert errors == [("too-deep", 9, 72)]
    # a block sequence under `audience:` starts at line 8, column 3 (level 2); level 65 at column 129
    text = MINIMAL.replace("audience: [recruit]", "audience:\n  " + "- " * depth + "recruit")
    _, errors = diags(text)
    assert errors == [("too-deep", 8, 129)]


def test_one_pass_over_the_events_and_nothing_composed(monkeypatch):
    """Limits (values, nesting, text length) are counted in the same single pass that builds the
    data; no node graph is composed and no event is kept. Positions come from a second pass, made
    only when a diagnostic asks for one."""
    composed = []
    real = yaml.compose
    monkeypatch.setattr(yamlsafe.yaml, "compose", lambda *a, **k: composed.append(1) or real(*a, **k))
    loaders = [yaml.SafeLoader] + ([yaml.CSafeLoader] if getattr(yaml, "__with_libyaml__", False) else [])
    for loader in loaders:
        monkeypatch.setattr(yamlsafe, "_Loader", loader)
        composed.clear()
        _, errors = diags(MINIMAL)
        assert errors == [] and composed == [], loader
        text = MINIMAL.replace("next: calm-end", "next: calm-edn", 1)
        _, errors = diags(text)
        assert ("unknown-next", line_of(text, "next: calm-edn"), 15) in errors and composed == [], loader
        one_pass = 2 + len(list(yaml.parse(MINIMAL, Loader=loader)))
        walks = []
        real_get = loader.get_event
        monkeypatch.setattr(loader, "get_event", lambda self: walks.append(1) or real_get(self))
        sink = DiagnosticSink("minimal.yaml")
        doc = yamlsafe.read_yaml(MINIMAL.encode(), "minimal.yaml", sink)
        assert doc is not None and 0 < len(walks) <= one_pass, loader  # reading: one pass
        walks.clear()
        assert doc.position(("nodes", "second", "choices", 2, "next")) == (line_of(MINIMAL, "next: calm-end"), 15)
        assert 0 < len(walks) <= one_pass, loader  # the first position asked for: one more pass
        walks.clear()
        doc.position(("title",))
        assert walks == [], loader  # later positions: none
        monkeypatch.setattr(loader, "get_event", real_get)


def test_alias_bomb_is_rejected_quickly():
    import time
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, cur in zip("abcdefgh", "bcdefghi"):
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    started = time.perf_counter()
    result, errors = diags("\n".join(lines))
    assert time.perf_counter() - started < 1.0
    assert result.scenario is None and errors[0][0] == "alias"


def test_size_limit_and_encoding():
    result, errors = diags("a: " + "x" * (5 * 1024 * 1024 + 1))
    assert errors[0][0] == "too-large"
    result = load_scenario_bytes(b"a: \xff\n", "bad.yaml")
    assert result.diagnostics[0].code == "encoding" and result.diagnostics[0].line == 1


def test_cache_round_trip_gives_the_same_scenario(tmp_path, monkeypatch):
    monkeypatch.setenv("PARLEY_CACHE_DIR", str(tmp_path))
    path = FIXTURES / "minimal.yaml"
    fresh = load_scenario(path, use_cache=True)
    cached = load_scenario(path, use_cache=True)
    assert not fresh.from_cache and cached.from_cache
    assert [d.format() for d in fresh.diagnostics] == [d.format() for d in cached.diagnostics]
    from simulator.engine.session import Session
    logs = []
    for sc in (fresh.scenario, cached.scenario):
        s = Session(sc, seed=4)
        for cid in ("write", "coin", "thank"):
            if not s.ended and cid in [c.id for c in s.view().choices]:
                s.choose(cid, 1)
        logs.append(s.log_json())
    assert logs[0] == logs[1]
    # a corrupt cache file is ignored, not trusted
    for f in (tmp_path / "scenarios").glob("*.json"):
        f.write_text("{not json")
    again = load_scenario(path, use_cache=True)
    assert again.ok and not again.from_cache


def test_json_schema_is_valid_draft_2020_12():
    import jsonschema
    schema = json.loads((ROOT / "scenarios" / "scenario.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"].endswith("2020-12/schema")


def test_absurd_asset_paths_are_reported_not_raised():
    for ref in ("x" * 5000, "a\x00b.svg", "backgrounds/" + "y" * 300 + ".svg"):
        text = MINIMAL.replace('    narrative: "Sam stands by the car."',
                               f'    background: "{ref.replace(chr(0), chr(92) + "0")}"\n    narrative: "Sam stands by the car."')
        result, errors = diags(text)
        assert "missing-asset" in [c for c, _, _ in errors]


def test_empty_or_wrong_text_gets_a_text_message():
    text = MINIMAL.replace('behaviour: "Arms crossed."', 'behaviour: ""')
    result, errors = diags(text)
    d = next(d for d in result.diagnostics if d.code == "bad-text")
    assert d.line == line_of(text, 'behaviour: ""') and "empty string" in d.message
    text = MINIMAL.replace('behaviour: "Arms crossed."', 'behaviour: [1, 2]')
    result, errors = diags(text)
    assert "must be text, not a list" in next(d for d in result.diagnostics if d.code == "bad-text").message


def test_tab_indentation_gets_a_tab_hint():
    result, errors = diags("format: 1\nid:\n\tx: 1\n")
    d = result.diagnostics[0]
    assert (d.code, d.line, d.column) == ("yaml-syntax", 3, 1) and "tabs" in d.hint


def test_nodes_are_built_on_first_use_then_become_a_plain_tuple():
    """A loaded scenario builds each node when first used; once all are built, `nodes` and
    `choice_by_id` are the plain tuple and mapping, holding the very objects handed out before."""
    from types import MappingProxyType

    from simulator.content.build import LazyChoices, LazyNodes
    from simulator.engine.session import Session

    sc = load_scenario(FIXTURES / "minimal.yaml", use_cache=False).scenario
    assert isinstance(sc.nodes, LazyNodes) and isinstance(sc.choice_by_id, LazyChoices)
    lazy_nodes, lazy_choices = sc.nodes, sc.choice_by_id
    assert sum(n is not None for n in lazy_nodes._built) == 0
    session = Session(sc, seed=4)
    assert sum(n is not None for n in lazy_nodes._built) <= 1  # at most the start
    first = sc.nodes[0]
    some_choice = first.choices[0]
    assert sc.choice_by_id[some_choice.id] is some_choice
    assert "no-such-choice" not in sc.choice_by_id and sc.choice_by_id.get("no-such-choice") is None
    order = list(lazy_choices)
    built = list(sc.nodes)  # builds the rest
    assert type(sc.nodes) is tuple and isinstance(sc.choice_by_id, MappingProxyType)
    assert sc.nodes[0] is first and list(lazy_nodes) == built and lazy_nodes[-1] is built[-1]
    assert list(sc.choice_by_id) == order and sc.choice_by_id[some_choice.id] is some_choice
    assert all(lazy_choices[cid] is sc.choice_by_id[cid] for cid in order)
    assert [n.id for n in sc.nodes] == list(sc.source_data["nodes"])
    session.choose(session.available()[0].id, 1.0)  # a session begun on the lazy view plays on
