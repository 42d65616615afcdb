"""`parley new`: the skeleton validates for any answers (hostile ones included), plays to each of its
endings, carries its instructions as comments, and the command asks, re-asks, refuses to overwrite
and stops cleanly at the end of piped input."""
import io
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from scoring import grade
from simulator.authoring.new import (
    FACTOR_KINDS,
    Answers,
    answer_problem,
    clean_answer,
    quoted,
    scenario_yaml,
    schema_reference,
    slug,
)
from simulator.cli.main import main
from simulator.cli.textmode import TextPlayer
from simulator.content.loader import load_scenario, load_scenario_bytes
from simulator.content.schema import SCHEMA_PATH
from simulator.engine.session import Session, SessionOptions
from simulator.paths import scenarios_dir

from .conftest import ROOT

HOSTILE = ['x" : y', "a\nid: evil", "# not a comment", "{driver} and {officer}", "key: value\n  nested: 1",
           "'single' \"double\" \\back\\", "tab\there", "\x00nul\x07bell\x1b[31mred", "\u202eoverride\u2066",
           "line\u2028sep\x85nel", "--- \n...", "&anchor *alias !!python/object", "yes", "010", "7:40", "é 漢字 🚓"]
KEYS = {"format", "id", "version", "title", "summary", "audience", "minutes", "topics", "language", "languages",
        "location", "dispatch", "learning_objectives", "content_notes", "authors", "reviewers", "review",
        "characters", "state", "graham", "start", "nodes", "endings", "scoring", "debrief"}


def answers(**changes) -> Answers:
    base = dict(title="The driver who does not answer", location="Alder Road, 7:40 pm", person_name="Ruth Lindqvist",
                person_description="A driver in her fifties", person_language="ASL", factor_kind="deafness",
                factor="Ruth is Deaf and prefers writing.", audience=("recruit", "in-service"), minutes=15)
    base.update(changes)
    return Answers(**base)


def loaded(text: str, name: str = "new.yaml"):
    result = load_scenario_bytes(text.encode("utf-8"), name)
    errors = [d.format() for d in result.diagnostics if d.severity == "error"]
    assert not errors, "\n".join(errors)
    return result


# --- the file -----------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", FACTOR_KINDS)
def test_every_kind_validates_with_only_the_reviewer_warning(kind):
    result = loaded(scenario_yaml(answers(factor_kind=kind)))
    assert [d.code for d in result.diagnostics] == ["no-reviewers"]
    sc = result.scenario
    assert sc.id == "the-driver-who-does-not-answer" and sc.minutes == 15
    assert tuple(sc.audience) == ("recruit", "in-service")


def test_written_file_validates_through_the_command(tmp_path, capsys):
    path = tmp_path / "new.yaml"
    path.write_text(scenario_yaml(answers(), schema_reference(path)), encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "0 errors, 1 warning" in out and "no community reviewer is named yet" in out


hostile_text = st.one_of(st.sampled_from(HOSTILE), st.text(min_size=1, max_size=60),
                         st.lists(st.sampled_from(HOSTILE), min_size=1, max_size=4).map("".join))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=hostile_text, name=hostile_text, location=hostile_text, factor=hostile_text, language=hostile_text,
       kind=st.sampled_from(FACTOR_KINDS),
       audience=st.lists(st.sampled_from(["recruit", "in-service", "community"]), min_size=1, unique=True),
       minutes=st.integers(1, 240))
def test_any_answers_validate_and_stay_text(title, name, location, factor, language, kind, audience, minutes):
    for field, value in (("title", title), ("name", name), ("location", location), ("factor", factor),
                         ("language", language)):
        assume(answer_problem(field, value) is None)
    a = answers(title=title, person_name=name, location=location, factor=factor, person_language=language,
                factor_kind=kind, audience=tuple(audience), minutes=minutes)
    text = scenario_yaml(a)
    result = loaded(text)
    assert [d.code for d in result.diagnostics] == ["no-reviewers"]
    data = yaml.safe_load(text)
    assert set(data) == KEYS  # nothing added, nothing lost
    assert data["title"] == clean_answer(title) and data["location"] == clean_answer(location)
    assert data["characters"]["person"]["name"] == clean_answer(name)
    assert data["state"]["hidden_factor"]["description"] == clean_answer(factor)
    assert data["id"] == slug(clean_answer(title)) and data["minutes"] == minutes
    assert text.splitlines()[0].startswith("# yaml-language-server: $schema=")


def test_title_cannot_inject_keys_or_comments():
    text = scenario_yaml(answers(title='Stop: "A" # c\nid: evil\nnodes: {}\n'))
    data = yaml.safe_load(text)
    assert data["title"] == 'Stop: "A" # c id: evil nodes: {}'
    assert data["id"] == "stop-a-c-id-evil-nodes"
    assert [line for line in text.splitlines() if line.startswith("title:")] == [
        'title: "Stop: \\"A\\" # c id: evil nodes: {}"']


def test_placeholders_in_answers_are_not_placeholders():
    assert clean_answer("Ask {driver} and {officer}") == "Ask (driver) and (officer)"
    loaded(scenario_yaml(answers(person_name="{driver}", title="{x}")))


@pytest.mark.parametrize("text", HOSTILE + ["\ud800", "\ufeff", "\U0001f694", "\\", '"'])
def test_quoted_reads_back_exactly(text):
    assert yaml.safe_load("v: " + quoted(text))["v"] == text
    assert "\n" not in quoted(text)


def test_answers_are_checked():
    assert answer_problem("title", " \n\t ") is not None
    assert answer_problem("title", "x" * 121) is not None
    assert answer_problem("title", "x" * 120) is None
    for bad in (answers(title=""), answers(factor_kind="kirpan"), answers(minutes=0), answers(audience=("cadets",))):
        with pytest.raises(ValueError):
            scenario_yaml(bad)
    with pytest.raises(ValueError):
        scenario_yaml(answers(), "x\nid: evil")


def test_slug():
    assert slug("Traffic stop: the driver who does not answer") == "traffic-stop-the-driver-who-does-not-answer"
    assert slug("../../etc/passwd") == "etc-passwd"
    assert slug("José's café") == "jose-s-cafe"
    assert slug("漢字") == "new-scenario"
    assert slug("2 a.m. call") == "scenario-2-a-m-call"
    assert len(slug("word " * 40)) <= 60


def test_comments_show_where_and_how_to_write():
    text = scenario_yaml(answers())
    comments = "\n".join(line for line in text.splitlines() if line.lstrip().startswith("#"))
    for needle in ("docs/scenario-format.md", "docs/authoring.md", "docs/scoring.md", "docs/lint.md",
                   "parley validate", "parley lint", "parley play", "[Draft", "grade", "feedback", "tags",
                   "perspective", "shows", "Red Hat"):
        assert needle in comments, needle
    data = yaml.safe_load(text)
    for node in data["nodes"].values():
        assert node["narrative"].startswith("[Draft")
        for choice in node["choices"]:
            assert choice["feedback"].startswith("[Draft") and choice["grade"] and choice["tags"]


# --- the schema line ------------------------------------------------------------------------------

def test_schema_reference_beside_the_schema_is_relative():
    assert schema_reference(scenarios_dir() / "my-new.yaml") == "./scenario.schema.json"


def test_schema_reference_elsewhere_is_the_installed_schema(tmp_path):
    ref = schema_reference(tmp_path / "a folder" / "new.yaml")
    assert ref == SCHEMA_PATH.resolve().as_uri() and ref.startswith("file://") and " " not in ref
    assert Path(unquote(urlparse(ref).path)).is_file()


# --- playing it -----------------------------------------------------------------------------------

PATHS = {
    "referred": ["arrival-introduce", "first-seek", "known-accommodate", "tense-step-back", "wrap-refer"],
    "resolved-on-scene": ["arrival-watch", "first-louder", "tense-sit-down", "wrap-explain"],
    "hands-on": ["arrival-call-over", "first-last-chance", "tense-hold-arm"],
}
EXPECTED = {"referred": ("pass", "referred"), "resolved-on-scene": (None, "resolved"),
            "hands-on": ("fail", "force-used")}


@pytest.mark.parametrize("kind", ["deafness", "crisis", "article-of-faith"])
@pytest.mark.parametrize("ending", list(PATHS))
def test_plays_to_each_ending(kind, ending):
    sc = loaded(scenario_yaml(answers(factor_kind=kind))).scenario
    session = Session(sc, seed=5, options=SessionOptions(timers=False))
    for choice in PATHS[ending]:
        assert choice in [c.id for c in session.presented()]
        session.choose(choice)
    assert session.ended and session.view().ending.id == ending
    report = grade(sc, session.log)
    result, outcome = EXPECTED[ending]
    assert report.ending["outcome"] == outcome
    if result:
        assert report.result == result


def test_timer_expiry_is_graded_and_moves_on():
    sc = loaded(scenario_yaml(answers())).scenario
    session = Session(sc, seed=1)
    for choice in ("arrival-watch", "first-seek", "known-accommodate"):
        session.choose(choice)
    session.expire_timer()
    session.choose("wrap-explain")
    assert session.ended and session.view().ending.id == "resolved-on-scene"


def test_plays_in_text_mode_as_is():
    sc = loaded(scenario_yaml(answers())).scenario
    session = Session(sc, seed=2, options=SessionOptions(timers=False))
    out = io.StringIO()
    status = TextPlayer(session, io.StringIO("1\n" * 12), out, width=100, tty=False).run()
    assert status == 0 and session.ended
    assert "[Draft" in out.getvalue()


# --- the command ----------------------------------------------------------------------------------

TYPED = ["Night shift: \"the laundromat\"", "Suds & Co laundromat, 11 pm", "Dana Ortiz", "", "", "crisis",
         "Dana has not slept for three days.", "", ""]
DEFAULT_FILE = "night-shift-the-laundromat.yaml"


def run_new(monkeypatch, capsys, typed, *args):
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(f"{line}\n" for line in typed)))
    status = main(["new", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_new_writes_a_valid_file_from_piped_answers(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    status, out, err = run_new(monkeypatch, capsys, TYPED)
    path = tmp_path / DEFAULT_FILE
    assert status == 0 and err == "" and path.is_file()
    assert "0 errors, 1 warning" in out
    for step in (f"parley validate {DEFAULT_FILE}", f"parley lint {DEFAULT_FILE}", f"parley play {DEFAULT_FILE} --text"):
        assert step in out
    sc = load_scenario(path, use_cache=False).scenario
    assert sc.title.get("en", "en") == 'Night shift: "the laundromat"'
    assert tuple(sc.audience) == ("recruit", "in-service") and sc.minutes == 15  # the defaults
    assert path.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=" + SCHEMA_PATH.resolve().as_uri() + "\n")


def test_new_reasks_a_bad_audience_and_bad_minutes(tmp_path, monkeypatch, capsys):
    typed = TYPED[:7] + ["recruit, cadets", "community", "ninety", "300", "20"]
    status, out, _ = run_new(monkeypatch, capsys, typed, "-o", str(tmp_path / "s.yaml"))
    assert status == 0
    assert out.count("audience must be one or several of recruit, in-service, community, not 'cadets'") == 1
    assert out.count("minutes must be a whole number from 1 to 240") == 2
    sc = load_scenario(tmp_path / "s.yaml", use_cache=False).scenario
    assert tuple(sc.audience) == ("community",) and sc.minutes == 20


def test_new_reasks_an_empty_title_and_a_bad_kind(tmp_path, monkeypatch, capsys):
    typed = ["", TYPED[0]] + TYPED[1:5] + ["kirpan"] + TYPED[5:]
    status, out, _ = run_new(monkeypatch, capsys, typed, "-o", str(tmp_path / "s.yaml"))
    assert status == 0
    assert "an answer is needed here; please answer again." in out
    assert "the kind must be one of deafness" in out


def test_new_never_overwrites(tmp_path, monkeypatch, capsys):
    path = tmp_path / "mine.yaml"
    path.write_text("my work\n", encoding="utf-8")
    status, out, err = run_new(monkeypatch, capsys, TYPED, "-o", str(path))
    assert status == 1 and path.read_text(encoding="utf-8") == "my work\n"
    assert err.count("\n") == 1 and "already exists; nothing was written" in err
    assert "Title" not in out  # refused before asking anything


def test_new_never_overwrites_the_default_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / DEFAULT_FILE
    path.write_text("my work\n", encoding="utf-8")
    status, _, err = run_new(monkeypatch, capsys, TYPED)
    assert status == 1 and path.read_text(encoding="utf-8") == "my work\n"
    assert err.count("\n") == 1 and "already exists" in err


@pytest.mark.parametrize("given_lines", [0, 3, 8])
def test_end_of_input_writes_nothing(tmp_path, monkeypatch, capsys, given_lines):
    monkeypatch.chdir(tmp_path)
    status, _, err = run_new(monkeypatch, capsys, TYPED[:given_lines])
    assert status == 1 and list(tmp_path.iterdir()) == []
    assert err.count("\n") == 1 and "input ended" in err and "nothing was written" in err


def test_piped_stdin_through_a_real_process(tmp_path):
    typed = "".join(f"{line}\n" for line in TYPED)
    proc = subprocess.run([sys.executable, str(ROOT / "main.py"), "new", "-o", "piped.yaml"], cwd=tmp_path,
                          input=typed, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PARLEY_LANG": "en"})
    assert proc.returncode == 0, proc.stderr
    assert "Wrote piped.yaml" in proc.stdout and "0 errors" in proc.stdout
    assert (tmp_path / "piped.yaml").is_file()
