"""The Twee 3 importer: exact conversions, positioned problems, safe YAML, and the loader's to-do list."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.content.importers.twee import import_twee
from simulator.content.loader import load_scenario_bytes
from simulator.content.schema import SCHEMA_PATH

FIXTURES = Path(__file__).parent / "fixtures" / "twee"
# What Twee never holds: the loader must ask the author for exactly these top-level keys.
AUTHOR_MUST_ADD = {"version", "summary", "audience", "minutes", "topics", "language", "languages",
                   "learning_objectives", "content_notes", "authors", "reviewers", "characters", "state"}


def convert(name: str):
    result = import_twee(FIXTURES / name)
    assert result.text is not None
    return result, yaml.safe_load(result.text)


def where(result, severity=None):
    return [(d.line, d.column, d.code) for d in result.diagnostics if severity in (None, d.severity)]


def choices(data, node):
    return [(c["id"], c.get("text"), c["next"]) for c in data["nodes"][node]["choices"]]


def write(tmp_path: Path, text: str | bytes, name: str = "story.twee") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def test_all_four_link_forms_and_escaped_names():
    result, data = convert("links.twee")
    assert result.text.splitlines()[0] == f"# yaml-language-server: $schema={SCHEMA_PATH.resolve().as_uri()}"
    assert result.suggested_name == "welfare-check-on-birch-street.yaml"
    assert data["format"] == 1 and data["id"] == "welfare-check-on-birch-street"
    assert data["title"] == "Welfare check on Birch Street"
    assert data["start"] == "at-the-door"
    assert choices(data, "at-the-door") == [
        ("at-the-door-wait", "Wait", "wait"),                                     # [[P]]
        ("at-the-door-window-north", "Call out through the window", "window-north"),  # [[t|P]], P has \{ \}
        ("at-the-door-back-side", "Walk around to the back", "back-side"),        # [[t->P]], P has \\
        ("at-the-door-side-gate", "Check the side gate", "side-gate"),            # [[P<-t]]
        ("at-the-door-knock-1", "knock and say who you are", "knock-1"),          # <<link>> to "Knock [1]"
    ]
    # Links alone on their lines leave the narrative; the link macro inside a sentence keeps its words.
    assert data["nodes"]["at-the-door"]["narrative"] == (
        "A neighbour called about an older man who has not collected his mail in a week.\n"
        "The porch light is on. Through the window you see a figure in an armchair.\n\n"
        "You could also knock and say who you are.")
    assert set(data["endings"]) == {"knock-1", "window-north", "back-side", "side-gate", "wait"}
    assert data["endings"]["back-side"] == {"text": "The back door is locked. A cat watches you from the step."}
    # Names and tags (an escaped space in `scene\ outside` included) stay as hints for the author.
    assert '  # Twine passage “Knock [1]” (line 24), tags: scene' in result.text
    assert '  # Twine passage “Back\\Side” (line 30)' in result.text
    assert '  # Twine passage “Side gate” (line 33), tags: scene outside' in result.text
    assert where(result) == [(22, 16, "twee-macro-link")]


def test_sugarcube_macros_become_choices_or_warnings_at_their_lines():
    result, data = convert("sugarcube.twee")
    assert data["nodes"]["arrival"]["narrative"] == (
        "Music spills from the open garage. A woman in a paint-stained apron turns the volume down when"
        " she sees your car.\nShe waves you over.\nShe folds her arms.\n\n\"Is this about the noise?\" asks .")
    assert choices(data, "arrival") == [
        ("arrival-party", "Ask what the party is for", "party"),       # <<link "t" "P">>
        ("arrival-demand", "Tell her the music has to stop", "demand"),  # <<link "t">><<goto "P">>
        ("arrival-party-2", "Explain the complaint", "party"),         # [[t|P][setter]]
    ]
    assert choices(data, "party") == [("party-calm", "Calm", "calm")]  # <<if>><<goto>><</if>>
    assert set(data["endings"]) == {"demand", "calm"}
    assert "storyinit" not in data["nodes"] and "storyinit" not in data["endings"]
    assert where(result) == [
        (7, 1, "twee-special-passage"),
        (13, 1, "twee-macro-dropped"),
        (14, 1, "twee-condition-dropped"),
        (19, 33, "twee-variable-dropped"),
        (20, 1, "twee-macro-link"),
        (21, 1, "twee-macro-link"),
        (22, 1, "twee-setter-dropped"),
        (26, 1, "twee-condition-dropped"),
        (26, 21, "twee-macro-link"),
        (26, 21, "twee-condition-dropped"),  # the <<goto>> was conditional: the author is told
    ]
    assert not result.has_errors
    for leaked in ("<<", ">>", "$", "[[", "]]"):
        assert leaked not in data["nodes"]["arrival"]["narrative"]


def test_harlowe_hooks_and_link_macros():
    result, data = convert("harlowe.twee")
    assert data["nodes"]["shelter"]["narrative"] == (
        "A young man sits in the bus shelter, hood up, rocking slightly.\n"
        "He looks up at you. / He does not look up.\n"  # both branches kept, marked as alternatives
        "Rain drums on the roof.\n"
        "Your partner waits by the car.")
    assert choices(data, "shelter") == [
        ("shelter-bench", "Sit down at the other end of the bench", "bench"),  # (link-goto: t, P)
        ("shelter-bus", "Ask if he is waiting for the last bus", "bus"),      # (link: t)[(go-to: P)]
    ]
    assert choices(data, "bench") == [("bench-bus", "Bus", "bus")]  # (link-goto: P)
    assert data["endings"] == {"bus": {"text": "\"It stopped running at eleven,\" he says quietly."}}
    assert where(result) == [
        (8, 1, "twee-macro-dropped"), (9, 1, "twee-condition-dropped"), (9, 37, "twee-condition-dropped"),
        (11, 1, "twee-markup-removed"), (12, 1, "twee-macro-link"), (13, 1, "twee-macro-link"),
        (17, 1, "twee-macro-link"),
    ]
    messages = [d.message for d in result.diagnostics]
    assert any("(link-goto:)" in m for m in messages)  # named as the author wrote it


def test_broken_links_are_errors_with_positions_all_at_once():
    result, data = convert("broken.twee")  # CRLF line ends, no StoryTitle, no StoryData
    errors = [d for d in result.diagnostics if d.severity == "error"]
    assert [(d.line, d.column, d.code) for d in errors] == [(6, 1, "twee-missing-passage"),
                                                             (10, 1, "twee-missing-passage")]
    assert "Backup" in errors[0].message and "Tene" in errors[1].message
    assert errors[1].hint == "did you mean “Teen”?"
    assert where(result, "warning") == [(0, 0, "twee-no-format"), (3, 1, "twee-html-dropped"),
                                        (15, 1, "twee-special-passage"), (18, 1, "twee-special-passage")]
    assert data["start"] == "start"  # Twine's default start passage
    assert data["id"] == "broken" and "title" not in data
    assert choices(data, "owner") == [("owner-tene", "Talk to the teenager", "tene")]
    assert "alert" not in data["nodes"]["start"]["narrative"]
    assert "\r" not in result.text
    # The loader names the same broken targets in the YAML, so the author sees them either way.
    loaded = load_scenario_bytes(result.text.encode("utf-8"), "out.yaml")
    assert {d.code for d in loaded.errors} >= {"unknown-next"}


@pytest.mark.parametrize("fixture", ["links.twee", "sugarcube.twee", "harlowe.twee"])
def test_loader_lists_only_what_the_author_must_add(fixture):
    result, data = convert(fixture)
    loaded = load_scenario_bytes(result.text.encode("utf-8"), "out.yaml")
    assert loaded.scenario is None
    missing = [d for d in loaded.errors if d.code == "missing-key"]
    top = {re.search(r"'(\w+)'", d.message).group(1) for d in missing if d.message.startswith("the top level")}
    assert top == AUTHOR_MUST_ADD
    endings = {(m.group(1), m.group(2)) for d in missing
               if (m := re.match(r"endings\.([\w-]+) is missing the required key '(\w+)'", d.message))}
    assert endings == {(e, key) for e in data["endings"] for key in ("outcome", "title", "debrief")}
    ungraded = [d for d in loaded.errors if d.code == "ungraded"]
    assert len(ungraded) == sum(len(n["choices"]) for n in data["nodes"].values())
    assert {d.code for d in loaded.errors} == {"missing-key", "ungraded"}
    assert len(missing) == len(top) + len(endings)
    assert {d.code for d in loaded.warnings} <= {"no-hidden-factor", "no-label", "no-shows", "no-feedback"}


def test_nested_sugarcube_if_keeps_every_branch_and_warns_for_each_link(tmp_path):
    path = write(tmp_path, """:: StoryData
{"format": "SugarCube", "start": "A"}
:: A
<<if $x>>
  <<if $y>>Inner yes.<<elseif $z>>Inner maybe.<<else>>Inner no.<</if>>
  [[Go->B]]
<<else>>
  Outer no.
<</if>>
:: B
Done.
""")
    result = import_twee(path)
    data = yaml.safe_load(result.text)
    assert data["nodes"]["a"]["narrative"] == "Inner yes. / Inner maybe. / Inner no.\n  Outer no."
    assert choices(data, "a") == [("a-b", "Go", "b")]
    assert where(result) == [(4, 1, "twee-condition-dropped"), (5, 3, "twee-condition-dropped"),
                             (6, 3, "twee-condition-dropped")]
    assert "inside <<if>> at line 4" in result.diagnostics[-1].message


def test_unclosed_and_stray_sugarcube_closers_are_reported(tmp_path):
    path = write(tmp_path, ':: StoryData\n{"format": "SugarCube"}\n:: Start\nA <</if>> B\n<<nobr>>C\n')
    result = import_twee(path)
    data = yaml.safe_load(result.text)
    assert data["endings"]["start"]["text"] == "A  B\nC"
    assert ("twee-macro-dropped" in {d.code for d in result.diagnostics}
            and (5, 1, "twee-unclosed-macro") in where(result))


def test_missing_start(tmp_path):
    result = import_twee(write(tmp_path, ":: First\nHello [[Next]]\n:: Next\nBye\n"))
    assert [(d.code, d.line) for d in result.diagnostics if d.severity == "error"] == [("twee-no-start", 0)]
    result = import_twee(write(tmp_path, ':: StoryData\n{"start": "Nope"}\n:: Start\nHi\n'))
    assert [(d.code, d.line) for d in result.diagnostics if d.severity == "error"] == [("twee-missing-start", 2)]


def test_bad_story_data_and_metadata_are_warnings(tmp_path):
    result = import_twee(write(tmp_path, ":: StoryData\n{not json\n:: Start [a] {oops}\nHi\n"))
    assert ("twee-bad-storydata" in {d.code for d in result.diagnostics}
            and (3, 1, "twee-bad-metadata") in where(result))
    assert yaml.safe_load(result.text)["endings"] == {"start": {"text": "Hi"}}


def test_ids_are_unique_valid_and_stable(tmp_path):
    path = write(tmp_path, ":: Start\n[[Go Home]] [[go home]] [[Начало]] [[1st]] [[" + "x" * 80 + "]]\n"
                           ":: Go Home\na\n:: go home\nb\n:: Начало\nc\n:: 1st\nd\n:: " + "x" * 80 + "\ne\n")
    data = yaml.safe_load(import_twee(path).text)
    ids = list(data["endings"])
    assert ids[:2] == ["go-home", "go-home-2"] and ids[3] == "p-1st"
    assert re.fullmatch(r"passage-[0-9a-f]{8}", ids[2])
    assert ids == list(yaml.safe_load(import_twee(path).text)["endings"])  # same file, same ids
    for node_id in ids + [c["id"] for c in data["nodes"]["start"]["choices"]]:
        assert re.fullmatch(r"[a-z][a-z0-9_-]{0,63}", node_id)
    assert len({c["id"] for c in data["nodes"]["start"]["choices"]}) == 5


@pytest.mark.parametrize("raw, code", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "twee-not-text"),
    ("::Start\nhi".encode("utf-16"), "twee-not-text"),
    (b":: Start\nna\xefve \xff\n", "twee-encoding"),
    (b"", "twee-no-passages"),
    (b"just some prose\nwith no header\n", "twee-no-passages"),
])
def test_garbage_gives_a_diagnostic_not_a_traceback(tmp_path, raw, code):
    result = import_twee(write(tmp_path, raw))
    assert result.text is None and [d.code for d in result.diagnostics] == [code]


def test_bad_utf8_is_positioned(tmp_path):
    result = import_twee(write(tmp_path, b":: Start\nna\xc3\xafve \xff\n"))
    assert where(result) == [(2, 7, "twee-encoding")]


def test_bom_crlf_and_unreadable_paths(tmp_path):
    result = import_twee(write(tmp_path, b"\xef\xbb\xbf:: Start\r\nHello\r\n"))
    assert yaml.safe_load(result.text)["endings"] == {"start": {"text": "Hello"}}
    assert [d.code for d in import_twee(tmp_path).diagnostics] == ["not-a-file"]
    assert [d.code for d in import_twee(tmp_path / "none.twee").diagnostics] == ["unreadable"]
    big = write(tmp_path, b":: Start\n" + b"a" * (5 * 1024 * 1024 + 1), "big.twee")
    assert [d.code for d in import_twee(big).diagnostics] == ["too-large"]


def test_long_passage_is_cut_with_an_error(tmp_path):
    result = import_twee(write(tmp_path, ":: Start\n" + "word " * 3000 + "\n"))
    assert where(result, "error") == [(2, 1, "twee-text-too-long")]
    assert len(yaml.safe_load(result.text)["endings"]["start"]["text"]) == 10_000


@pytest.mark.parametrize("body", [
    "<<if 1>>" * 5000 + "x", "[" * 20000 + "x" + "]" * 20000, "(if: 1)[" * 5000 + "x", "/*" * 20000,
    "<<a" * 20000, "(a:" * 20000, "<script>" * 5000, "[[" * 20000, "$" * 20000, "<" * 20000,
])
def test_pathological_nesting_is_fast_and_safe(tmp_path, body):
    result = import_twee(write(tmp_path, ':: StoryData\n{"format": "x"}\n:: Start\n' + body + "\n"))
    assert result.text is not None
    assert "twee-internal-error" not in {d.code for d in result.diagnostics}
    yaml.safe_load(result.text)


# --- properties -----------------------------------------------------------------------------------

# Prose without any Twee, SugarCube or Harlowe metacharacter: it must come back exactly.
_PROSE = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"),
                               blacklist_characters="[]<>$(){}|/'~^_=*:\\%!-"), min_size=1, max_size=200)


def _clean(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(narrative=_PROSE, choice_text=_PROSE, ending=_PROSE)
def test_text_round_trips_exactly(tmp_path, narrative, choice_text, ending):
    narrative = _clean(narrative.replace("\r", " "))
    choice_text, ending = choice_text.replace("\r", " ").strip(), _clean(ending.replace("\r", " "))
    if "\n" in choice_text or not choice_text or not narrative or not ending:
        return
    result = import_twee(write(tmp_path, f":: Start\n{narrative}\n[[{choice_text}->End]]\n:: End\n{ending}\n"))
    data = yaml.safe_load(result.text)
    assert data["nodes"]["start"]["narrative"] == re.sub(r"\n{3,}", "\n\n", narrative)
    assert data["nodes"]["start"]["choices"][0]["text"] == choice_text
    assert data["endings"]["end"]["text"] == re.sub(r"\n{3,}", "\n\n", ending)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300), name=st.text(max_size=40).filter(lambda s: "\n" not in s and "\r" not in s))
def test_any_passage_text_cannot_inject_yaml(tmp_path, text, name):
    """Whatever a passage holds, the output parses to exactly the structure the importer meant, and
    the loader reads it without a YAML-level error (only missing-content errors)."""
    source = f":: Start\n{text}\n[[Go->{name or 'x'}]]\n:: {name or 'x'}\nEnd.\n"
    result = import_twee(write(tmp_path, source))
    assert "twee-internal-error" not in {d.code for d in result.diagnostics}
    if result.text is None:
        return
    data = yaml.safe_load(result.text)
    assert set(data) <= {"format", "id", "title", "start", "nodes", "endings"}
    for node in (data["nodes"] or {}).values():
        assert set(node) <= {"narrative", "choices"}
        for choice in node["choices"]:
            assert set(choice) <= {"id", "text", "next"}
    for ending in (data["endings"] or {}).values():
        assert set(ending) <= {"text"}
    loaded = load_scenario_bytes(result.text.encode("utf-8"), "out.yaml")
    yaml_level = {"syntax", "control-character", "tag", "ambiguous-yes-no", "ambiguous-number",
                  "duplicate-key", "line-too-long", "text-too-long", "not-a-mapping"}
    assert not yaml_level & {d.code for d in loaded.diagnostics}


@pytest.mark.parametrize("text", ["1e3", "09", "0o17", "1:20", "yes", "null", "~", "- item", "key: value",
                                  "#hash", "&anchor", "*alias", "!tag", "@at", "`tick`", "  indented", "'quoted'",
                                  "\"dq\"", "%directive", "---", "..."])
def test_texts_yaml_would_misread_stay_text(tmp_path, text):
    """Each of these, written plainly, would be a number, boolean, null, structure or error in YAML
    1.1 or 1.2: as a choice text and as a narrative it must come back as the same string."""
    result = import_twee(write(tmp_path, f':: StoryData\n{{"format": "Snowman"}}\n:: Start\n{text}\n'
                                         f"[[{text.strip()}->End]]\n:: End\n{text}\n"))
    data = yaml.safe_load(result.text)
    assert data["nodes"]["start"]["narrative"] == text.strip()
    assert data["nodes"]["start"]["choices"][0]["text"] == text.strip()
    loaded = load_scenario_bytes(result.text.encode("utf-8"), "out.yaml")
    assert not {d.code for d in loaded.diagnostics} & {"ambiguous-number", "ambiguous-yes-no", "syntax", "tag"}
