"""Text mode as a trainee meets it: wrapped to the terminal without cut words, paged on a terminal,
stage directions outside the quotes, timeouts announced, undo with a reason at the right time, and
every interface word through gettext."""
import io
import re
import sys

import pytest
import yaml

from simulator.cli import layout
from simulator.cli.layout import Pager, reflow, split_direction, width_for, wrap
from simulator.cli.textmode import TextPlayer
from simulator.content.loader import load_scenario_bytes
from simulator.engine.session import Session, SessionOptions

from .conftest import FIXTURES, ROOT, load_ok

MORE = "-- more: Enter for the next page, q to skip to the end --"
LONG_CHOICE = ("Crouch beside the open window at eye level, keep both of my hands visible and empty, and "
               "write in large capitals on the notepad: 'I am Officer Kim. You are not in trouble.'")
LONG_NOTE = "Raised voices, shouted police commands and a taser drawn on some paths (discussed in the debrief)"


def scenario_from(text: str):
    result = load_scenario_bytes(text.encode("utf-8"), "variant.yaml")
    assert result.scenario is not None, "\n".join(d.format() for d in result.diagnostics)
    return result.scenario


def minimal_text() -> str:
    return (FIXTURES / "minimal.yaml").read_text(encoding="utf-8")


def variant():
    """The minimal fixture with a long choice, a long content note, a stage direction, and a timer
    whose expiry says what happens."""
    text = minimal_text()
    text = text.replace('text: "Write a note."', f'text: "{LONG_CHOICE}"')
    text = text.replace('content_notes: ["None"]', f'content_notes: ["{LONG_NOTE}", "A second note"]')
    text = text.replace('{speaker: kim, text: "Your call."}', '{speaker: kim, text: "(quietly, at your shoulder) Your call."}')
    text = text.replace("expire: {id: first-timeout,", 'expire: {id: first-timeout, text: "You hesitate, and Sam turns away.",')
    return scenario_from(text)


def numbers(scenario, seed, moves, **options) -> str:
    """What to type for `moves` (choice ids, or "u" then a reason for an undo), in the shown order."""
    session = Session(scenario, seed=seed, options=SessionOptions(timers=False, **options))
    typed = []
    for move in moves:
        if isinstance(move, tuple):  # ("u", reason)
            session.undo()
            typed += list(move)
        else:
            typed.append(str([c.id for c in session.presented()].index(move) + 1))
            session.choose(move)
    return "".join(f"{line}\n" for line in typed)


class StepClock:
    """A clock that moves on `step` seconds every time it is read."""

    def __init__(self, step: float):
        self.now, self.step = 0.0, step

    def __call__(self):
        self.now += self.step
        return self.now


def play(scenario, typed: str, *, seed=2, timed=False, undo=False, **player):
    session = Session(scenario, seed=seed, options=SessionOptions(timers=timed, allow_undo=undo))
    out = io.StringIO()
    player.setdefault("clock", StepClock(2.0))
    status = TextPlayer(session, io.StringIO(typed), out, timed=timed, **player).run()
    return status, out.getvalue(), session


# --- 1. wrapping --------------------------------------------------------------------------------

@pytest.mark.parametrize("width", [30, 44, 60, 88])
def test_every_line_fits_the_width_and_no_word_is_cut(width):
    scenario = variant()
    status, out, _session = play(scenario, numbers(scenario, 2, ["write", "thank"]), width=width)
    assert status == 0
    assert max(len(line) for line in out.splitlines()) <= width, out
    words = out.split()
    for text in (LONG_CHOICE, LONG_NOTE):  # before the fix, choices and content notes were never wrapped
        for word in text.split():
            assert any(word in w for w in words), f"{word!r} was cut at width {width}"
    # a wrapped choice keeps its continuation lines under its text, not under its number
    first = next(i for i, line in enumerate(out.splitlines()) if "Crouch beside" in line)
    lines = out.splitlines()
    number = re.match(r"\s*\d+\. ", lines[first]).end()
    assert lines[first + 1].startswith(" " * number) and lines[first + 1][number] != " "


def test_hyphenated_words_stay_whole_and_only_overlong_words_are_broken():
    assert wrap("the car is grey-blue tonight", 16) == ["the car is", "grey-blue", "tonight"]
    long = "x" * 50
    lines = wrap(f"a {long} b", 20)
    assert all(len(line) <= 20 for line in lines) and "".join(lines).count("x") == 50


def test_width_follows_the_terminal_but_stays_readable(monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    assert width_for(sys.stdout) == 60
    monkeypatch.setenv("COLUMNS", "250")
    assert width_for(sys.stdout) == layout.MAX_WIDTH
    monkeypatch.setenv("COLUMNS", "8")
    assert width_for(sys.stdout) == layout.MIN_WIDTH
    assert width_for(io.StringIO()) == layout.STREAM_WIDTH  # transcripts do not depend on the terminal


def test_the_debrief_is_rewrapped_to_the_width():
    debrief = ("=== Debrief ===\nFail: a critical error fails the run whatever the points: Disproportionate\n"
               "  force (Hands out of sight).\n\nTakeaways:\n  1. Silence at the window is information, not\n"
               "    defiance, and less-\n    lethal weapons are force.\n  2. Second.\nHow it changed:\n"
               "  It started low.")
    lines = reflow(debrief, 30)
    assert all(len(line) <= 30 for line in lines), lines
    text = " ".join(lines)
    assert "less-lethal" in " ".join(text.split())  # a word textwrap had broken at its hyphen is whole again
    assert "Takeaways:" in lines and "How it changed:" in lines  # headings stay on their own lines
    assert any(line.startswith("  1. Silence") for line in lines) and "  2. Second." in lines
    assert lines[0] == "=== Debrief ===" and "" in lines


def test_the_real_debrief_fits_a_narrow_terminal():
    from scoring.report import text_debrief
    deaf = load_ok(ROOT / "scenarios" / "deaf-driver-traffic-stop.yaml")
    session = Session(deaf, seed=1, options=SessionOptions(timers=False))
    out = io.StringIO()
    status = TextPlayer(session, io.StringIO("1\n" * 40), out, debrief=text_debrief, width=50).run()
    debrief = out.getvalue().split("=== Debrief ===")[1]
    assert status == 0 and "Takeaways:" in debrief
    assert max(len(line) for line in debrief.splitlines()) <= 50


# --- 2. paging ----------------------------------------------------------------------------------

def ended_session():
    scenario = load_ok(FIXTURES / "minimal.yaml")
    session = Session(scenario, seed=2, options=SessionOptions(timers=False))
    session.choose("write")
    session.choose("thank")
    return session


LONG_DEBRIEF = "\n".join(f"debrief line {i}" for i in range(1, 61))


def ending(answers: str, *, tty: bool, height: int = 10):
    out = io.StringIO()
    player = TextPlayer(ended_session(), io.StringIO(answers), out, debrief=lambda s: LONG_DEBRIEF,
                        tty=tty, page_height=height)
    player.ending()
    return out.getvalue(), player


def test_long_output_is_paged_on_a_terminal():
    out, _player = ending("\n" * 20, tty=True, height=10)
    pages = out.split(MORE)
    assert len(pages) > 6 and "debrief line 60" in pages[-1]
    for page in pages[1:-1]:  # a screenful: 9 lines, then the prompt on the 10th
        assert page.count("\n") == 9, page
    assert all(f"debrief line {i}\n" in out for i in range(1, 61))


def test_q_skips_to_the_end_and_end_of_input_stops_paging():
    out, _player = ending("\nq\n", tty=True, height=10)
    assert out.count(MORE) == 2 and out.endswith("debrief line 60\n")
    out, _player = ending("", tty=True, height=10)  # nobody left to answer: one prompt, then the rest
    assert out.count(MORE) == 1 and out.endswith("debrief line 60\n")


def test_no_paging_when_the_output_is_not_a_terminal(monkeypatch):
    out, _player = ending("", tty=False, height=10)
    assert MORE not in out and "debrief line 60" in out

    class Terminal(io.StringIO):
        def isatty(self):
            return True
    monkeypatch.setenv("LINES", "12")  # the page height comes from the terminal by default
    screen = Terminal()
    TextPlayer(ended_session(), io.StringIO("\n" * 20), screen, debrief=lambda s: LONG_DEBRIEF).ending()
    assert screen.getvalue().split(MORE)[1].count("\n") == 11


class Answering:
    """Input that answers "-- more --" with Enter and every other prompt with the next of `lines`."""

    def __init__(self, out: io.StringIO, lines: list[str]):
        self.out, self.lines, self.mores = out, lines, 0

    def readline(self) -> str:
        if self.out.getvalue().endswith(MORE + " "):
            self.mores += 1
            return "\n"
        return self.lines.pop(0) if self.lines else ""


def test_a_long_scene_is_paged_and_typing_starts_a_new_page():
    scenario = variant()
    out = io.StringIO()
    answers = Answering(out, numbers(scenario, 2, ["write", "thank"]).splitlines(keepends=True))
    session = Session(scenario, seed=2, options=SessionOptions(timers=False))
    status = TextPlayer(session, answers, out, tty=True, page_height=6, width=40, clock=StepClock(1)).run()
    assert status == 0 and answers.mores >= 3  # the intro and the scenes are longer than a screen
    # between two inputs (a "-- more --" or a choice prompt), never more than a screenful: 5 lines + the prompt
    for screen in re.split(re.escape(MORE) + "|Your choice \\(1-\\d\\): ", out.getvalue()):
        assert screen.count("\n") <= 5, screen
    assert [e["choice"] for e in session.log if e["type"] == "choice_made"] == ["write", "thank"]


def test_pager_counts_from_the_last_input():
    out = io.StringIO()
    pager = Pager(out, io.StringIO("\n").readline, tty=True, height=4)
    for i in range(3):
        pager.emit(f"a{i}")
    pager.typed()
    for i in range(3):
        pager.emit(f"b{i}")
    assert MORE not in out.getvalue()
    pager.emit("b3")
    assert out.getvalue().count(MORE) == 1


# --- 3. stage directions ------------------------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("(quietly, across the roof) Her hands are on the wheel.", ("quietly, across the roof", "Her hands are on the wheel.")),
    ("[signing] Slow, Mom.", ("signing", "Slow, Mom.")),
    ("*signs* Slow.", ("signs", "Slow.")),
    ("(under his breath) (signing) Don't move.", ("under his breath, signing", "Don't move.")),
    ("(nods)", ("nods", "")),
    ("Deaf. I'm Deaf.", (None, "Deaf. I'm Deaf.")),
    ("He said (twice) yes.", (None, "He said (twice) yes.")),
    ("(unclosed direction. Yes.", (None, "(unclosed direction. Yes.")),
])
def test_split_direction(text, expected):
    assert split_direction(text) == expected


@pytest.mark.parametrize("name", ["deaf-driver-traffic-stop", "collision-limited-english"])
def test_stage_directions_in_bundled_scenarios_are_outside_the_quotes(name):
    scenario = load_ok(ROOT / "scenarios" / f"{name}.yaml")
    player = TextPlayer(Session(scenario, seed=1), io.StringIO(), io.StringIO())
    directed = 0
    for node in scenario.nodes:
        for line in node.lines:
            text = line.text.get(scenario.language, scenario.language)
            shown = player.spoken("Sam", text)
            assert "\u201c(" not in shown and "\u201c[" not in shown, shown
            if text.startswith("("):
                directed += 1
                assert re.match(r"Sam \([^)]+\): \u201c[^(]", shown), shown
    assert directed or name != "deaf-driver-traffic-stop"  # the Deaf-driver scenario has seven


def test_a_played_line_with_a_direction():
    scenario = variant()
    _status, out, _session = play(scenario, numbers(scenario, 2, ["write", "thank"]))
    assert "Kim (quietly, at your shoulder): \u201cYour call.\u201d" in out


# --- 4. timeouts --------------------------------------------------------------------------------

def test_a_timer_that_runs_out_is_announced_in_the_scenario_words():
    scenario = variant()
    # the clock moves 20 s at every reading: the 10-second timer has run out when the prompt is shown
    status, out, session = play(scenario, "3\n", timed=True, clock=StepClock(20.0))
    assert "Time ran out: You hesitate, and Sam turns away." in out
    assert [e["type"] for e in session.log].count("timer_expired") == 1
    after = out.split("Time ran out:")[1]
    assert "Sam looks at you." in after  # the next moment comes after the announcement
    assert status == 3  # "3" answered the second scene's prompt, then input ended


def test_a_timeout_without_text_still_says_what_happened():
    scenario = load_ok(FIXTURES / "minimal.yaml")  # its expiry has no text
    _status, out, _session = play(scenario, "", timed=True, clock=StepClock(20.0))
    assert "Time ran out: you did not decide in time." in out


def test_an_answer_in_time_is_not_a_timeout():
    scenario = variant()
    status, out, session = play(scenario, numbers(scenario, 2, ["write", "thank"]), timed=True, clock=StepClock(1.0))
    assert status == 0 and "Time ran out" not in out and "You have 10 seconds to decide." in out
    assert [e["type"] for e in session.log].count("timer_expired") == 0


# --- 8. undo with a reason ----------------------------------------------------------------------

def test_undo_asks_why_and_logs_it_at_the_time_it_happened():
    scenario = load_ok(FIXTURES / "minimal.yaml")
    typed = numbers(scenario, 2, ["write", ("u", "to discuss the listening branch"), "listen"], allow_undo=True)
    status, out, session = play(scenario, typed, undo=True)
    assert status == 3  # input ends before an ending; the log holds everything
    assert "Why step back? (for the record)" in out and "Undone: back to the previous decision." in out
    undo = next(e for e in session.log if e["type"] == "undo")
    chosen = [e for e in session.log if e["type"] == "choice_made"]
    assert undo["reason"] == "to discuss the listening branch" and undo["actor"] == "trainee"
    # the first decision took 2 s (one tick of the clock); u came one tick after the next moment appeared
    assert chosen[0]["t"] == 2.0 and undo["t"] == 4.0
    assert [c["choice"] for c in chosen] == ["write", "listen"]


def test_undo_with_nothing_to_undo_and_an_empty_reason():
    scenario = load_ok(FIXTURES / "minimal.yaml")
    typed = "u\n" + numbers(scenario, 2, ["write", ("u", ""), "write", "thank"], allow_undo=True)
    status, out, session = play(scenario, typed, undo=True)
    assert status == 0 and "There is no decision to undo yet." in out
    assert next(e for e in session.log if e["type"] == "undo")["reason"] is None


# --- 7. every interface word through gettext ----------------------------------------------------



def strings_in(data) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for value in data.values() for s in strings_in(value)]
    if isinstance(data, list):
        return [s for value in data for s in strings_in(value)]
    return []


def unmarked(out: str, content: list[str]) -> str:
    """What is left of `out` once scenario text and bracketed (translated) messages are taken out."""
    rest = " ".join(out.split())
    pieces = set()
    for text in content:
        text = " ".join(text.split())
        pieces |= {text, text[:1].lower() + text[1:]}
        pieces |= {p for p in split_direction(text) if p}
    for piece in sorted(pieces, key=len, reverse=True):
        rest = rest.replace(piece, "")
    while True:
        shorter = re.sub("\u27e6[^\u27e6\u27e7]*\u27e7", "", rest)
        if shorter == rest:
            return rest
        rest = shorter


def test_every_interface_word_in_text_mode_goes_through_gettext(pseudo):
    pseudo.set_language("es")
    raw = minimal_text().replace("expire: {id: first-timeout,", 'expire: {id: first-timeout, text: "Sam turns away.",')
    scenario = scenario_from(raw)
    options = SessionOptions(timers=True, allow_undo=True)
    # the timer runs out, a bad answer, an undo with its question, then to the ending and the history
    dry = Session(scenario, seed=2, options=options)
    dry.expire_timer()
    dry.undo()
    typed = ["x", "u", "because"]
    for move in ("write", "thank"):
        typed.append(str([c.id for c in dry.presented()].index(move) + 1))
        dry.choose(move)
    session = Session(scenario, seed=2, options=options)
    out = io.StringIO()
    clock = iter([0, 20] + [100 + i for i in range(100)])  # 20 s pass before the first answer: time runs out
    TextPlayer(session, io.StringIO("\n".join(typed) + "\n"), out, timed=True, clock=lambda: next(clock)).run()
    assert session.ended and "\u27e6" in out.getvalue()
    content = strings_in(yaml.safe_load(raw)) + list(scenario.behaviour.level_names)
    content += list(scenario.behaviour.rapport_names)
    content += [cause.get("why") or "" for event in session.log for cause in event.get("causes", [])]
    rest = unmarked(out.getvalue(), [c for c in content if c])
    assert re.fullmatch(r"[\s\d.,:;()\-\u201c\u201d]*", rest), f"not marked for translation: {rest!r}"
    for kind in ("timer_expired", "undo", "ending_reached"):
        assert any(e["type"] == kind for e in session.log), kind
    paged = io.StringIO()
    pager = Pager(paged, io.StringIO("").readline, tty=True, height=3)
    for line in "abc":
        pager.emit(line)
    assert "\u27e6" + MORE + "\u27e7" in paged.getvalue()
