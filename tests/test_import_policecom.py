"""`import_policecom`: POL-COM JSON becomes Parley YAML that validates, plays to its ending from every
reachable state, credits POL-COM under CC BY 4.0, and turns garbage into diagnostics, never a traceback."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from simulator.content.importers.policecom import ATTRIBUTION, LICENCE_URL, TYPE_MAP, import_policecom
from simulator.content.loader import load_scenario_bytes
from simulator.engine.session import Session, SessionOptions

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT / "tests" / "fixtures" / "policecom-upstream"  # two real POL-COM files, unchanged, CC BY 4.0
FIXTURES = Path(__file__).parent / "fixtures" / "policecom"
REAL = ["scenario-1-en.json", "scenario-road-rage-en.json"]

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"POL-COM sample files not found at {SHARED}")


def _imported(path: Path):
    result = import_policecom(path)
    assert result.text is not None and not result.has_errors, "\n".join(d.format() for d in result.diagnostics)
    return result, yaml.safe_load(result.text)


def _loaded(result):
    loaded = load_scenario_bytes(result.text.encode("utf-8"), result.suggested_name)
    assert loaded.errors == [], "\n".join(d.format() for d in loaded.errors)
    return loaded


def _codes(result) -> list[str]:
    return [d.code for d in result.diagnostics]


# --- the two real POL-COM files ---------------------------------------------------------------------

@needs_shared
@pytest.mark.parametrize("name", REAL)
def test_real_file_validates_with_no_errors(name):
    result, data = _imported(SHARED / name)
    loaded = _loaded(result)
    assert loaded.scenario is not None
    assert result.text.startswith("# yaml-language-server: $schema=./scenario.schema.json\n")
    source = json.loads((SHARED / name).read_text(encoding="utf-8"))
    interactive = [s for s in source["stages"] if s.get("options")]
    assert list(data["nodes"]) == [f"stage-{i + 1}" for i in range(len(interactive))]
    assert list(data["endings"]) == ["end"]
    # every option is imported, in order, with its text and feedback, graded by the table
    for i, stage in enumerate(interactive):
        node = data["nodes"][f"stage-{i + 1}"]
        assert node["label"] == stage["title"]
        assert node["narrative"] == "\n\n".join([stage["sceneUpdate"]["title"], stage["sceneUpdate"]["desc"],
                                                 stage["prompt"]])
        assert [c["text"] for c in node["choices"]] == [o["text"] for o in stage["options"]]
        assert [c["feedback"] for c in node["choices"]] == [o["feedback"] for o in stage["options"]]
        assert [c["grade"] for c in node["choices"]] == [TYPE_MAP[o["type"]].grade for o in stage["options"]]
        assert [len(c["outcomes"]) for c in node["choices"]] == [1] * 4  # all have "| CONSEQUENCES: |"
    assert data["learning_objectives"] == [{"id": f"key-lesson-{i + 1}", "text": t, "reveal": "after-play"}
                                           for i, t in enumerate(source["finalMessage"]["keyLessons"])]
    assert data["endings"]["end"]["perspective"] == source["finalMessage"]["revelation"]
    assert data["dispatch"] == source["instructor"]["introduction"]
    assert data["summary"] == source["description"]
    for code in ("policecom-against-placeholder", "policecom-no-shows", "policecom-subject-guessed",
                 "policecom-ending-outcome", "policecom-initial-state", "policecom-no-content-notes",
                 "policecom-objectives-from-lessons"):
        assert code in _codes(result), code


@needs_shared
def test_scenario_1_maps_exactly():
    result, data = _imported(SHARED / "scenario-1-en.json")
    assert result.suggested_name == "policecom-1.yaml"
    assert (data["id"], data["title"], data["minutes"], data["language"], data["languages"]) == (
        "policecom-1", "Traffic Stop De-escalation", 15, "en", ["en"])  # "12-18" -> 15
    assert data["characters"] == {
        "davies": {"name": "Mr. Richard Davies (driver, 47)", "role": "subject"},
        "marcus": {"name": "Marcus Davies (son, 15)", "role": "bystander"},
        "neighbor": {"name": "Helen Marsh (neighbor, 63)", "role": "bystander"},
    }
    assert data["state"] == {"escalation": 1, "rapport": 0}
    assert data["content_notes"] == [] and data["reviewers"] == [] and data["topics"] == []
    stop = data["nodes"]["stage-1"]
    assert stop["lines"] == [{"speaker": "dispatch", "text": stop["lines"][0]["text"]}]
    assert stop["lines"][0]["text"].startswith("Unit 14, plate comes back to a Richard Davies")
    positive, neutral, negative, partial = stop["choices"]
    assert positive["id"] == "stage-1-1" and positive["grade"] == "good"
    assert positive["effects"] == {"escalation": "-1", "rapport": "+1"} and "against" not in positive
    assert positive["outcomes"] == [{"weight": 1, "next": "stage-2", "text": (
        "Mr. Davies grips the wheel but his shoulders drop slightly at your tone. He doesn't answer immediately — "
        "he's processing that your voice isn't hostile. Marcus lowers his phone a fraction. You've created a "
        "three-second window of possibility.")}]
    assert neutral["grade"] == "mistake" and "effects" not in neutral and neutral["against"] == ["procedural-justice"]
    assert neutral["outcomes"][0]["next"] == "stage-1"  # POL-COM's retry
    assert negative["grade"] == "mistake" and negative["effects"] == {"escalation": "+1", "rapport": "-1"}
    assert negative["outcomes"][0]["next"] == "stage-1"
    assert partial["grade"] == "acceptable" and partial["effects"] == {"escalation": "-1"}
    assert partial["outcomes"][0]["next"] == "stage-2"
    last = data["nodes"]["stage-7"]["choices"]
    assert {c["outcomes"][0]["next"] for c in last if c["grade"] in ("good", "acceptable")} == {"end"}
    end = data["endings"]["end"]
    assert (end["outcome"], end["title"]) == ("resolved", "Debrief")
    assert end["text"] == "Back at the station. Sergeant Williams reviews your performance in this traffic stop scenario."
    assert end["debrief"].startswith("Sgt. Williams: That was a layered stop, Officer.")
    assert "\n\nYou (Officer): The hardest part was when Mr. Davies broke down." in end["debrief"]
    subject = next(d for d in result.diagnostics if d.code == "policecom-subject-guessed")
    assert (subject.line, subject.column) == (91, 34)  # where "davies" first speaks


@needs_shared
def test_road_rage_maps_exactly():
    result, data = _imported(SHARED / "scenario-road-rage-en.json")
    assert data["id"] == "policecom-road-rage"
    assert data["minutes"] == 13  # no "duration": POL-COM's default "10-15"
    assert "policecom-no-duration" in _codes(result)
    assert data["characters"]["aggressive-driver"] == {"name": "Mr. Cooper (driver, 35)", "role": "subject"}
    assert data["characters"]["mother"]["role"] == "bystander"
    assert "trainer" not in data["characters"] and "officer" not in data["characters"]
    # the debrief stage has no "finalScene" flag: it ends the scenario because it has no options, as in POL-COM
    assert data["endings"]["end"]["title"] == "Debrief and Reveal"
    first = data["nodes"]["stage-1"]["choices"]
    assert [c["grade"] for c in first] == ["mistake", "good", "acceptable", "mistake"]


@needs_shared
@pytest.mark.parametrize("name", REAL)
def test_attribution_is_complete(name):
    """CC BY 4.0: credit, licence name, licence link, and an indication of changes."""
    result, data = _imported(SHARED / name)
    first, second = data["authors"]
    assert first["name"] == "POL-COM project (Erasmus+ 2023-1-CZ01-KA220-VET-000167148)"
    assert "CC BY 4.0" in first["role"] and LICENCE_URL in first["role"] and name in first["role"]
    assert "https://github.com/policecom/police-deescalation-training" in first["role"]
    assert second["role"].startswith("Changes were made:")
    header = result.text.split("\nformat: 1\n")[0]
    assert ATTRIBUTION in header and LICENCE_URL in header and "Changes were made" in header


def _explore(scenario):
    """Every state reachable by any choice sequence, found by playing real Sessions: each state is
    reached by replaying the choices that found it, then every available choice is taken. Returns
    the edges between states and the ended states."""
    def play(path):
        s = Session(scenario, seed=1, options=SessionOptions(shuffle=False))
        for choice_id in path:
            s.choose(choice_id, elapsed=1.0)
        return s

    key = lambda s: (s.state.at, s.state.values)  # noqa: E731
    start = play(())
    paths, edges, ended = {key(start): ()}, {}, set()
    frontier = [key(start)]
    while frontier:
        here = frontier.pop()
        session = play(paths[here])
        if session.ended:
            ended.add(here)
            continue
        assert session.available(), f"no choice at {here}"
        edges[here] = set()
        for choice in session.available():
            after = play(paths[here] + (choice.id,))
            edges[here].add(key(after))
            if key(after) not in paths:
                paths[key(after)] = paths[here] + (choice.id,)
                frontier.append(key(after))
    return paths, edges, ended


@needs_shared
@pytest.mark.parametrize("name", REAL)
def test_plays_to_an_ending_from_every_reachable_state(name):
    """Retries make the choice sequences infinite, so the exhaustive check is over states: from every
    state any sequence of choices reaches, the ending can still be reached (no trap, no dead end),
    and every sequence of advancing choices (2 per stage, all 2^7) ends after exactly 7 decisions."""
    result, _data = _imported(SHARED / name)
    scenario = _loaded(result).scenario
    paths, edges, ended = _explore(scenario)
    assert ended and len(paths) > 50
    can_end = set(ended)
    changed = True
    while changed:
        changed = False
        for here, after in edges.items():
            if here not in can_end and after & can_end:
                can_end.add(here)
                changed = True
    assert can_end == set(paths)
    end_index = len(scenario.nodes)  # endings come after the nodes
    assert {at for at, _values in ended} == {end_index}

    def advancing(session):
        return [c.id for c in session.available() if c.grade in ("good", "acceptable")]

    sequences = [()]
    for _stage in range(7):
        grown = []
        for seq in sequences:
            s = Session(scenario, seed=1)
            for cid in seq:
                s.choose(cid)
            grown += [seq + (cid,) for cid in advancing(s)]
        sequences = grown
    assert len(sequences) == 2 ** 7
    for seq in sequences:
        s = Session(scenario, seed=2)
        for cid in seq:
            s.choose(cid, elapsed=3.0)
        assert s.ended


def test_small_fixture_maps_exactly():
    result, data = _imported(FIXTURES / "minimal.json")
    loaded = _loaded(result)
    assert loaded.scenario is not None
    assert data["id"] == "policecom-corner-shop" and data["minutes"] == 10  # "8-11" -> 9.5 -> 10
    assert data["language"] == "und"  # no "lang" and no "-en.json": undetermined, with a warning
    assert data["characters"] == {"customer": {"name": "The customer", "role": "subject"},
                                  "shop-owner": {"name": "Ms. Owner", "role": "bystander"}}
    arrival = data["nodes"]["stage-1"]
    assert arrival["narrative"] == "Shop, noon\n\nA man argues at the till.\n\nWhat do you do?"
    assert arrival["lines"] == [{"speaker": "dispatch", "text": "Unit 3, shop on Elm."},
                                {"speaker": "shop-owner", "text": "He won't pay!"},
                                {"speaker": "customer", "text": "I paid [twice]!"},
                                {"speaker": "customer", "text": "Leave me alone."},
                                {"speaker": "you", "text": "Hello."}]
    good, partial, neutral, negative = arrival["choices"]
    assert good["outcomes"] == [{"weight": 1, "next": "stage-2", "text": "He explains."}]
    assert partial["next"] == "stage-2" and "outcomes" not in partial  # no "| ... |" structure: no reaction
    assert neutral["outcomes"] == [{"weight": 1, "next": "stage-1", "text": "Nothing changes."}]
    assert negative["outcomes"][0]["text"] == "He shouts."  # the label is removed in any language
    assert data["nodes"]["stage-2"]["choices"][0]["next"] == "end"
    assert data["endings"]["end"] == {
        "outcome": "resolved", "title": "Debrief", "text": "Back at the station.",
        "debrief": "Sgt. Test: How did it go?\n\nYou (Officer): He had lost his wallet.",
        "perspective": "The customer had lost his wallet."}
    by_code = {d.code: d for d in result.diagnostics}
    assert (by_code["policecom-braces"].line, by_code["policecom-braces"].column) == (19, 43)
    assert (by_code["policecom-unusual-points"].line, by_code["policecom-unusual-points"].column) == (28, 133)
    assert all(d.severity == "warning" for d in result.diagnostics)


def test_small_fixture_plays_every_state_to_the_ending():
    result, _data = _imported(FIXTURES / "minimal.json")
    scenario = _loaded(result).scenario
    paths, edges, ended = _explore(scenario)
    assert ended and set(edges) | ended == set(paths)
    # the shortest way through is two advancing decisions; a retry keeps the stage
    s = Session(scenario, seed=3, options=SessionOptions(shuffle=False))
    s.choose("stage-1-3")
    assert s.scenario.nodes[s.state.at].id == "stage-1"
    s.choose("stage-1-1")
    s.choose("stage-2-2")
    assert s.ended


# --- garbage in, diagnostics out --------------------------------------------------------------------

@pytest.mark.parametrize("name, code, position", [
    ("bad-syntax.json", "policecom-bad-json", (4, 14)),
    ("not-an-object.json", "policecom-not-a-scenario", (1, 1)),
    ("wrong-types.json", "policecom-bad-type", (2, 12)),
    ("bad-options.json", "policecom-unknown-type", (10, 53)),
    ("stuck.json", "policecom-no-way-forward", (8, 18)),
    ("no-ending.json", "policecom-no-ending", (4, 5)),
    ("not-numbers.json", "policecom-not-a-number", (8, 83)),
])
def test_broken_files_give_positioned_errors(name, code, position):
    result = import_policecom(FIXTURES / name)
    assert result.text is None and result.has_errors
    found = [d for d in result.diagnostics if d.code == code]
    assert found and (found[0].line, found[0].column) == position, [d.format() for d in result.diagnostics]
    assert found[0].severity == "error" and found[0].hint


def test_every_problem_is_reported_at_once():
    result = import_policecom(FIXTURES / "bad-options.json")
    got = [(d.line, d.column, d.code) for d in result.diagnostics if d.severity == "error"]
    assert got == [(10, 53, "policecom-unknown-type"), (11, 18, "policecom-bad-type"), (12, 9, "policecom-bad-type")]
    unknown = next(d for d in result.diagnostics if d.code == "policecom-unknown-type")
    assert unknown.hint == 'did you mean "positive"?'
    typo = next(d for d in result.diagnostics if d.code == "policecom-unknown-key")
    assert (typo.line, typo.column, typo.hint) == (8, 18, 'did you mean "options"?')
    dup = next(d for d in import_policecom(FIXTURES / "not-numbers.json").diagnostics
               if d.code == "policecom-duplicate-key")
    assert (dup.line, dup.column) == (12, 3)


def test_stages_after_the_debrief_and_odd_points_are_warnings():
    result, data = _imported(FIXTURES / "after-ending.json")
    _loaded(result)
    assert list(data["nodes"]) == ["stage-1"]
    codes = _codes(result)
    assert "policecom-after-ending" in codes and codes.count("policecom-bad-type") == 2
    assert {d.severity for d in result.diagnostics} == {"warning"}


def _write(tmp_path: Path, text: str | bytes, name: str = "x-en.json") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_untrusted_files_never_raise(tmp_path):
    huge = tmp_path / "huge-en.json"
    with open(huge, "wb") as f:
        f.truncate(5 * 1024 * 1024 + 10)
    many = json.dumps({"title": "Many", "characters": {}, "stages": [{"options": []}] * 5001})
    long_text = json.dumps({"title": "T", "stages": [
        {"sceneUpdate": {"desc": "x" * 10_001}, "options": [{"text": "a", "type": "positive"}],
         "npcDialogue": [{"character": "p", "text": "hi"}]}, {"title": "End"}]})
    cases = {
        "not-utf8": (_write(tmp_path, b'{"title": "\xff"}', "a.json"), "policecom-not-utf8", (1, 12)),
        "deep": (_write(tmp_path, "[" * 100_000 + "]" * 100_000, "b.json"), "policecom-too-deep", (0, 0)),
        "huge": (huge, "too-large", (0, 0)),
        "folder": (tmp_path, "not-a-file", (0, 0)),
        "missing": (tmp_path / "nope.json", "unreadable", (0, 0)),
        "many-stages": (_write(tmp_path, many, "c.json"), "policecom-too-many", (1, many.index("[") + 1)),
        "empty": (_write(tmp_path, "", "d.json"), "policecom-bad-json", (1, 1)),
        "long-text": (_write(tmp_path, long_text, "e.json"), "policecom-text-too-long",
                      (1, long_text.index('"xxx') + 1)),
    }
    for label, (path, code, position) in cases.items():
        result = import_policecom(path)
        assert result.text is None, label
        found = [d for d in result.diagnostics if d.code == code]
        assert found and (found[0].line, found[0].column) == position, (label, [d.format() for d in result.diagnostics])


_json = st.recursive(st.none() | st.booleans() | st.integers(-20, 20) | st.text(max_size=12),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                     max_leaves=8)


@hsettings(max_examples=60)
@given(where=st.lists(st.sampled_from(["title", "stages", "characters", "finalMessage", "duration", "id",
                                        "0", "1", "2", "options", "npcDialogue", "sceneUpdate", "type", "text",
                                        "dialogueSequence", "character", "desc", "keyLessons", "points"]),
                      min_size=1, max_size=4),
       value=_json)
def test_a_damaged_file_gives_diagnostics_or_a_valid_scenario(tmp_path_factory, where, value):
    """Replace any part of a good file with any JSON: the importer never raises, and whenever it says
    "no errors" the loader agrees."""
    data = json.loads((FIXTURES / "minimal.json").read_text(encoding="utf-8"))
    node = data
    for step in where[:-1]:
        key = int(step) if step.isdigit() and isinstance(node, list) else step
        if isinstance(node, list) and isinstance(key, int) and key < len(node):
            node = node[key]
        elif isinstance(node, dict) and key in node:
            node = node[key]
    last = where[-1]
    if isinstance(node, list) and last.isdigit() and int(last) < len(node):
        node[int(last)] = value
    elif isinstance(node, dict):
        node[last] = value
    path = tmp_path_factory.mktemp("fuzz") / "fuzz-en.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = import_policecom(path)
    if result.has_errors:
        assert result.text is None
    else:
        assert result.text is not None
        _loaded(result)


def test_fixture_folder_holds_only_small_files():
    assert all(os.path.getsize(p) < 10_000 for p in FIXTURES.iterdir())


def test_odd_text_survives_exactly_and_cannot_escape_the_header(tmp_path):
    """Texts YAML could misread (yes, 010, 1e3, other line breaks) come back exactly from the
    loader, and a title with line breaks cannot add keys through the header comment."""
    data = json.loads((FIXTURES / "minimal.json").read_text(encoding="utf-8"))
    data["title"] = "Title\nid: injected\u2028x"
    odd = ["yes", "010", "1e3", "a\u2028b\x85c", "x\r\ny"]
    data["stages"][1]["options"].append({"text": "", "type": "negative", "points": -8})
    for option, text in zip(data["stages"][1]["options"], odd, strict=True):
        option["text"] = text
    result, imported = _imported(_write(tmp_path, json.dumps(data)))
    scenario = _loaded(result).scenario
    assert imported["id"] == "policecom-corner-shop" and imported["title"] == data["title"]
    assert [c["text"] for c in imported["nodes"]["stage-2"]["choices"]][:5] == odd
    assert [c.text.values[scenario.language] for c in scenario.nodes[1].choices][:5] == odd
