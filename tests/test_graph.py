"""`parley graph`: the DOT drawn for a scenario (colours, marks, legend, escaping), the recorded-path
overlay, the command's files and exit codes, and real Graphviz output when `dot` is installed."""
import json
import os
import re
import shutil
import xml.etree.ElementTree as ET

import pytest

from simulator.authoring.graph import DISTRESS_BINS, analyse, graph_dot, overlay_from_log
from simulator.cli.main import main
from simulator.engine.session import ReplayMismatch, Session, SessionOptions
from tests.conftest import FIXTURES, bundled_paths, load_ok

SMALL = r'''
format: 1
id: graph-small
version: "1.0.0"
title: "Graph test"
summary: "Three scenes."
audience: [recruit]
minutes: 5
topics: [test]
language: en
languages: [en]
learning_objectives:
  - {id: listen, text: "Listen first."}
content_notes: ["None"]
authors: [{name: "Parley tests", role: "fixture"}]
reviewers: [{name: "Test reviewer", role: "fixture"}]
characters:
  sam: {name: "Sam \"Q\" Lee", role: subject}
  kim: {name: "Kim", role: partner}
state:
  escalation: 3
  rapport: 0
start: quiet
nodes:
  quiet:
    label: "Quiet \"start\" \\ <i>x</i>"
    shows: compliant
    narrative: "Sam waits."
    lines:
      - {speaker: sam, text: "Hello."}
    choices:
      - id: a-soft
        text: "Say \"hi\" \\N \\l <b>bold</b> { braces }\nnext line"
        grade: good
        effects: {escalation: -1}
        feedback: "Fine."
        next: loud
      - id: a-wait
        text: "Wait."
        grade: good
        effects: {escalation: -1}
        feedback: "Fine."
        next: loud
  loud:
    label: "Loud middle"
    shows: compliant
    narrative: "Sam is loud."
    timer:
      seconds: 8
      expire: {id: b-late, grade: mistake, against: [time-distance-cover], effects: {escalation: +2}, next: third}
    choices:
      - id: b-grab
        text: "Grab Sam."
        grade: mistake
        against: [proportionality]
        force: soft-empty-hand
        tags: [force]
        effects: {escalation: +2}
        feedback: "No."
        next: force-end
      - id: b-coin
        text: "Wait and see."
        grade: good
        feedback: "Time helps."
        outcomes:
          - {weight: 3, next: third, effects: {escalation: +1}, text: "A horn sounds."}
          - {weight: 1, next: calm-end}
  third:
    label: "Third"
    shows: compliant
    narrative: "Sam stands."
    choices:
      - id: c-leave
        text: "Leave."
        grade: major
        against: [empathy-rapport]
        effects: {escalation: +1}
        feedback: "Hm."
        next: calm-end
      - id: c-stay
        text: "Stay."
        grade: good
        feedback: "Fine."
        next: calm-end
endings:
  calm-end:
    outcome: resolved
    title: "Resolved"
    text: "Sam leaves."
    debrief: "Calm."
  force-end:
    outcome: force-used
    title: "Force used"
    text: "Sam is on the ground."
    debrief: "Force was not needed."
'''

NO_DOT = "Graphviz's dot is not installed: apt-get install graphviz; CI installs it"


# -- a tiny DOT reader: enough for what graph_dot writes (one statement per line) ---------------------
_QUOTED = r'"(?:[^"\\]|\\.)*"'
_NODE = re.compile(rf"^\s*({_QUOTED})\s*\[(.*)\];$")
_EDGE = re.compile(rf"^\s*({_QUOTED})\s*->\s*({_QUOTED})\s*\[(.*)\];$")


def _unquote(text: str) -> str:
    assert text[0] == '"' and text[-1] == '"', text
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text[1:-1])


def _attrs(text: str) -> dict:
    """key=value pairs: values are quoted strings, <HTML> (nested angle brackets) or bare words."""
    out, i = {}, 0
    while i < len(text):
        m = re.compile(r"\s*(\w+)=").match(text, i)
        assert m, f"bad attributes at {text[i:i + 40]!r}"
        key, i = m.group(1), m.end()
        if text[i] == '"':
            m = re.compile(_QUOTED).match(text, i)
            out[key], i = _unquote(m.group()), m.end()
        elif text[i] == "<":
            depth, j = 0, i
            while True:
                depth += {"<": 1, ">": -1}.get(text[j], 0)
                j += 1
                if depth == 0:
                    break
            out[key], i = text[i:j], j
        else:
            m = re.compile(r"[^,\s]+").match(text, i)
            out[key], i = m.group(), m.end()
        m = re.compile(r"\s*,?").match(text, i)
        i = m.end()
    return out


def parse_dot(text: str) -> tuple[dict, list]:
    """({node name: attributes}, [(tail, head, attributes)]); every line must be a known statement."""
    lines = text.splitlines()
    assert lines[0] == "digraph parley {" and lines[-1] == "}"
    nodes, edges = {}, []
    for line in lines[1:-1]:
        if (m := _EDGE.match(line)) is not None:
            edges.append((_unquote(m.group(1)), _unquote(m.group(2)), _attrs(m.group(3))))
        elif (m := _NODE.match(line)) is not None:
            nodes[_unquote(m.group(1))] = _attrs(m.group(2))
        else:
            assert re.match(r"^\s*(graph|node|edge) \[.*\];$", line), f"unexpected DOT line {line!r}"
    return nodes, edges


def by_tooltip(edges, tooltip):
    found = [e for e in edges if e[2].get("tooltip") == tooltip]
    assert len(found) == 1, (tooltip, found)
    return found[0]


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "graph-small.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return load_ok(path)


@pytest.fixture
def small_path(tmp_path, small):
    return tmp_path / "graph-small.yaml"


# -- the drawing ----------------------------------------------------------------------------------------
def test_distress_is_the_exact_mean_over_reachable_states_and_options(small):
    reach = analyse(small)
    quiet, loud, third = (reach.scenes[small.target_index[n]] for n in ("quiet", "loud", "third"))
    # quiet: both options -1 from the one start state
    assert (quiet.states, quiet.mean, quiet.low, quiet.high) == (1, -1.0, -1, -1)
    # loud (distress 2): grab +2, the coin 3/4 * +1 + 1/4 * 0, the timer +2
    assert loud.states == 1 and loud.mean == pytest.approx((2 + 0.75 + 2) / 3) and (loud.low, loud.high) == (0, 2)
    # third is reached at 3 (after the coin) and at 4 (after the timer): leave +1, stay 0 in both
    assert (third.states, third.mean, third.low, third.high) == (2, 0.5, 0, 1)
    assert reach.choices["b-coin"].probabilities == {0: (0.75, 0.75), 1: (0.25, 0.25)}
    assert reach.choices["b-grab"].critical_states == 1 and reach.choices["b-grab"].disproportionate


def test_colours_labels_and_marks_of_a_small_scenario(small):
    nodes, edges = parse_dot(graph_dot(small))
    fills = {b[4]: b[1] for b in DISTRESS_BINS}
    assert nodes["scene:quiet"]["fillcolor"] == fills["▼▼"]
    assert nodes["scene:loud"]["fillcolor"] == fills["▲▲"]
    assert nodes["scene:third"]["fillcolor"] == fills["▲"]
    assert "distress ▼▼ -1.0 (-1 to -1)" in nodes["scene:quiet"]["label"]
    assert "distress ▲▲ +1.6 (0 to +2)" in nodes["scene:loud"]["label"]
    assert "distress ▲ +0.5 (0 to +1)" in nodes["scene:third"]["label"]
    assert "◷ 8 s to decide" in nodes["scene:loud"]["label"]
    assert 'speaks: Sam "Q" Lee' in nodes["scene:quiet"]["label"]
    # escalating scenes get a thicker border too (greyscale), calming ones do not
    assert float(nodes["scene:loud"]["penwidth"]) > float(nodes["scene:quiet"]["penwidth"])
    # endings: double border, coloured by outcome class, the class in words
    assert nodes["ending:calm-end"]["peripheries"] == "2" and nodes["ending:calm-end"]["fillcolor"] == "#009e73"
    assert "Ending: Force used" in nodes["ending:force-end"]["label"]
    # the force choice is critical in effect (soft empty-hand against a compliant person), though written as a mistake
    grab = by_tooltip(edges, "choice id: b-grab")
    assert grab[1] == "ending:force-end" and grab[2]["color"] == "#c0392b" and grab[2]["arrowhead"] == "diamond"
    assert "CRITICAL: disproportionate force" in grab[2]["label"].replace("\n", " ")
    assert "force: Soft empty-hand control" in grab[2]["label"].replace("\n", " ")
    leave = by_tooltip(edges, "choice id: c-leave")
    assert "MAJOR" in leave[2]["label"] and leave[2]["color"] == "#e69f00"
    stay = by_tooltip(edges, "choice id: c-stay")
    assert "MAJOR" not in stay[2]["label"] and "CRITICAL" not in stay[2]["label"]
    late = by_tooltip(edges, "choice id: b-late")
    assert late[2]["style"] == "dashed" and late[2]["label"].startswith("◷ time runs out (8 s)")
    # the random reaction goes through a chance node, each branch with its probability
    coin = by_tooltip(edges, "choice id: b-coin")
    assert coin[1] == "chance:b-coin" and nodes["chance:b-coin"]["label"] == "?"
    assert by_tooltip(edges, "outcome 0 of choice b-coin")[2]["label"] == "75%\nA horn sounds."
    assert by_tooltip(edges, "outcome 1 of choice b-coin")[2]["label"] == "25%"
    # people read text, never ids: ids only in node names and tooltips
    for attrs in list(nodes.values()) + [e[2] for e in edges]:
        for word in ("a-soft", "b-grab", "calm-end", "force-end", "graph-small"):
            assert word not in attrs.get("label", "").replace("scenario graph-small", ""), (word, attrs)


def test_the_legend_explains_every_colour_and_mark(small):
    nodes, _edges = parse_dot(graph_dot(small))
    legend = nodes["legend"]["label"].replace("<BR/>", " ")
    for _top, fill, _font, _pen, marker, _words in DISTRESS_BINS:
        assert f'BGCOLOR="{fill}"' in legend and marker in legend
    for words in ("mean change in distress", "each counted once", "Resolved", "Referred to others", "Arrest",
                  "Force used", "Someone was injured", "CRITICAL", "MAJOR", "timer runs out", "random reaction"):
        assert words in legend, words
    assert "recorded playthrough" not in legend  # only with an overlay


def test_hostile_text_is_escaped(small):
    text = graph_dot(small)
    nodes, edges = parse_dot(text)  # every line still parses as one statement
    soft = by_tooltip(edges, "choice id: a-soft")[2]["label"]
    assert " ".join(soft.split("\n")[:2]) == 'Say "hi" \\N \\l <b>bold</b> { braces } next line'
    assert nodes["scene:quiet"]["label"].startswith('Quiet "start" \\ <i>x</i>')
    # no raw newline inside a statement, no escString sequence from the text (\N would print the node name)
    assert "\\\\N \\\\l" in text and '\\"hi\\"' in text


def test_every_scene_choice_and_ending_of_every_shipped_scenario_is_drawn():
    for path in bundled_paths():
        sc = load_ok(path)
        nodes, edges = parse_dot(graph_dot(sc))
        assert {f"scene:{n.id}" for n in sc.nodes} <= set(nodes), path
        assert {f"ending:{e.id}" for e in sc.endings} <= set(nodes), path
        tips = {e[2].get("tooltip") for e in edges}
        for node in sc.nodes:
            for choice in node.choices + ((node.timer.expire,) if node.timer else ()):
                assert f"choice id: {choice.id}" in tips, (path, choice.id)
            first = nodes[f"scene:{node.id}"]["label"].split("\n")[0].rstrip("…")
            assert first and first in node.label.get(sc.language, sc.language), (path, node.id)
        for ending in sc.endings:
            first = nodes[f"ending:{ending.id}"]["label"].split("\n")[0].rstrip("…")
            assert first and first in ending.title.get(sc.language, sc.language), (path, ending.id)
        # every scene of a shipped scenario is reachable, so every one is coloured
        assert all(nodes[f"scene:{n.id}"]["fillcolor"] in {b[1] for b in DISTRESS_BINS} for n in sc.nodes), path


# -- the overlay ----------------------------------------------------------------------------------------
def _play(scenario, picks, seed=3):
    session = Session(scenario, seed=seed, options=SessionOptions(shuffle=False, allow_undo=True))
    for pick in picks:
        if pick == "undo":
            session.undo()
        elif pick == "timeout":
            session.expire_timer()
        else:
            session.choose(pick, elapsed=2.0)
    return session


def _path_marks(dot_text):
    nodes, edges = parse_dot(dot_text)
    taken = {e[2]["tooltip"]: e[2]["label"].split("\n")[0] for e in edges if e[2].get("penwidth") == "5.0"
             and e[0] != "start"}
    visited = {n for n, a in nodes.items() if a.get("label", "").startswith("▶ visited")}
    reached = {n for n, a in nodes.items() if a.get("label", "").startswith("▶ REACHED")}
    return taken, visited, reached


def test_the_overlay_marks_exactly_the_logged_path(small):
    session = _play(small, ["a-wait", "timeout", "c-stay"])
    overlay = overlay_from_log(small, session.log)
    assert [(s.number, s.choice, s.target) for s in overlay.steps] == [
        (1, "a-wait", "loud"), (2, "b-late", "third"), (3, "c-stay", "calm-end")]
    taken, visited, reached = _path_marks(graph_dot(small, overlay))
    assert taken == {"choice id: a-wait": "▶ step 1", "choice id: b-late": "▶ step 2", "choice id: c-stay": "▶ step 3"}
    assert visited == {"scene:quiet", "scene:loud", "scene:third"}
    assert reached == {"ending:calm-end"}
    nodes, _ = parse_dot(graph_dot(small, overlay))
    assert "recorded playthrough" in nodes["legend"]["label"]


def test_the_overlay_follows_random_outcomes_and_drops_undone_steps(small):
    session = _play(small, ["a-soft", "b-grab", "undo", "b-coin"])
    drawn = [e["outcome"] for e in session.log if e["type"] == "outcome_drawn"][-1]
    taken, visited, reached = _path_marks(graph_dot(small, overlay_from_log(small, session.log)))
    assert taken["choice id: a-soft"] == "▶ step 1" and taken["choice id: b-coin"] == "▶ step 2"
    assert taken[f"outcome {drawn} of choice b-coin"] == "▶ step 2"
    assert "choice id: b-grab" not in taken  # undone
    assert f"outcome {1 - drawn} of choice b-coin" not in taken
    assert reached == ({"ending:calm-end"} if drawn == 1 else set())
    assert "ending:force-end" not in visited | reached


def test_a_log_of_another_scenario_is_refused(small, minimal):
    with pytest.raises(ReplayMismatch, match="recorded on scenario"):
        overlay_from_log(small, _play(minimal, ["listen"]).log)


# -- the command ----------------------------------------------------------------------------------------
def test_default_output_with_dot_missing_writes_dot_and_one_line(small_path, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no dot anywhere on PATH
    assert main(["graph", str(small_path)]) == 0
    out, err = capsys.readouterr()
    assert out.count("\n") == 1 and "install Graphviz" in out and "graph-small.dot" in out and not err
    parse_dot((tmp_path / "graph-small.dot").read_text(encoding="utf-8"))
    assert not (tmp_path / "graph-small.svg").exists()


def test_a_picture_asked_for_without_dot_fails_with_one_line(small_path, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    assert main(["graph", str(small_path), "-o", str(tmp_path / "g.png")]) == 1
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and "install Graphviz" in err
    assert (tmp_path / "g.dot").exists() and not (tmp_path / "g.png").exists()


def test_usage_errors_and_bad_scenarios(small_path, tmp_path, capsys):
    assert main(["graph", str(small_path), "-o", str(tmp_path / "g.txt")]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert main(["graph", "no-such-scenario"]) == 2
    assert "no scenario file" in capsys.readouterr().err
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL.replace("start: quiet", "start: nowhere"), encoding="utf-8")
    assert main(["graph", str(bad), "-o", str(tmp_path / "bad.dot")]) == 1
    assert "bad.yaml:" in capsys.readouterr().err  # FILE:LINE:COL diagnostics, as validate prints them
    assert main(["graph", str(small_path), "-o", str(tmp_path / "ok.dot")]) == 0


def test_path_option_reads_json_lines_and_window_records(small, small_path, tmp_path, capsys):
    session = _play(small, ["a-wait", "b-grab"])
    lines = tmp_path / "run.jsonl"
    lines.write_text(session.log_json(), encoding="utf-8")
    assert main(["graph", str(small_path), "--path", str(lines), "-o", str(tmp_path / "a.dot")]) == 0
    taken, _visited, reached = _path_marks((tmp_path / "a.dot").read_text(encoding="utf-8"))
    assert set(taken) == {"choice id: a-wait", "choice id: b-grab"} and reached == {"ending:force-end"}
    record = tmp_path / "record.json"
    record.write_text(json.dumps({"format": "parley-session-record", "version": 1, "status": "finished",
                                  "scenario": session.log[0]["scenario"], "log": session.log}, indent=1))
    assert main(["graph", str(small_path), "--path", str(record), "-o", str(tmp_path / "b.dot")]) == 0
    assert (tmp_path / "a.dot").read_text() == (tmp_path / "b.dot").read_text()


@pytest.mark.parametrize("content, words", [
    ('{"seq": 0, "type": "session_started"}\n{not json\n', ":2: not a JSON event"),
    ("[1, 2]\n", "not a playthrough"),
    ('{"seq": 0, "type": "session_started", "t": NaN}\n', "not a JSON event"),
    ("\xff\xfe", "not UTF-8"),
    ("", "is empty"),
    ('{"hello": 1}', "not a Parley log"),
])
def test_bad_logs_are_one_line_errors(small_path, tmp_path, capsys, content, words):
    log = tmp_path / "bad.log"
    log.write_bytes(content.encode("latin-1") if content == "\xff\xfe" else content.encode("utf-8"))
    assert main(["graph", str(small_path), "--path", str(log), "-o", str(tmp_path / "x.dot")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and words in err, err
    assert not (tmp_path / "x.dot").exists()


def test_logs_of_another_scenario_or_file_version_are_refused(small, small_path, tmp_path, capsys):
    other = tmp_path / "other.jsonl"
    other.write_text(_play(load_ok(FIXTURES / "minimal.yaml"), ["listen"]).log_json(), encoding="utf-8")
    assert main(["graph", str(small_path), "--path", str(other), "-o", str(tmp_path / "x.dot")]) == 1
    assert "recorded on scenario 'minimal'" in capsys.readouterr().err
    mine = tmp_path / "mine.jsonl"
    mine.write_text(_play(small, ["a-wait"]).log_json(), encoding="utf-8")
    small_path.write_text(SMALL + "\n# edited\n", encoding="utf-8")
    assert main(["graph", str(small_path), "--path", str(mine), "-o", str(tmp_path / "x.dot")]) == 1
    assert "another version of the scenario file" in capsys.readouterr().err


# -- real Graphviz ----------------------------------------------------------------------------------------
@pytest.fixture
def dot_program():
    """Graphviz's dot: skipped where it is missing, except in CI (CI set), where missing is a failure."""
    found = shutil.which("dot")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(NO_DOT + " (CI is set, so these tests must run)")
        pytest.skip(NO_DOT)
    return found


def test_svg_is_written_and_has_every_node(dot_program, small, small_path, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["graph", str(small_path)]) == 0
    assert "graph-small.svg" in capsys.readouterr().out
    nodes, _edges = parse_dot((tmp_path / "graph-small.dot").read_text(encoding="utf-8"))
    root = ET.parse(tmp_path / "graph-small.svg").getroot()
    groups = [g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "node"]
    assert len(groups) == len(nodes) == 3 + 2 + 1 + 2  # scenes, endings, chance node, start, legend
    texts = " ".join(t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "<b>bold</b>" in texts and 'Say "hi"' in texts  # hostile text shown as written, never as markup


def test_png_of_a_shipped_scenario_with_a_path(dot_program, tmp_path, capsys):
    sc = load_ok(bundled_paths()[0])
    session = Session(sc, seed=5)
    for _ in range(100):  # the first option shown each time, to the end
        if session.ended:
            break
        session.choose(session.presented()[0].id, elapsed=1.0)
    log = tmp_path / "run.jsonl"
    log.write_text(session.log_json(), encoding="utf-8")
    assert main(["graph", str(bundled_paths()[0]), "--path", str(log), "-o", str(tmp_path / "g.png")]) == 0
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
