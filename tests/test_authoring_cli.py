"""`parley analyze` and `parley import` as an author meets them: the report, its JSON, exit codes, files."""
import json

import pytest

from simulator.authoring.analyze import analyze, to_json
from simulator.cli.main import main
from simulator.content.loader import load_scenario
from tests.conftest import FIXTURES, ROOT, load_ok
from tests.test_analysis import LOOP, _load, _ruin, random_walk

POLICECOM = FIXTURES / "policecom-upstream"  # the two real POL-COM files, unchanged, CC BY 4.0


def run(capsys, *argv) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_analyze_reports_best_and_worst_play_and_names_scenes_not_ids(capsys):
    status, out, err = run(capsys, "analyze", "kirpan-transit-stop")
    assert status == 0, err
    assert "Best play: expected score 100.0 (Pass 100%)" in out
    assert "Worst play: expected score 0.0 (Fail 100%)" in out
    assert "uniformly random: loses" in out and "always the longest option: loses" in out
    assert "Decisions that matter most" in out
    sc = load_ok(ROOT / "scenarios" / "kirpan-transit-stop.yaml")
    # people see scene labels and option texts; node and choice ids appear nowhere in the text report
    for node in sc.nodes:
        assert f" {node.id}:" not in out and f"({node.id})" not in out
    assert any(node.label.get("en", "en") in out for node in sc.nodes)


def test_analyze_json_has_every_part_and_agrees_with_the_closed_form(tmp_path, capsys):
    path = tmp_path / "walk.yaml"
    path.write_text(random_walk(6, 0.4), encoding="utf-8")
    status, out, err = run(capsys, "analyze", str(path), "--json")
    assert status == 0, err
    data = json.loads(out)
    assert set(data) == {"scenario", "size", "best", "worst", "policies", "decisions", "visits"}
    random_play = next(p for p in data["policies"] if p["policy"] == "random")
    assert random_play["endings"]["top"] == pytest.approx(_ruin(1, 6, 0.4), abs=1e-9)
    assert random_play["outcomes"]["arrest"] == pytest.approx(1 - _ruin(1, 6, 0.4), abs=1e-9)
    assert data["visits"]["k1"] > 1  # the walk comes back to its first step


def test_analyze_says_when_a_way_of_playing_never_ends(tmp_path, capsys):
    path = tmp_path / "loop.yaml"
    path.write_text(LOOP, encoding="utf-8")
    status, out, err = run(capsys, "analyze", str(path))
    assert status == 0, err
    assert "always the longest option: can go round a loop of scenes forever" in out
    result = to_json(analyze(_load(LOOP)))
    longest = next(p for p in result["policies"] if p["policy"] == "longest")
    assert longest["expected_score"] is None and longest["endings"] == {}


def test_analyze_exit_codes(tmp_path, capsys):
    assert run(capsys, "analyze", "no-such-scenario")[0] == 2
    broken = tmp_path / "broken.yaml"
    broken.write_text("format: 1\nid: [\n", encoding="utf-8")
    status, _, err = run(capsys, "analyze", str(broken))
    assert status == 1 and "broken.yaml" in err


@pytest.mark.skipif(not POLICECOM.is_dir(), reason="the shared POL-COM fixtures (../shared/fixtures/policecom) are not here")
def test_import_policecom_writes_a_playable_scenario_with_its_attribution(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = POLICECOM / "scenario-1-en.json"
    status, out, err = run(capsys, "import", "policecom", str(source))
    assert status == 0, err
    written = list(tmp_path.glob("*.yaml"))
    assert len(written) == 1
    text = written[0].read_text(encoding="utf-8")
    # the schema line points at the installed schema from where the file was written
    assert text.splitlines()[0] == "# yaml-language-server: $schema=" + (
        ROOT / "scenarios" / "scenario.schema.json").resolve().as_uri()
    assert "It validates and can be played" in out
    scenario = load_scenario(written[0]).scenario
    assert scenario is not None and any("CC BY 4.0" in (p.name + p.role) for p in scenario.authors)
    # a second import does not overwrite it; --force does
    before = written[0].read_bytes()
    status, _, err = run(capsys, "import", "policecom", str(source))
    assert status == 1 and "already exists" in err and written[0].read_bytes() == before
    assert run(capsys, "import", "policecom", str(source), "--force")[0] == 0


def test_import_twee_lists_what_the_author_must_add(tmp_path, capsys):
    out_path = tmp_path / "story.yaml"
    status, out, err = run(capsys, "import", "twee", str(FIXTURES / "twee" / "sugarcube.twee"), "-o", str(out_path))
    assert status == 0, err
    assert out_path.is_file()
    assert "missing the required key 'outcome'" in out  # Twine has no outcome classes: the author adds them
    assert "fixes before it can be played" in out
    assert "sugarcube.twee:" in err  # what could not be converted, with its line in the source


def test_import_twee_with_a_broken_link_writes_nothing(tmp_path, capsys):
    out_path = tmp_path / "broken.yaml"
    status, _, err = run(capsys, "import", "twee", str(FIXTURES / "twee" / "broken.twee"), "-o", str(out_path))
    assert status == 1
    assert "nothing was written" in err and not out_path.exists()
    assert "broken.twee:6:" in err  # the missing passage, with its position


def test_import_of_a_missing_file_is_a_usage_error(tmp_path, capsys):
    status, _, err = run(capsys, "import", "twee", str(tmp_path / "nope.twee"))
    assert status == 2 and "is not a file" in err


def test_written_scenarios_and_drawings_are_shared_files_not_private_ones(tmp_path, capsys):
    """Records stay readable by their owner only (trainees' names); a scenario or a drawing an author
    writes gets the usual permissions, so a workshop can share it."""
    import os
    import stat
    mask = os.umask(0)
    os.umask(mask)
    out_path = tmp_path / "story.yaml"
    assert run(capsys, "import", "twee", str(FIXTURES / "twee" / "links.twee"), "-o", str(out_path))[0] == 0
    assert stat.S_IMODE(out_path.stat().st_mode) == 0o666 & ~mask
    dot = tmp_path / "kirpan.dot"
    assert run(capsys, "graph", "kirpan-transit-stop", "-o", str(dot))[0] == 0
    assert stat.S_IMODE(dot.stat().st_mode) == 0o666 & ~mask
