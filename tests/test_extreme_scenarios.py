"""Property tests: valid scenarios with extreme but legal values, and shipped scenarios with hostile
text, play to an ending in text mode, grade, and run title-to-debrief in the window.

1. `test_extreme_valid_scenario_plays_grades_and_renders` builds scenarios in the shape of
   tests/fixtures/minimal.yaml (docs/scenario-format.md) with values at the edges of what the
   format allows: a chain of up to 300 nodes, up to 30 choices at a node, texts up to 10,000
   characters of non-ASCII, emoji, combining marks and right-to-left script, timers of 0.001, 1
   and 600 s (600 is the schema's maximum; 3600 is not legal), outcome weights from 1e-6 to 10**6,
   a custom variable with ranges up to the loader's limit of 1,000,000,000 either side of 0 and
   effects at the bounds (`=min`, `=max`, `+-(max-min)` up to that limit), escalation and rapport
   effects at their bounds, and always-true conditions of a few hundred characters; every grade
   (with `against` lists of one to all eleven competencies), every behaviour a node can show
   (with `toward` for threats), labels from the short texts, and a debrief of up to five
   takeaways and questions.
2. `test_shipped_scenario_with_hostile_text` replaces one text field of a shipped scenario
   (mostly one the trainee sees on a first-choice path) with control characters, NUL, bidi
   overrides, emoji or 10,000 characters.

For every file that `load_scenario_bytes` accepts: (a) `TextPlayer` on StringIO streams plays it
to an ending with seeded random choices, and the engine alone plays it with timer expiries;
(b) `scoring.grade`, the JSON report and the text debrief run; (c) the window (SDL dummy driver)
goes title -> library (the file preselected with scenario_path=) -> briefing -> scene -> ending ->
all seven debrief pages, always taking choice 1, with no exception, no grading error and no
text-fit problem in the window's audit. A file the loader refuses is not a failure here (the
fuzzer in benchmarks/fuzz.py covers refusals); `hypothesis.event` counts the refusal codes.

Loading, play and the window each run under an alarm, so a hang fails the example instead of
the run. Shrinking is off (a hanging example would be re-run for minutes); CI runs derandomised
(tests/conftest.py). PARLEY_EXTREME_EXAMPLES sets the number of examples (default 4 and 6).
"""
from __future__ import annotations

import contextlib
import io
import os
import random
import signal
from pathlib import Path

import pygame
import pytest
import yaml
from hypothesis import HealthCheck, Phase, event, given, note, settings
from hypothesis import strategies as st

from scoring.grade import grade
from scoring.report import text_debrief
from simulator.cli.textmode import TextPlayer
from simulator.content.behaviour import default_model
from simulator.content.loader import load_scenario_bytes
from simulator.engine.model import BEHAVIOURS, GRADES
from simulator.engine.session import Session

from .conftest import bundled_paths
from .ui_helpers import DT, make_app, press, to_library

EXAMPLES = int(os.environ.get("PARLEY_EXTREME_EXAMPLES", "0"))
MAX_STEPS = 20_000
LOAD_SECONDS = 20  # far above the 2 s the loader should need; only here so a hang fails
PLAY_SECONDS = 60
WINDOW_SECONDS = 120

PROPERTY = settings(max_examples=EXAMPLES or 4, deadline=None,
                    phases=(Phase.explicit, Phase.reuse, Phase.generate),
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.large_base_example])


# --- YAML that keeps signed effects (`+1` adds; a bare `1` is an error) ------------------------

class Signed(int):
    """An integer that is written with its sign."""


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    pass


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    pass


_Dumper.add_representer(Signed, lambda d, v: d.represent_scalar("tag:yaml.org,2002:int", f"{int(v):+d}"))
_Loader.add_constructor("tag:yaml.org,2002:int", lambda loader, node: (
    Signed if node.value[:1] in "+-" else int)(loader.construct_yaml_int(node)))
_Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))


def to_yaml(data) -> bytes:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100).encode("utf-8")


# --- guards --------------------------------------------------------------------------------------

@contextlib.contextmanager
def alarm(seconds: int, what: str):
    """Fail with a clear message instead of hanging (SIGALRM; the main thread only)."""
    def ring(signum, frame):
        raise TimeoutError(f"{what} took more than {seconds} s")
    old = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


class RandomInput:
    """Standard input for TextPlayer: each prompt gets the number of a random available choice."""

    def __init__(self, session: Session, rng: random.Random):
        self.session, self.rng, self.steps = session, rng, 0

    def readline(self) -> str:
        n = len(self.session.available())
        assert n, f"no choice is available at {self.session.view().node_id!r}: text mode is stuck"
        assert self.steps < MAX_STEPS, f"no ending after {MAX_STEPS} random decisions"
        self.steps += 1
        return f"{self.rng.randint(1, n)}\n"


# --- the three checks ----------------------------------------------------------------------------

def check_text_mode_and_grading(scenario, seed: int) -> None:
    """(a) text mode to an ending, the engine with timer expiries; (b) grade, report, debrief."""
    with alarm(PLAY_SECONDS, "text-mode play and grading"):
        session = Session(scenario, seed=seed)
        out = io.StringIO()
        status = TextPlayer(session, RandomInput(session, random.Random(seed)), out, show_meter=True,
                            timed=False, debrief=text_debrief).run()
        assert status == 0 and session.ended, out.getvalue()[-2000:]
        assert session.log[-1]["type"] == "ending_reached"
        assert "=== Debrief ===" in out.getvalue()
        report = grade(scenario, session.log)
        assert report.complete
        report.dumps()
        # the clock's branch as well: let every timer that runs expire on a second playthrough
        timed = Session(scenario, seed=seed + 1)
        picks = random.Random(seed + 1)
        for _ in range(MAX_STEPS):
            if timed.ended:
                break
            if timed.timer_seconds() is not None and picks.random() < 0.5:
                timed.expire_timer()
            else:
                choices = timed.available()
                assert choices or timed.timer_seconds() is not None, f"stuck at {timed.view().node_id!r}"
                timed.choose(picks.choice(choices).id, round(picks.uniform(0, 700), 3))
        assert timed.ended, f"no ending after {MAX_STEPS} decisions with timers"
        grade(scenario, timed.log).dumps()


def check_window(path: Path, decisions_limit: int) -> None:
    """(c) title -> library (preselected) -> briefing -> scene -> ending -> seven debrief pages."""
    with alarm(WINDOW_SECONDS, "the window, title to debrief"):
        app = make_app(scenario_path=path)
        to_library(app)
        library = app.top
        entry = library.chosen
        assert entry is not None and entry.path == path, "the library did not preselect the file"
        assert app.catalog.error is None, app.catalog.error
        assert entry.ok, "the library refuses a file the loader accepted: " + "; ".join(entry.problems[:3])
        press(app, pygame.K_RETURN)  # Start
        assert app.top.name == "briefing"
        press(app, pygame.K_RETURN)  # Begin
        decisions = frames = 0
        while app.top.name == "scene":
            assert decisions <= decisions_limit, "the window did not reach an ending"
            frames += 1
            assert frames <= 20 * (decisions_limit + 5), "the scene does not move on"
            scene = app.top
            if scene.phase == "reading":
                press(app, pygame.K_SPACE)  # shows all the text; a timer of 0.001 s may expire at once
                continue
            assert scene.view.choices or scene.view.timer_seconds, f"no way on at {scene.view.node_id!r}"
            press(app, pygame.K_1)
            decisions += 1
        assert app.top.name == "ending", f"after {decisions} decisions the window shows {app.top.name!r}"
        ending = app.top
        ending.wait(60)
        for _frame in range(60):  # the ending ignores keys for its first moments (simulator/ui/keyguard.py)
            app.step(DT)
        assert ending.error is None, f"grading in the window failed: {ending.error}"
        press(app, pygame.K_RETURN)
        debrief = app.top
        assert debrief.name == "debrief"
        for page in range(1, 7):
            press(app, pygame.K_RIGHT)
            assert debrief.page == page
        press(app, pygame.K_ESCAPE)
        for _ in range(3):
            app.step(DT)
        assert app.audit.problems == [], "text does not fit in the window: " + "; ".join(app.audit.problems[:5])


def load(raw: bytes, name: str):
    with alarm(LOAD_SECONDS, "load_scenario_bytes"):
        result = load_scenario_bytes(raw, name)
    if not result.ok:
        for code in sorted({d.code for d in result.errors}):
            event(f"refused: {code}")
        note("refused: " + "; ".join(d.format()[:200] for d in result.errors[:5]))
        return None
    event("accepted")
    return result.scenario


# --- property 1: valid scenarios with extreme values -------------------------------------------

MODEL = default_model()
TAGS = sorted(MODEL.tags)
HARMFUL = {t for t, info in MODEL.tags.items() if info.get("polarity") == "harmful"}
FORCES = sorted(MODEL.force_levels)
COMPETENCIES = ["information-assessment", "time-distance-cover", "active-listening", "command-discipline",
                "empathy-rapport", "procedural-justice", "proportionality", "communication-access",
                "cultural-awareness", "crisis-referral", "teamwork-intervention"]
WORLD = ("abc XYZ 0123 \u00e9\u00df\u00f8\u0142 \u03b1\u03b2\u03b3 \u0436\u0449\u044f \u05e9\u05dc\u05d5\u05dd "
         "\u0645\u0631\u062d\u0628\u0627 \u4f60\u597d\u4e16\u754c \u3053\u3093\u306b\u3061\u306f \ud55c\uad6d\uc5b4 "
         "\u0939\u093f\u0928\u094d\u0926\u0940 \U0001f600\U0001f46e\U0001f3fd\u200d\u2640\ufe0f\U0001f1fa\U0001f1e6 "
         "e\u0301\u0327 \u2014\u2026\u201c\u201d \u00a0\u2009 \U00010348\U0001d11e ,.!?;:'\"()-")
PIECES = ["Hello.", "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd",
          "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645", "\U0001f469\u200d\U0001f692\U0001f6a8", "\u4f60\u597d",
          "Z\u0351\u0354\u0348a\u0358\u0347l\u035cg\u0361o\u0489", "abc " * 3, "\U0001f1fa\U0001f1e6 \U0001f3f3\ufe0f\u200d\U0001f308"]

text_unit = st.one_of(st.text(alphabet=WORLD, min_size=1, max_size=40), st.sampled_from(PIECES))


@st.composite
def texts(draw, long: bool = True):
    unit = draw(text_unit)
    if not unit.strip():
        unit = "x" + unit
    times = draw(st.sampled_from([1, 1, 1, 20, 250] if long else [1, 1, 3]))
    return (unit + " ") * (times - 1) + unit if times > 1 else unit


# The loader allows numbers up to 1,000,000,000 either side of 0 (values, bounds and changes).
LIMIT = 10 ** 9
RANGES = [(0, 0), (0, 1), (-LIMIT, LIMIT), (0, LIMIT), (-LIMIT, 0), (-LIMIT, -LIMIT + 1), (LIMIT - 1, LIMIT)]


@st.composite
def extreme_scenarios(draw):
    n_nodes = draw(st.sampled_from([1, 2, 5, 40, 300]))
    n_endings = draw(st.integers(1, 5))
    lo, hi = draw(st.sampled_from(RANGES))
    initial = draw(st.sampled_from([lo, hi, min(max(0, lo), hi)]))
    two_languages = draw(st.booleans())
    seed = draw(st.integers(0, 2 ** 32 - 1))
    rng = random.Random(seed)  # the many small choices below; the draws above are what varies most

    long_pool = draw(st.lists(texts(True), min_size=2, max_size=6))
    short_pool = draw(st.lists(texts(False), min_size=2, max_size=6))

    def text(long: bool = True):  # from a few drawn texts, so that 300 nodes stay a small draw
        t = rng.choice(long_pool if long else short_pool)
        if long and len(t) > 300 and rng.random() > 4 / n_nodes:
            t = t[:300]  # keep big scenarios under the 5 MB limit: long texts on a few nodes only
        if two_languages and rng.random() < 0.5:
            return {"en": t, "ar": "\u0646\u0635 " + t}
        return t

    width = min(hi - lo, LIMIT)
    effect_pool = [{"escalation": Signed(6)}, {"escalation": Signed(-6)}, {"escalation": "=0"},
                   {"escalation": "=6"}, {"rapport": Signed(5)}, {"rapport": "=5"}, {"rapport": Signed(-5)},
                   {"level": f"={lo}"}, {"level": f"={hi}"}, {"level": Signed(width)}, {"level": Signed(-width)},
                   {"level": Signed(1)}, {"escalation": Signed(1), "rapport": Signed(-1), "level": Signed(-1)}]
    long_condition = " and ".join(["(escalation >= 0 or rapport > 5)", f"(level >= {lo})", f"(level <= {hi})",
                                   "not (escalation > 6)", "(rapport - escalation <= 5)",
                                   f"(level - {lo} >= 0 or escalation == 99)", "(factor_revealed <= 1)",
                                   "(recovery >= 0)"] * 2)
    endings = {f"end-{e}": {"outcome": ["resolved", "referred", "arrest", "force-used", "injury"][e],
                            "title": text(False), "text": text(), "debrief": text(), "perspective": text()}
               for e in range(n_endings)}
    ending_ids = list(endings)
    max_choices = draw(st.sampled_from([1, 3, 9, 30]))

    def graded(choice: dict) -> dict:
        """Any grade; one that lowers a competency names it when no harmful tag does (1 to all 11)."""
        choice["grade"] = rng.choice(GRADES)
        if choice["grade"] != "good" and (choice["grade"] != "acceptable" or rng.random() < 0.5) \
                and not HARMFUL & set(choice.get("tags", ())):
            choice["against"] = rng.sample(COMPETENCIES, rng.choice([1, 2, len(COMPETENCIES)]))
        return choice
    nodes = {}
    for i in range(n_nodes):
        forward = f"n{i + 1}" if i + 1 < n_nodes else None
        k = rng.randint(1, max_choices)
        if forward is None:
            k = max(k, n_endings)
        choices = []
        for j in range(k):
            if forward is None:
                target = ending_ids[j % n_endings]
            else:
                roll = rng.random()
                target = (forward if j == 0 or roll < 0.6 else rng.choice(ending_ids) if roll < 0.8
                          else f"n{max(0, i - rng.randint(1, 2))}")
            choice = graded({"id": f"c{i}-{j}", "text": text(False), "tags": rng.sample(TAGS, rng.randint(1, 3)),
                             "feedback": text()})
            if j > 0 and rng.random() < 0.3:
                choice["condition"] = long_condition
            if rng.random() < 0.4:
                choice["effects"] = dict(rng.choice(effect_pool))
            if rng.random() < 0.1:
                choice["force"] = rng.choice(FORCES)
            if rng.random() < 0.05:
                choice["reveals"] = True
            if rng.random() < 0.2:
                choice["outcomes"] = [{"weight": rng.choice([1, 10 ** 6, 1e-6, 0.5]), "next": target,
                                       "text": text(False)}]
                for _ in range(rng.randint(1, 2)):
                    choice["outcomes"].append({"weight": rng.choice([1, 10 ** 6, 1e-6]),
                                               "next": forward or rng.choice(ending_ids),
                                               "effects": dict(rng.choice(effect_pool)),
                                               "condition": long_condition})
            else:
                choice["next"] = target
            choices.append(choice)
        node = {"label": text(False), "narrative": text(), "present": ["subject", "partner"],
                "lines": [{"speaker": rng.choice(["subject", "partner", "you", "dispatch"]), "text": text()}
                          for _ in range(rng.randint(0, 3))],
                "behaviour": text(), "perspective": text(), "choices": choices}
        if rng.random() < 0.3:
            node["timer"] = {"seconds": rng.choice([0.001, 1, 599.999, 600]),
                             "expire": graded({"id": f"t{i}", "text": text(False), "effects": dict(rng.choice(effect_pool)),
                                               "tags": ["rush"], "feedback": text(), "next": forward or ending_ids[0]})}
        # What the person shows: required where force is offered, else left out now and then
        forced = any(c.get("force", "presence") != "presence" for c in choices)
        if forced or rng.random() < 0.8:
            node["shows"] = rng.choice(BEHAVIOURS)
            if node["shows"] in ("assaultive", "life-threatening") and rng.random() < 0.5:
                node["toward"] = rng.choice(["self", "officers", "others"])
        nodes[f"n{i}"] = node
    data = {
        "format": 1, "id": "extreme-" + "x" * 56, "version": "999999999.999999.99999-\u00e9", "title": text(False),
        "summary": text(), "audience": ["recruit", "in-service", "community"], "minutes": draw(st.sampled_from([1, 240])),
        "topics": ["t" * 64, "a"], "language": "en", "languages": ["en", "ar"] if two_languages else ["en"],
        "location": text(), "dispatch": text(),
        "learning_objectives": [{"id": f"o{i}", "text": text()} for i in range(rng.randint(1, 3))],
        "content_notes": [text(False) for _ in range(rng.randint(1, 3))],
        "authors": [{"name": rng.choice(short_pool), "role": rng.choice(short_pool)}],
        "reviewers": [{"name": rng.choice(short_pool), "role": rng.choice(short_pool)}],
        "characters": {"subject": {"name": text(False), "role": "subject", "description": text()},
                       "partner": {"name": text(False), "role": "partner"}},
        "state": {"escalation": draw(st.sampled_from([0, 6])), "rapport": draw(st.sampled_from([0, 5])),
                  "hidden_factor": {"id": "factor", "kind": "other", "description": text()},
                  "variables": {"level": {"initial": initial, "min": lo, "max": hi,
                                          "description": rng.choice(short_pool)}}},
        "graham": {"offence": text(False), "offence_severity": rng.choice(["none", "violent"]),
                   "weapon": rng.choice([False, "A " + rng.choice(short_pool)]), "danger_to_others": rng.choice([True, False])},
        "start": "n0", "nodes": nodes, "endings": endings,
    }
    if rng.random() < 0.7:
        data["debrief"] = {"takeaways": [text() for _ in range(rng.choice([1, 3, 5]))],
                           "questions": [text() for _ in range(rng.choice([1, 2, 5]))]}
    return Case(data, seed, f"{n_nodes} nodes, up to {max_choices} choices, {n_endings} endings, "
                            f"level {lo}..{hi} from {initial}, languages {data['languages']}, seed {seed}")


class Case:
    """A generated scenario; shown by its summary, not as a page of YAML, when an example fails."""

    def __init__(self, data: dict, seed: int, summary: str):
        self.data, self.seed, self.summary = data, seed, summary

    def __repr__(self) -> str:
        return f"Case({self.summary})"


@PROPERTY
@given(extreme_scenarios())
def test_extreme_valid_scenario_plays_grades_and_renders(case):
    data, seed = case.data, case.seed
    raw = to_yaml(data)
    note(f"{len(raw):,} bytes")
    scenario = load(raw, "extreme.yaml")
    if scenario is None:
        return
    check_text_mode_and_grading(scenario, seed % 1000)
    import tempfile
    with tempfile.TemporaryDirectory(prefix="parley-extreme-") as folder:
        path = Path(folder) / "extreme.yaml"
        path.write_bytes(raw)
        check_window(path, decisions_limit=len(data["nodes"]) + 5)


# --- property 2: shipped scenarios with one hostile text field ----------------------------------

SHIPPED = {p.stem: (p, yaml.load(p.read_bytes(), Loader=_Loader)) for p in bundled_paths()}
TEXT_KEYS = {"title", "summary", "location", "dispatch", "narrative", "behaviour", "perspective", "text",
             "feedback", "debrief", "name", "description", "role", "offence", "label"}
TEXT_LISTS = {"content_notes", "takeaways", "questions"}  # lists whose items are texts
HOSTILE = ["\x00", "a\x00b", "\x1b[2J\x1b[H\x1b]0;pwned\x07", "\u202eevil\u202c text", "\u2066\u2067\u2068\u2069",
           "x" * 10_000, "\U0001f600" * 2000, "\U0001f469\u200d\U0001f692" * 500, "\u0301" * 5000,
           "W" * 9999 + "\U0001f4a5", "\r\r\r\n\n\n", "line\n" * 2000, "\t" * 100, "\ufeff\u200b\u200c\u200d",
           "\x07\x08\x0b\x0c\x7f\x85\x9f", "\u2028\u2029", "%s %d {0} {x} $(echo) <b>&amp;</b>", " " * 5000 + ".",
           "\U0010fffd\ufffe\uffff", "\u0645\u0631\u062d\u0628\u0627 " * 2000]


def _text_slots(data, path=()):
    """Paths of every text string (plain or one language of a text map) in a scenario."""
    if isinstance(data, dict):
        for key, value in data.items():
            here = path + (key,)
            if isinstance(value, str) and key in TEXT_KEYS:
                yield here
            elif isinstance(value, dict) and key in TEXT_KEYS and all(isinstance(v, str) for v in value.values()):
                yield from (here + (lang,) for lang in value)
            elif isinstance(value, (dict, list)):
                yield from _text_slots(value, here)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            if isinstance(value, str) and path and path[-1] in TEXT_LISTS:
                yield path + (i,)
            elif isinstance(value, dict) and path and path[-1] in TEXT_LISTS \
                    and all(isinstance(v, str) for v in value.values()):
                yield from (path + (i, lang) for lang in value)
            elif isinstance(value, (dict, list)):
                yield from _text_slots(value, path + (i,))


def _first_choice_path(name: str) -> set:
    """Ids of the nodes and ending the window's walk passes (choice 1, the first shown, at every node,
    seed 7)."""
    from .conftest import load_ok
    path, _ = SHIPPED[name]
    scenario = load_ok(path)
    session = Session(scenario, seed=7)
    seen = set()
    while not session.ended:
        seen.add(session.view().node_id)
        session.choose(session.presented()[0].id)
    seen.add(session.view().ending.id)
    return seen


SEEN = {name: _first_choice_path(name) for name in SHIPPED}
SLOTS = {name: list(_text_slots(data)) for name, (_, data) in SHIPPED.items()}
VISIBLE = {name: [p for p in SLOTS[name] if p[0] not in ("nodes", "endings") or p[1] in SEEN[name]]
           for name in SHIPPED}

hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.builds(lambda s, n: (s * n)[:10_000] or "x",
              st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=30),
              st.sampled_from([1, 1, 50, 10_000])))


@settings(PROPERTY, max_examples=EXAMPLES or 6)
@given(st.sampled_from(sorted(SHIPPED)), st.data(), hostile_text, st.sampled_from(["replace", "append", "prepend"]))
def test_shipped_scenario_with_hostile_text(name, data, hostile, how):
    path, original = SHIPPED[name]
    slots = VISIBLE[name] if data.draw(st.integers(0, 3), label="pick") else SLOTS[name]
    slot = data.draw(st.sampled_from(slots), label="field")
    import copy
    mutated = copy.deepcopy(original)
    holder = mutated
    for key in slot[:-1]:
        holder = holder[key]
    old = holder[slot[-1]]
    holder[slot[-1]] = {"replace": hostile, "append": old + hostile, "prepend": hostile + old}[how]
    note(f"{name}: {how} {'.'.join(map(str, slot))} with {hostile[:30]!r} ({len(hostile):,} chars)")
    raw = to_yaml(mutated)
    scenario = load(raw, f"{name}.yaml")
    if scenario is None:
        return
    check_text_mode_and_grading(scenario, 11)
    import tempfile
    with tempfile.TemporaryDirectory(prefix="parley-hostile-") as folder:
        target = Path(folder) / path.name
        target.write_bytes(raw)
        check_window(target, decisions_limit=200)


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_round_trip_of_shipped_scenarios_is_accepted(name):
    """The property above rewrites shipped files through PyYAML; unmutated, they must stay valid."""
    path, data = SHIPPED[name]
    result = load_scenario_bytes(to_yaml(data), path.name)
    assert result.ok, "\n".join(d.format() for d in result.errors[:10])
