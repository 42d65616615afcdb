"""The library, briefing and debrief as a newcomer meets them (issue #11): each scenario's own art,
content notes first, objectives that would give the twist away kept until after play, topics by name,
review status only for instructors, a timeout marker no level shape can be mistaken for, a full
summary page, singular and plural counts, quotes never doubled, layouts registered with the audit,
every word through gettext, and self-voicing when a page appears."""
from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import pygame
import pytest

from scoring.report import _render_text
from scoring.words import closed, quoted, raised_lowered, times
from simulator import i18n
from simulator.content.loader import bundled_scenarios
from simulator.engine.session import Session
from simulator.ui.catalog import Entry
from simulator.ui.chart import draw_chart, draw_clock, draw_legend, legend_items
from simulator.ui.screens.briefing import FALLBACK_BACKGROUND, BriefingScreen
from simulator.ui.screens.debrief import PAGES, DebriefScreen
from simulator.ui.screens.ending import EndingScreen
from simulator.ui.screens.library import LibraryScreen
from simulator.ui.screens.scene import SceneScreen
from simulator.ui.theme import LEVEL_SHAPES, draw_level_shape
from simulator.ui.topics import AUDIENCE_NAMES, TOPIC_NAMES, audience_name, readable, topic_name
from tests.i18n_helpers import Pseudo
from tests.ui_helpers import DT, make_app

ROOT = Path(__file__).resolve().parent.parent
OWNED = ["simulator/ui/screens/library.py", "simulator/ui/screens/briefing.py", "simulator/ui/screens/debrief.py",
         "simulator/ui/chart.py", "simulator/ui/catalog.py", "simulator/ui/topics.py", "scoring/words.py",
         "scoring/debrief.py", "scoring/report.py"]
# The deaf-force golden playthrough (tests/test_scoring_golden.py): a timer runs out, then force.
FORCE_RUN = ["stop-pa", "approach-call-out", "noresp-repeat-louder", "<timer>", "reach-grab-arm", "grab-pull-out",
             "takedown-stop"]


@pytest.fixture(scope="module")
def app():
    return make_app()


def entry_for(app, scenario_id: str) -> Entry:
    return next(e for e in app.catalog.entries if e.ok and e.scenario.id == scenario_id)


def with_scenario(entry: Entry, **changes) -> Entry:
    """A catalog entry for a changed copy of `entry`'s scenario (the model is frozen)."""
    return Entry(entry.path, dataclasses.replace(entry.scenario, **changes))


def played(app, entry: Entry, steps: list[str] | None = None, pick=lambda choices: choices[0]) -> DebriefScreen:
    """A debrief of `entry` played with `steps` (choice ids, "<timer>"), or by `pick` to the end."""
    scenario = entry.scenario
    session = Session(scenario, seed=3)
    for step in steps or []:
        session.expire_timer() if step == "<timer>" else session.choose(step)
    while not session.ended:
        session.choose(pick(session.view().choices).id)
    scene = SceneScreen(app, entry, scenario.language)
    scene.session = session
    ending = EndingScreen(app, scene)
    ending.wait(60)
    app.push(ending)
    debrief = DebriefScreen(app, scene, ending.report)
    app.replace_top(debrief)
    return debrief


def library_words(app, entry: Entry) -> list[str]:
    library = LibraryScreen(app)
    app.push(library)
    try:
        return [span.text for span in library._description(entry.scenario)]
    finally:
        app.pop()


# --- 1. the scenario's own art ------------------------------------------------------------------

def test_briefing_and_debrief_use_the_scenarios_own_art(app):
    entry = entry_for(app, "collision-limited-english")
    start = entry.scenario.nodes[entry.scenario.start]
    assert start.background and "day" in start.background  # a daytime scenario: no night sky
    assert BriefingScreen(app, entry, "en").background == start.background
    debrief = played(app, entry)
    ending_art = debrief.scene.session.view().background
    assert debrief._background() == (ending_art or start.background) != FALLBACK_BACKGROUND
    app.pop()
    bare = with_scenario(entry, nodes=tuple(dataclasses.replace(n, background=None) if n.index == start.index else n
                                            for n in entry.scenario.nodes))
    assert BriefingScreen(app, bare, "en").background == FALLBACK_BACKGROUND


# --- 2. content notes first ---------------------------------------------------------------------

@pytest.mark.parametrize("scenario_id", ["collision-limited-english", "deaf-driver-traffic-stop"])
def test_content_notes_come_before_the_scenario_in_library_and_briefing(app, scenario_id):
    entry = entry_for(app, scenario_id)
    sc = entry.scenario
    notes = [n.get("en", "en") for n in sc.content_notes]
    assert notes
    words = library_words(app, entry)
    heading = words.index("Content notes")
    assert heading < words.index(sc.summary.get("en", "en"))
    assert heading < words.index("Learning objectives")
    assert all(any(note in w for w in words[heading:heading + len(notes) + 1]) for note in notes)
    briefing = BriefingScreen(app, entry, "en")
    app.push(briefing)
    body = [span.text for span in briefing.body()]
    app.pop()
    assert body[0] == "Content notes"
    assert [w.lstrip("• ") for w in body[1:len(notes) + 1]] == notes


# --- 3. objectives kept until after play --------------------------------------------------------

@pytest.mark.parametrize("hidden, note", [(1, "1 more objective is shown after you play."),
                                          (2, "2 more objectives are shown after you play.")])
def test_after_play_objectives_are_only_in_the_debrief(app, hidden, note):
    entry = entry_for(app, "deaf-driver-traffic-stop")
    objectives = tuple(dataclasses.replace(o, after_play=i < hidden) for i, o in enumerate(entry.scenario.objectives))
    changed = with_scenario(entry, objectives=objectives)
    secret = [o.text.get("en", "en") for o in objectives if o.after_play]
    words = library_words(app, changed)
    assert note in words
    assert not any(s in w for s in secret for w in words)
    briefing = BriefingScreen(app, changed, "en")
    app.push(briefing)
    assert not any(s in " ".join(sp.text for sp in briefing.body()) for s in secret)
    app.pop()
    debrief = played(app, changed)
    last = debrief.page_text(len(PAGES) - 1)
    assert all(s in last for s in secret)  # the debrief shows every objective
    app.pop()


# --- 4. topics by name --------------------------------------------------------------------------

def test_every_known_topic_and_audience_has_a_name_and_unknown_slugs_read_as_words():
    slugs = set()
    for path in bundled_scenarios() + [ROOT / "benchmarks" / "generate.py", ROOT / "tests" / "fixtures" / "minimal.yaml"]:
        for line in re.findall(r"topics: \[([^\]]*)\]", path.read_text(encoding="utf-8")):
            slugs.update(t.strip() for t in line.split(","))
    assert slugs and slugs <= set(TOPIC_NAMES)
    assert topic_name("traffic-collision") == "Traffic collision" and topic_name("limited-english") == "Limited English"
    assert audience_name("in-service") == "In-service officers" and set(AUDIENCE_NAMES) >= {"recruit", "community"}
    assert topic_name("mental-health_crisis") == "Mental health crisis" == readable("mental-health_crisis")
    assert topic_name("") == ""


def test_library_filters_cards_and_details_show_topic_names_not_slugs(app):
    library = LibraryScreen(app)
    app.push(library)
    topic = next(w for w in library.filter_widgets if w.wid == "f-topic")
    shown = [topic.labels[v] for v in topic.values[1:]]
    assert shown and all("-" not in label or label in TOPIC_NAMES.values() for label in shown)
    assert "Traffic collision" in shown and "traffic-collision" not in shown
    slugs = {t for e in app.catalog.entries if e.ok for t in e.scenario.topics if "-" in t}
    for card in library.cards:
        assert not any(slug in card.detail for slug in slugs), card.detail
    words = " ".join(library_words(app, entry_for(app, "collision-limited-english")))
    assert "Topics: Traffic collision, Communication access, Limited English" in words
    assert not any(slug in words for slug in slugs)
    app.pop()


# --- 5. review status for instructors only ------------------------------------------------------

def test_review_status_is_for_instructors_only_and_never_a_warning_on_cards(app):
    entry = entry_for(app, "collision-limited-english")
    assert not entry.scenario.reviewers
    app.settings.instructor_details = False
    library = LibraryScreen(app)
    app.push(library)
    assert not any("review" in (card.detail or "").lower() or "draft" in (card.detail or "") for card in library.cards)
    app.pop()
    assert not any("review" in w.lower() for w in library_words(app, entry))
    app.settings.instructor_details = True
    try:
        words = library_words(app, entry)
        assert "Review: not yet reviewed by a community panel." in words
        # what a community review must check, and who should do it (the scenario's `review:`)
        assert "A community review should check:" in words and "Who should review it:" in words
        first_check = entry.scenario.review_checks[0].get("en", "en")
        assert any(first_check in w for w in words)
        reviewed = with_scenario(entry, reviewers=entry.scenario.authors)
        names = ", ".join(p.name for p in entry.scenario.authors)
        assert f"Review: reviewed by {names}." in library_words(app, reviewed)
        assert "A community review should check:" not in library_words(app, reviewed)
    finally:
        app.settings.instructor_details = False


# --- 6. the timeout marker ----------------------------------------------------------------------

def test_the_timeout_marker_is_hollow_where_every_level_shape_is_filled():
    """Every distress level's shape is a filled solid; the clock is a ring with hands, so a point just
    off its centre (away from the hands) is empty where each level shape has colour."""
    radius = 24
    size = (radius * 4, radius * 4)
    centre = (radius * 2, radius * 2)
    probe = (centre[0] - radius // 3, centre[1] + radius // 3)  # lower left: no hand points there
    clock = pygame.Surface(size, pygame.SRCALPHA)
    draw_clock(clock, centre, radius, (255, 200, 0))
    assert clock.get_at(probe).a == 0
    for level in range(len(LEVEL_SHAPES)):
        shape = pygame.Surface(size, pygame.SRCALPHA)
        draw_level_shape(shape, level, centre, radius)
        assert shape.get_at(probe).a > 0, LEVEL_SHAPES[level]
        ink = pygame.mask.from_surface(clock)
        assert ink.overlap_area(pygame.mask.from_surface(shape), (0, 0)) < 0.7 * pygame.mask.from_surface(shape).count()


def test_the_chart_has_a_legend_that_names_the_timeout_only_when_time_ran_out(app):
    steps = [{"kind": "start", "escalation": 1, "rapport": 0}, {"kind": "choice", "escalation": 2, "rapport": 0},
             {"kind": "timer", "escalation": 3, "rapport": 1}, {"kind": "ending", "escalation": 3, "rapport": 1}]
    assert legend_items(steps)[-1] == "time ran out"
    assert "time ran out" not in legend_items([s for s in steps if s["kind"] != "timer"])
    legend = draw_legend(steps, 600, app.theme, app.fonts)
    assert legend.get_width() == 600 and legend.get_height() > 0
    chart = draw_chart(steps, (700, 300), app.theme, app.fonts, ("a", "b", "c", "d", "e", "f", "g"), 5)
    assert chart.get_size() == (700, 300)
    debrief = played(app, entry_for(app, "deaf-driver-traffic-stop"), FORCE_RUN)
    page = PAGES.index("Distress and rapport")
    blocks = debrief.page_blocks(page, 1000)
    assert [kind for kind, _payload in blocks] == ["text", "image", "image", "text"]  # the legend under the chart
    assert "clock" in debrief.page_text(page) and "square" not in debrief.page_text(page)
    app.pop()


# --- 7. the summary page ------------------------------------------------------------------------

def test_the_summary_shows_a_large_result_the_outcome_what_mattered_and_the_counts(app):
    debrief = played(app, entry_for(app, "deaf-driver-traffic-stop"), FORCE_RUN)
    first = debrief.page_text(0)
    report = debrief.report
    assert f"{report['summary']['result_words']}: {report['overall']} out of 100" in first
    assert "(outcome: Force used)" in first
    assert "What mattered most: " in first
    assert re.search(r"\d critical errors?, (no major error|\d major errors?), (no mistake|\d mistakes?)\.", first)
    kinds = [kind for kind, _payload in debrief.page_blocks(0, 1190)]
    assert kinds[0] == "beside" and "columns" in kinds  # the mark beside the result; takeaways beside questions
    big = debrief.page_blocks(0, 1190)[0][1][1][0]
    assert big.px > app.theme.heading


@pytest.mark.parametrize("text_size", ["medium", "largest"])
@pytest.mark.parametrize("size", [(1280, 720), (3840, 2160)], ids=["1280x720", "3840x2160"])
def test_the_summary_never_overflows(size, text_size):
    app = make_app(size=size, text_size=text_size)
    for scenario_id in ("collision-limited-english", "deaf-driver-traffic-stop"):
        debrief = played(app, entry_for(app, scenario_id), pick=lambda c: c[-1])
        width = debrief.content_rect.width
        for kind, item, y, x in debrief.blocks:
            item_w = item.width if kind == "text" else item.get_width()
            assert x + item_w <= width, (kind, x, item_w, width)
        app.pop()
    assert app.audit.problems == []


# --- 8. plurals and quotes ----------------------------------------------------------------------

def test_quotes_are_never_doubled_and_counts_agree():
    assert quoted("Turn around!") == "“Turn around!”"
    for text in ("I'll say: 'Turn around! Now!'", '"Stop."', "“Stop.”", "'We were talking' could mean a phone."):
        assert quoted(text) == text
    assert closed("I'll wait") == "“I'll wait”." and closed("I'll wait.") == "“I'll wait.”"
    assert closed("and say \"Papers. Okay.\"") == "and say \"Papers. Okay.\""  # no period after its own
    assert [times(n) for n in (0, 1, 2, 3)] == ["never", "once", "twice", "3 times"]
    assert raised_lowered(1, 0) == "Your own choices raised it once and never lowered it."
    assert raised_lowered(0, 0) == "Your own choices neither raised nor lowered it."


DOUBLED = re.compile(r"[\"'“”‘’][“”]|[“”][\"'‘’]")
BAD_COUNTS = re.compile(r"\(s\)|\b1 (times|decisions|mistakes|errors|objectives|topics)\b|\b([02-9]|\d\d) time\b")


def grade_sentences(report: dict) -> list[str]:
    """Sentences scoring/grade.py writes (its own quoting, in `_quote`), as against the debrief's."""
    return ([report["result_rule"], (report.get("summary") or {}).get("headline") or ""]
            + [c["explanation"] for c in report["competencies"]] + [p.get("why") or "" for p in report["proportionality"]])


def without(text: str, parts: list[str]) -> str:
    """`text` without `parts`, whitespace made single (the text report wraps its lines)."""
    text = " ".join(text.split())
    for part in sorted(filter(None, (" ".join(p.split()) for p in parts)), key=len, reverse=True):
        text = text.replace(part, "")
    return text


def debriefs_of_both_kinds(app, scenario_id):
    entry = entry_for(app, scenario_id)
    for steps, pick in ((FORCE_RUN if scenario_id.startswith("deaf") else None, lambda c: c[-1]),
                        (None, lambda c: c[0])):
        debrief = played(app, entry, steps, pick)
        yield debrief
        app.pop()


@pytest.mark.parametrize("scenario_id", ["collision-limited-english", "deaf-driver-traffic-stop"])
def test_no_page_of_the_debrief_or_the_text_report_doubles_quotes_or_miscounts(app, scenario_id):
    for debrief in debriefs_of_both_kinds(app, scenario_id):
        others = grade_sentences(debrief.report)
        for page in range(len(PAGES)):
            text = without(debrief.page_text(page), others)
            assert not DOUBLED.search(text), (page + 1, DOUBLED.search(text).group(0))
            assert not BAD_COUNTS.search(text), (page + 1, BAD_COUNTS.search(text).group(0))
        plain = without(_render_text(debrief.report), others)
        assert not DOUBLED.search(plain) and not BAD_COUNTS.search(plain)


def test_grades_own_sentences_do_not_double_quotes(app):
    found = [DOUBLED.search(s) for d in debriefs_of_both_kinds(app, "deaf-driver-traffic-stop")
             for s in grade_sentences(d.report)]
    assert not any(found)


def test_the_text_report_counts_undos_in_words():
    report = {"summary": {}, "overall": 80, "result": "pass", "result_rule": "Pass.", "undos": 1,
              "critical_errors": [], "major_errors": [], "mistakes": [], "key_decisions": [], "competencies": [],
              "deescalation": {"start_name": "Calm", "peak_name": "Upset", "final_name": "Calm",
                               "rises_by_own_choices": 1, "falls_by_own_choices": 2, "resolved_without_force": True},
              "proportionality": [], "objectives": []}
    text = " ".join(_render_text(report).split())
    assert "1 decision was undone during play" in text
    assert "raised it once and lowered it twice" in text
    report["undos"] = 2
    assert "2 decisions were undone during play" in _render_text(report)


# --- 9. the layout audit ------------------------------------------------------------------------

def test_every_screen_registers_what_must_not_overlap(app, monkeypatch):
    registered = {}
    original = app.audit.apart

    def apart(where, boxes):
        registered[where] = [name for name, _rect in boxes]
        return original(where, boxes)
    monkeypatch.setattr(app.audit, "apart", apart)
    entry = entry_for(app, "collision-limited-english")
    library = LibraryScreen(app)
    app.push(library)
    app.pop()
    app.push(BriefingScreen(app, entry, "en"))
    app.pop()
    debrief = played(app, entry)
    app.pop()
    assert registered["library"] == ["header", "filters and cards", "details"]
    assert registered["library: details"][0] == "description" and "button start" in registered["library: details"]
    assert registered["briefing"] == ["briefing text", "button Begin", "button back"]
    assert registered["debrief page 1"][:2] == ["header", "page"] and "button next" in registered["debrief page 1"]
    assert debrief.header_rect.bottom <= debrief.content_rect.top
    assert app.audit.problems == []


def test_the_briefing_keeps_begin_on_screen_at_the_largest_text():
    app = make_app(text_size="largest")
    entry = entry_for(app, "collision-limited-english")
    briefing = BriefingScreen(app, entry, "en")
    app.push(briefing)
    app.step(DT)
    begin = next(w for w in briefing.ring.widgets if w.wid == "Begin")
    assert app.surface.get_rect().contains(briefing.screen_rect(begin))
    assert briefing.scroller.scrollable  # the text scrolls above the buttons instead
    assert app.audit.problems == []


# --- 10. interface language ---------------------------------------------------------------------

def test_the_screens_words_go_through_gettext(app, monkeypatch):
    monkeypatch.setattr(i18n, "_translations", Pseudo("[", "]"))
    entry = entry_for(app, "collision-limited-english")
    words = library_words(app, entry)
    assert "[Content notes]" in words and "[Learning objectives]" in words
    assert any(w.startswith("[Topics: [Traffic collision], ") for w in words)
    library = LibraryScreen(app)
    app.push(library)
    assert library.filter_widgets[1].labels["traffic-collision"] == "[Traffic collision]"
    app.pop()
    briefing = BriefingScreen(app, entry, "en")
    assert briefing.heading().startswith("[Briefing: ")
    debrief = played(app, entry)
    assert debrief.page_title() == "[Debrief 1 of 9: [Summary]]"
    assert "[Takeaways]" in debrief.page_text(0)
    app.pop()


def test_owned_modules_use_gettext_by_the_rules():
    """No f-string or built text inside _() (N_ and ngettext take literals), and `_` is never assigned
    (a throwaway `_` would shadow gettext)."""
    for name in OWNED:
        tree = ast.parse((ROOT / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "N_", "ngettext"):
                where = f"{name}:{node.lineno}"
                for arg in node.args[:2] if node.func.id == "ngettext" else node.args[:1]:
                    # a literal, or (for _) a constant marked with N_ elsewhere; never text built first
                    assert not isinstance(arg, (ast.JoinedStr, ast.BinOp, ast.Call)), f"{where}: _() of built text"
                    if node.func.id != "_":
                        assert isinstance(arg, ast.Constant), f"{where}: {node.func.id}() of a non-literal"
            if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store):
                pytest.fail(f"{name}:{node.lineno}: `_` used as a variable")


# --- 11. self-voicing ---------------------------------------------------------------------------

def test_briefing_and_debrief_pages_are_read_aloud(app, monkeypatch):
    said = []
    monkeypatch.setattr(app, "speak", lambda text, interrupt=True, language=None: said.append(text))
    monkeypatch.setattr(app.settings, "self_voicing", True)
    entry = entry_for(app, "collision-limited-english")
    sc = entry.scenario
    app.push(BriefingScreen(app, entry, "en"))
    assert sc.title.get("en", "en") in said[0] and sc.summary.get("en", "en") in said[0]
    assert "Content notes: " in said[0]
    app.pop()
    said.clear()
    debrief = played(app, entry)
    assert any(text.startswith("Debrief 1 of 9: Summary") for text in said)
    said.clear()
    debrief.turn(1)
    assert said and said[-1].startswith("Debrief 2 of 9: Key decisions")
    assert debrief.report["key_decisions"][0]["scene"] in said[-1]
    app.pop()
