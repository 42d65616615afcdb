"""Scenario variants (who the people are: names, ages, portraits) change only what people are shown:
every variant of every bundled scenario has exactly the same graph, values and grades, logs that
differ only in the variant they name, and the same exact audit; the loader refuses broken variants;
research counterbalancing is stable; a log replays only on its own variant."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scoring import grade
from scoring.audit import audit
from scoring.context import context_for
from scoring.paths import record_log
from scoring.values import search_for
from simulator.content.loader import bundled_scenarios, load_or_raise, load_scenario, scenario_for_log, with_variant
from simulator.content.variants import counterbalanced
from simulator.engine.session import ReplayMismatch, Session

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
WITH_VARIANTS = [p for p in sorted(bundled_scenarios()) if load_or_raise(p).variants]


def _choice_shape(c) -> tuple:
    return (c.id, c.condition, c.effects, c.tags, c.grade, c.against, c.force, c.reveals, c.target, c.is_timeout,
            tuple((o.weight, o.target, o.effects, o.condition) for o in c.outcomes))


def fingerprint(sc) -> tuple:
    """Everything that decides what happens and how it is graded, and nothing people read."""
    nodes = tuple((n.id, n.shows, n.toward, n.present, tuple(sorted(n.staging.items())), n.background,
                   (n.timer.seconds, _choice_shape(n.timer.expire)) if n.timer else None,
                   tuple(_choice_shape(c) for c in n.choices)) for n in sc.nodes)
    endings = tuple((e.id, e.outcome, e.background) for e in sc.endings)
    rules = tuple((r.id, tuple(sorted(r.tags)), tuple((k.when, k.escalation, k.rapport, k.why) for k in r.cases))
                  for r in sc.behaviour.rules)
    variables = tuple((v.name, v.initial, v.minimum, v.maximum) for v in sc.variables)
    graham = (sc.graham.offence_severity, bool(sc.graham.weapon), sc.graham.danger_to_others) if sc.graham else None
    return (sc.id, sc.start, nodes, endings, rules, variables, graham, json.dumps(_rules_of(dict(sc.scoring)),
            sort_keys=True, default=str), tuple(o.id for o in sc.objectives),
            sc.hidden_factor.kind if sc.hidden_factor else None)


def _rules_of(value):
    """A `scoring:` section without the words people read (a critical error's name and why)."""
    if isinstance(value, dict):
        return {k: _rules_of(v) for k, v in value.items() if k not in ("name", "why")}
    if isinstance(value, (list, tuple)):
        return [_rules_of(v) for v in value]
    return value


def _people_words(sc) -> str:
    return " ".join(c.name.get(sc.language, sc.language) for c in sc.characters.values()) + " " + " ".join(
        n.narrative.get(sc.language, sc.language) for n in sc.nodes)


def _without_variant(log: list[dict]) -> list[dict]:
    out = json.loads(json.dumps(log))
    out[0]["scenario"].pop("variant", None)
    return out


def test_a_bundled_scenario_declares_variants():
    assert WITH_VARIANTS, "the library has at least one scenario with documented variants (issue 12)"


@pytest.mark.parametrize("path", WITH_VARIANTS, ids=lambda p: p.stem)
def test_every_variant_has_the_same_graph_values_and_grades(path):
    base = load_or_raise(path, use_cache=False)
    assert base.variant == base.source_data["variants"]["default"]
    variants = [with_variant(base, v.id) for v in base.variants]
    assert len(variants) >= 2
    shapes = {fingerprint(v) for v in variants}
    assert len(shapes) == 1, "a variant changed the graph, a value or a grade"
    assert len({_people_words(v) for v in variants}) == len(variants), "each variant shows other people"
    for v in variants:  # nothing is left unfilled
        for node in v.nodes:
            for lang in v.languages:
                assert "{" not in node.narrative.get(lang, v.language).replace("{officer}", "")
    reports = [audit(v) for v in variants]
    rows = {tuple((r.policy, r.states, round(r.passed, 12), round(r.mean_score, 9)) for r in rep.policies)
            for rep in reports}
    assert len(rows) == 1, "the exact audit differs between variants"
    assert len({json.dumps(rep.deviations, sort_keys=True, default=str) for rep in reports}) == 1
    # the same play gives the same log (but for the variant it names) and the same grades
    ctx = context_for(variants[0])
    best = search_for(ctx, True).playthroughs(limit=1)[0]
    worst = search_for(ctx, False).playthroughs(limit=1)[0]
    for steps in (best.steps, worst.steps):
        logs = [record_log(v, steps) for v in variants]
        assert [log[0]["scenario"]["variant"] for log in logs] == [v.variant for v in variants]
        assert len({json.dumps(_without_variant(log), sort_keys=True) for log in logs}) == 1
        results = [grade(v, log) for v, log in zip(variants, logs)]
        numbers = {(r.result, r.overall, tuple((c["id"], c["score"]) for c in r.competencies),
                    tuple(e["id"] for e in r.critical_errors)) for r in results}
        assert len(numbers) == 1


@pytest.mark.parametrize("path", WITH_VARIANTS, ids=lambda p: p.stem)
def test_a_log_replays_only_on_its_own_variant(path):
    base = load_or_raise(path)
    other = with_variant(base, next(v.id for v in base.variants if v.id != base.variant))
    session = Session(other, seed=3)
    session.choose(session.available()[0].id, elapsed=2.0)
    with pytest.raises(ReplayMismatch, match="variant"):
        Session.replay(base, session.log)
    assert scenario_for_log(base, session.log).variant == other.variant
    Session.replay(scenario_for_log(base, session.log), session.log)


def test_counterbalancing_is_stable():
    ids = ["a", "b", "c"]
    assert [counterbalanced(ids, str(n)) for n in range(1, 8)] == ["a", "b", "c", "a", "b", "c", "a"]
    assert counterbalanced(ids, " 2 ") == "b"
    picked = counterbalanced(ids, "P-017")
    assert picked == counterbalanced(ids, "P-017") and picked in ids
    assert {counterbalanced(ids, f"site-{n}") for n in range(40)} == set(ids)  # every variant is used
    with pytest.raises(ValueError):
        counterbalanced([], "1")


# --- the loader's checks, on a variant of the minimal fixture -----------------------------------------
def _variant_fixture(tmp_path, mutate=None) -> Path:
    data = yaml.safe_load((FIXTURES / "minimal.yaml").read_text(encoding="utf-8"))
    data["characters"]["sam"]["name"] = "{first} {family}"
    data["nodes"]["first"]["narrative"] = "{first} stands by the car."
    data["nodes"]["second"]["narrative"] = "{first} looks at you, then at {officer}'s badge."
    data["variants"] = {
        "about": "Who the driver is. Chosen by the workshop; behaviour never changes.",
        "default": "sam",
        "list": [
            {"id": "sam", "label": "Sam Berg", "words": {"first": "Sam", "family": "Berg"}},
            {"id": "ana", "label": "Ana Ruiz", "words": {"first": "Ana", "family": "Ruiz"},
             "characters": {"sam": {"portrait": "portraits/ruth-lindqvist"}}},
        ],
    }
    if mutate:
        mutate(data)

    def signed(value):  # PyYAML reads `+1` as 1; effects must say whether they add or set
        if isinstance(value, dict):
            return {k: ({n: f"{e:+d}" if isinstance(e, int) else e for n, e in v.items()} if k == "effects"
                        else signed(v)) for k, v in value.items()}
        if isinstance(value, list):
            return [signed(v) for v in value]
        return value
    data = signed(data)
    path = tmp_path / "variants.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def test_the_fixture_variants_fill_names_and_portraits(tmp_path):
    sc = load_or_raise(_variant_fixture(tmp_path), use_cache=False)
    assert sc.characters["sam"].name.get("en", "en") == "Sam Berg"
    ana = with_variant(sc, "ana")
    assert ana.characters["sam"].name.get("en", "en") == "Ana Ruiz"
    assert ana.characters["sam"].portrait == "portraits/ruth-lindqvist"
    assert ana.nodes[0].narrative.get("en", "en") == "Ana stands by the car."
    assert fingerprint(ana) == fingerprint(sc)
    view = Session(ana, seed=1, officer="Officer Diaz").view()
    assert view.narrative == "Ana stands by the car."
    with pytest.raises(KeyError):
        with_variant(sc, "nobody")


@pytest.mark.parametrize("mutate, code", [
    (lambda d: d["nodes"]["third"].update(narrative="{frist} is tense."), "unknown-placeholder"),
    (lambda d: d["variants"]["list"][1]["words"].pop("family"), "variant-words"),
    (lambda d: d["variants"].update(default="bob"), "unknown-variant"),
    (lambda d: d["variants"]["list"][1].update(characters={"samm": {"name": "X"}}), "unknown-character"),
    (lambda d: d["variants"]["list"][1].update(id="sam"), "duplicate-id"),
    (lambda d: d["variants"]["list"][1].update(characters={"sam": {"portrait": "portraits/nobody"}}), "missing-asset"),
])
def test_broken_variants_are_refused_with_a_position(tmp_path, mutate, code):
    result = load_scenario(_variant_fixture(tmp_path, mutate), use_cache=False)
    errors = [d for d in result.diagnostics if d.severity == "error"]
    assert result.scenario is None and code in {d.code for d in errors}, [d.format() for d in errors]
    assert all(d.line > 0 for d in errors if d.code == code)


def test_a_stray_placeholder_without_variants_is_an_error(tmp_path):
    def mutate(d):
        del d["variants"]
        d["characters"]["sam"]["name"] = "Sam"
        d["nodes"]["first"]["narrative"] = "{first} stands by the car."
    result = load_scenario(_variant_fixture(tmp_path, mutate), use_cache=False)
    assert "unknown-placeholder" in {d.code for d in result.diagnostics}


def _parley(*args, stdin=""):
    env = dict(os.environ, PYTHONPATH=str(ROOT), PARLEY_LANG="en")
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=120)


def test_the_command_line_plays_a_chosen_or_counterbalanced_variant(tmp_path):
    path = _variant_fixture(tmp_path)
    played = _parley("play", str(path), "--text", "--variant", "ana", "--authored-order", "--seed", "1", stdin="1\n")
    assert "Ana stands by the car." in played.stdout, played.stderr
    second = _parley("play", str(path), "--text", "--participant", "2", "--authored-order", "--seed", "1", stdin="1\n")
    assert "Ana stands by the car." in second.stdout, second.stderr
    first = _parley("play", str(path), "--text", "--participant", "1", "--authored-order", "--seed", "1", stdin="1\n")
    assert "Sam stands by the car." in first.stdout, first.stderr
    refused = _parley("play", str(path), "--text", "--variant", "bob")
    assert refused.returncode == 2 and "no variant 'bob'" in refused.stderr and "ana" in refused.stderr
    both = _parley("play", str(path), "--text", "--variant", "ana", "--participant", "1")
    assert both.returncode == 2
