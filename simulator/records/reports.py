"""HTML reports from the training records: a session's after-action review and a cohort's results.

Each report is one self-contained HTML file (the CSS in the page, the charts inline SVG with real
text; no script, font, image or network request) that opens in any browser offline and prints on A4
or Letter. Templates are Jinja2 (`templates/`, autoescaped); every word Parley itself writes is
marked for translation here, in Python, so that Babel's extractor finds it, and reaches the
templates already in the interface language. Scenario text (scenes, choices, feedback) comes from
the score report in the session's language. People read scene labels and choice texts, never ids.

`render_session_report(meta, report, log)` needs no database (the window renders from memory);
`session_report_html(store, ident)` and `cohort_report_html(store, name)` gather from the records
database. The cohort report reads only the summary tables (sessions, session_scores,
session_decisions) with SQL aggregation, never a session's report JSON, so it stays fast for
thousands of sessions. Reports go to `<data folder>/reports/session-<uid>.html` and
`reports/cohort-<slug>.html`; `parley forget` deletes the session files by that name.
"""
from __future__ import annotations

import json
from datetime import date, datetime, timezone
from pathlib import Path

from ..files import write_atomically
from ..i18n import N_, _, data_text, language, ngettext
from ..paths import data_dir
from ..safetext import clean
from ..vocabulary import OUTCOME_NAMES, word
from .path import final_path

TEMPLATES = Path(__file__).resolve().parent / "templates"
GRADE_ORDER = ("good", "acceptable", "mistake", "major", "critical")
MISSED_GRADES = ("mistake", "major", "critical")
RESULTS = ("pass", "needs-practice", "fail")
MOST_MISSED = 15  # rows of the cohort's "decisions most often missed"
EVIDENCE_SHOWN = 6
STRIP_MAX = 40  # a competency observed in at most this many sessions also shows each score as a point  # evidence items listed under a competency
# The default behaviour model's names, for a log read without its scenario (the engine's defaults)
DEFAULT_LEVELS = ("Calm", "Uneasy", "Anxious", "Upset", "Agitated", "Overwhelmed", "In crisis")
DEFAULT_RAPPORT = ("No rapport", "Feels listened to", "Feels understood", "Rapport", "Open to influence",
                   "Behavioral change")

RESULT_WORDS = {"pass": N_("Pass"), "needs-practice": N_("Needs practice"), "fail": N_("Fail")}
RESULT_MARKS = {"pass": "\u2713", "needs-practice": "!", "fail": "\u2717"}  # the result never rests on colour alone
GRADE_NAMES = {"good": N_("Good"), "acceptable": N_("Acceptable"), "mistake": N_("Mistake"),
               "major": N_("Major error"), "critical": N_("Critical error")}
STATUS_WORDS = {"in-progress": N_("in progress"), "complete": N_("complete"), "abandoned": N_("abandoned"),
                "incomplete": N_("incomplete")}
MODE_WORDS = {"academy": N_("Academy"), "in-service": N_("In-service"), "workshop": N_("Workshop"),
              "operated": N_("Instructor-operated"), "research": N_("Research"), "text": N_("Text mode")}
SESSION_WORDS = {
    "report_title": N_("After-action review"),
    "scenario": N_("Scenario"), "version": N_("Version"), "trainee": N_("Trainee"), "cohort": N_("Cohort"),
    "date": N_("Date"), "mode": N_("Mode"), "status": N_("Status"), "duration": N_("Scenario time"),
    "decisions": N_("Decisions"), "result": N_("Result"), "rule": N_("What decided it"), "ending": N_("Ending"),
    "session": N_("Session"),
    "summary": N_("Summary"), "takeaways": N_("Takeaways"), "questions": N_("For discussion"),
    "chart": N_("Distress and rapport"), "path": N_("Your decisions, in order"),
    "room": N_("Who else took part"),
    "room_note": N_("Instructors' picks and their reasons, notes, events brought in, pauses and group votes, "
                    "in the order they happened."),
    "key": N_("The decisions that mattered most"), "errors": N_("Errors and mistakes"),
    "critical": N_("Critical errors"), "major": N_("Major errors"), "mistakes": N_("Mistakes"),
    "none": N_("None."), "force": N_("Use of force"), "competencies": N_("Competencies"),
    "competency": N_("Competency"), "score": N_("Score"), "explanation": N_("Explanation and evidence"),
    "chance": N_("Chance"), "their_side": N_("Their side"), "objectives": N_("Learning objectives"),
    "authors": N_("From the scenario's authors"), "you_chose": N_("You chose"), "better": N_("Better here"),
    "good_options": N_("Good options you had"), "feedback": N_("Feedback"), "grade": N_("Grade"),
    "points": N_("Points lost"), "doing": N_("What the person was doing"),
    "counts_against": N_("Counts against"), "not_observed": N_("not observed"),
    "generated": N_("Made by Parley on {date}."),
    "distress_note": N_("Distress is reported, not graded: how the person felt depends partly on chance, and "
                        "the grade judges decisions."),
}
COHORT_WORDS = {
    "report_title": N_("Cohort report"), "members": N_("Trainees"), "sessions": N_("Sessions counted"),
    "not_counted": N_("Sessions not counted"), "period": N_("Period"), "scenarios": N_("Scenarios"),
    "competencies": N_("Competency scores"), "competency": N_("Competency"), "observed": N_("Sessions observed"),
    "median": N_("Median"), "mean": N_("Mean"), "range": N_("Lowest to highest"),
    "not_observed": N_("Not observed"), "pass_rates": N_("Pass rates by scenario"), "scenario": N_("Scenario"),
    "scored": N_("Sessions"), "mean_score": N_("Mean score"), "missed": N_("Decisions most often missed"),
    "scene": N_("Scene"), "missed_count": N_("Times missed"), "wrong_choice": N_("Most common choice there"),
    "tiers": N_("Mistakes / major / critical"), "progress": N_("Each trainee's progress"),
    "trainee": N_("Trainee"), "first": N_("First day"), "latest": N_("Latest day"), "change": N_("Change"),
    "passed": N_("Passed"), "nothing": N_("No scored session yet."),
    "generated": N_("Made by Parley on {date}."),
    "counting": N_("Scores count the sessions of the cohort's trainees that reached an ending and were graded. "
                   "A trainee in several cohorts counts in each."),
}


class ReportError(Exception):
    """A report cannot be made (an unknown cohort...): the message says why, for one line on stderr."""


# --- files -----------------------------------------------------------------------------------------
def reports_folder() -> Path:
    """Where reports go by default: `reports/` in the data folder."""
    return data_dir() / "reports"


def session_report_path(uid: str) -> Path:
    """The default file of a session's report. `parley forget` deletes exactly this name."""
    return reports_folder() / f"session-{uid}.html"


def cohort_report_path(name: str) -> Path:
    """The default file of a cohort's report: its name as a safe slug (letters, digits, `_`, `-`)."""
    from .legacy import slug
    return reports_folder() / f"cohort-{slug(name, 'cohort')}.html"


def write_report(path: str | Path, html: str) -> Path:
    """Write `html` to `path` atomically, readable by its owner only (reports name trainees); makes
    the folder. Raises OSError."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, html.encode("utf-8"), private=True)
    return path


# --- rendering -------------------------------------------------------------------------------------
def _finalize(value):
    """Every value a template prints: None as nothing, text without control characters or bidi
    overrides (a typed name cannot reorder the page); SVG the charts made (Markup) as it is."""
    from markupsafe import Markup
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    if isinstance(value, str):
        return clean(value)
    return value


_ENV = None


def _environment():
    global _ENV
    if _ENV is None:
        from jinja2 import Environment, FileSystemLoader, StrictUndefined
        _ENV = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, trim_blocks=True,
                           lstrip_blocks=True, undefined=StrictUndefined, finalize=_finalize)
    return _ENV


def _words(table: dict) -> dict:
    return {key: _(text) for key, text in table.items()}


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _when(stamp: str | None) -> str:
    """A stored UTC time as people read it in the interface language: "Nov 30, 2026 14:25 UTC"."""
    moment = _parse_time(stamp)
    if moment is None:
        return ""
    from babel.dates import format_skeleton
    try:
        return "{} {} UTC".format(format_skeleton("yMMMd", moment, locale=language()),
                                  format_skeleton("Hm", moment, tzinfo=timezone.utc, locale=language()))
    except (ValueError, LookupError):
        return moment.strftime("%Y-%m-%d %H:%M UTC")


def _day(value: date) -> str:
    from babel.dates import format_skeleton
    try:
        return format_skeleton("yMMMd", value, locale=language())
    except (ValueError, LookupError):
        return value.isoformat()


def _short_day(value: date) -> str:
    """A date on a chart's axis: "Sep 15" ("15 sept" in Spanish)."""
    from babel.dates import format_skeleton
    try:
        return format_skeleton("MMMd", value, locale=language())
    except (ValueError, LookupError):
        return value.isoformat()


def _parse_time(stamp) -> datetime | None:
    if not isinstance(stamp, str) or not stamp:
        return None
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _clock(seconds) -> str:
    from scoring.report import clock
    return clock(float(seconds)) if isinstance(seconds, (int, float)) else ""


def _quoted(text: str) -> str:
    from scoring.words import quoted
    return quoted(text or "")


def _lower(name: str) -> str:
    name = word(name) if name else ""
    return name[:1].lower() + name[1:]


# --- a session: what the scenario adds to the report --------------------------------------------------
def _log_language(log: list[dict]) -> str | None:
    try:
        value = (log[0].get("options") or {}).get("language")
    except (IndexError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def scenario_meta(scenario, log: list[dict], language_code: str | None = None) -> dict:
    """What a session report takes from the scenario it was played on (a loaded `Scenario`, the variant
    the log names): its title, the behaviour model's names in the interface language, each scene's
    label and visible behaviour, choice and ending texts, the good options offered and not taken at
    each decision of the final path, and the ending's notes and perspective. All text in the session's
    language (`language_code`, else the log's, else the scenario's)."""
    from scoring.words import choice_label, filled
    sc = scenario
    lang = language_code or _log_language(log) or sc.language

    def text(value) -> str:
        return filled(value.get(lang, sc.language)).strip() if value is not None else ""

    model = sc.behaviour
    ranks = {b: i for i, b in enumerate(model.behaviour_names)}
    behaviour_names = [data_text(name) for name in model.behaviour_names.values()]
    meta = {
        "title": text(sc.title), "scenario_id": sc.id, "version": sc.version,
        "level_names": [word(n) for n in model.level_names],
        "rapport_names": [word(n) for n in model.rapport_names],
        "behaviour_names": [n.split(" (")[0] for n in behaviour_names],
        "behaviour": {}, "scenes": {}, "choices": {}, "endings": {}, "alternatives": [],
    }
    for node in sc.nodes:
        meta["scenes"][node.id] = text(node.label) if node.label is not None else ""
        if node.shows in ranks:
            meta["behaviour"][node.id] = {"rank": ranks[node.shows], "name": behaviour_names[ranks[node.shows]],
                                          "text": text(node.behaviour)}
        for choice in node.choices:
            meta["choices"][choice.id] = choice_label(choice, lang, sc.language)
    for ending in sc.endings:
        meta["endings"][ending.id] = text(ending.title)
    for decision in final_path(log):
        offered = decision.shown
        good = []
        chosen = sc.choice_by_id.get(decision.choice)
        if chosen is not None and chosen.grade == "good":
            offered = []  # a good choice needs no alternative
        for choice_id in offered:
            choice = sc.choice_by_id.get(choice_id)
            if choice is not None and choice_id != decision.choice and choice.grade == "good" \
                    and not choice.is_timeout:
                good.append(meta["choices"][choice_id])
        meta["alternatives"].append(good)
    last = log[-1] if log else {}
    if last.get("type") == "ending_reached" and last.get("ending") in sc.target_index:
        ending = sc.ending_at(sc.target_index[last["ending"]])
        meta["authors_notes"] = text(ending.debrief)
        meta["ending_perspective"] = text(ending.perspective)
    return meta


def load_scenario_for(scenario_id: str, source: str | None, log: list[dict]):
    """The scenario a stored session was played on, when a file of that id can still be found (its
    source's name or a bundled scenario of that id), in the variant its log names; else None."""
    from ..content.loader import load_scenario, resolve_scenario, scenario_for_log
    for name in (source, Path(source).stem if source else None, scenario_id):
        if not name:
            continue
        path = resolve_scenario(name)
        if path is None:
            continue
        result = load_scenario(path)
        if result.scenario is not None and result.scenario.id == scenario_id:
            return scenario_for_log(result.scenario, log)
    return None


def session_meta(fields: dict, scenario=None, log: list[dict] | None = None) -> dict:
    """A session report's `meta`: the stored fields of the session (uid, scenario_id, scenario_version,
    pseudonym, display_name, cohort, started_at, ended_at, mode, status, status_detail, duration,
    report_problem, settings) with what its scenario adds (`scenario_meta`) when it is known."""
    meta = {k: fields.get(k) for k in ("uid", "scenario_id", "scenario_version", "pseudonym", "display_name",
                                       "cohort", "started_at", "ended_at", "mode", "status", "status_detail",
                                       "duration", "report_problem", "decisions")}
    settings = fields.get("settings")
    if isinstance(settings, str):
        try:
            settings = json.loads(settings)
        except ValueError:
            settings = None
    lang = ((settings or {}).get("options") or {}).get("language") if isinstance(settings, dict) else None
    if scenario is not None:
        meta.update(scenario_meta(scenario, log or [], lang if isinstance(lang, str) else None))
        meta["version"] = fields.get("scenario_version") or meta.get("version")
    return meta


# --- a session: the view the template shows ------------------------------------------------------------
def _timeline_from_log(meta: dict, log: list[dict]) -> list[dict]:
    """A timeline like the score report's, rebuilt from the log and the scenario's words when the
    session has no report: the start, each decision of the final path, the ending if it was reached."""
    scenes, choices = meta.get("scenes") or {}, meta.get("choices") or {}
    first = log[0] if log else {}
    start = next((e for e in log if e.get("type") == "node_entered"), {})
    timeline = [{"kind": "start", "node": start.get("node"), "escalation": int(first.get("escalation") or 0),
                 "rapport": int(first.get("rapport") or 0), "t": 0.0, "scene": scenes.get(start.get("node"), ""),
                 "choice": None}]
    for decision in final_path(log):
        esc, rap = (int(v or 0) for v in (decision.post or decision.before))
        timeline.append({"kind": "timer" if decision.timer else "choice", "node": decision.node, "escalation": esc,
                         "rapport": rap, "t": decision.t, "scene": scenes.get(decision.node, ""),
                         "choice": decision.choice, "label": choices.get(decision.choice, ""), "grade": None})
    last = log[-1] if log else {}
    if last.get("type") == "ending_reached":
        timeline.append({"kind": "ending", "node": last.get("ending"), "escalation": last.get("escalation", 0),
                         "rapport": last.get("rapport", 0), "t": last.get("t"), "choice": None,
                         "scene": (meta.get("endings") or {}).get(last.get("ending"), "")})
    return timeline


def _chart(meta: dict, timeline: list[dict], prefix: str) -> str | None:
    from markupsafe import Markup

    from . import charts
    levels = list(meta.get("level_names") or [word(n) for n in DEFAULT_LEVELS])
    rapport = list(meta.get("rapport_names") or [word(n) for n in DEFAULT_RAPPORT])
    behaviour = meta.get("behaviour") or {}
    steps, n = [], 0
    for entry in timeline:
        decision = entry.get("kind") in ("choice", "timer")
        if decision:
            n += 1
        tick = str(n) if decision else (_("Start") if entry.get("kind") == "start" else _("End"))
        seen = behaviour.get(entry.get("node")) if entry.get("kind") != "ending" else None
        steps.append({"tick": tick, "escalation": max(0, min(len(levels) - 1, int(entry.get("escalation") or 0))),
                      "rapport": max(0, min(len(rapport) - 1, int(entry.get("rapport") or 0))),
                      "grade": (entry.get("grade") or "ungraded") if decision else None,
                      "timer": entry.get("kind") == "timer", "behaviour": seen["rank"] if seen else None})
    if len(steps) < 2:
        return None
    words = {"distress": _("Distress after each decision, from 0 ({low}) to {top} ({high})").format(
                 low=levels[0], top=len(levels) - 1, high=levels[-1]),
             "rapport": _("Rapport after each decision (the behavioural change stairway)"),
             "behaviour": _("What the person was visibly doing when you decided"),
             "decisions_axis": _("Start, your decisions in order (numbered as in the list below), and the end"),
             "grades": dict({g: _(GRADE_NAMES[g]) for g in GRADE_ORDER}, ungraded=_("Not graded")),
             "distress_line": _("Distress"), "rapport_line": _("Rapport"), "behaviour_line": _("Visible behaviour"),
             "timer": _("\u2020 the time to decide ran out"),
             "label": _("Chart of the person's distress and rapport after each decision")}
    return Markup(charts.distress_chart(steps, levels, rapport, meta.get("behaviour_names") or None, words, prefix))


def _trainee_words(meta: dict) -> str:
    name, pseudonym = meta.get("display_name"), meta.get("pseudonym")
    if name and pseudonym and name != pseudonym:
        return _("{name} ({pseudonym})").format(name=name, pseudonym=pseudonym)
    return name or pseudonym or _("Guest")


def _notices(meta: dict, report: dict | None) -> list[str]:
    notes = []
    status = meta.get("status")
    detail = meta.get("status_detail")
    if status == "in-progress":
        notes.append(_("This session was still in progress when the report was made: it shows the decisions "
                       "recorded so far."))
    elif status == "abandoned":
        notes.append(_("This session was abandoned before its end ({why}).").format(why=detail) if detail else
                     _("This session was abandoned before its end."))
    elif status == "incomplete":
        notes.append(_("This session did not reach an ending ({why}).").format(why=detail) if detail else
                     _("This session did not reach an ending."))
    if report is None:
        problem = meta.get("report_problem")
        notes.append(_("There is no score report for this session: {why}. What the event log records is shown "
                       "below, without grades.").format(why=problem) if problem else
                     _("There is no score report for this session. What the event log records is shown below, "
                       "without grades."))
    elif report.get("complete") is False and status not in ("in-progress", "abandoned", "incomplete"):
        notes.append(_("The session stopped before an ending; the result is at best needs practice."))
    return notes


def _header(meta: dict, report: dict | None, log: list[dict], w: dict) -> list[tuple[str, str]]:
    rows = [(w["scenario"], meta.get("title") or meta.get("scenario_id") or ""),
            (w["version"], meta.get("scenario_version") or meta.get("version") or ""),
            (w["trainee"], _trainee_words(meta))]
    if meta.get("cohort"):
        rows.append((w["cohort"], meta["cohort"]))
    rows.append((w["date"], _when(meta.get("started_at"))))
    mode = meta.get("mode")
    rows.append((w["mode"], _(MODE_WORDS[mode]) if mode in MODE_WORDS else (mode or "")))
    status = meta.get("status")
    rows.append((w["status"], _capital(_(STATUS_WORDS[status])) if status in STATUS_WORDS else (status or "")))
    duration = meta.get("duration")
    if duration is None and report is not None:
        duration = (report.get("deescalation") or {}).get("duration")
    if isinstance(duration, (int, float)) and duration > 0:
        rows.append((w["duration"], _clock(duration)))
    decisions = report.get("decisions") if report is not None else meta.get("decisions")
    if decisions is not None:
        rows.append((w["decisions"], str(decisions)))
    ending = (report or {}).get("ending") or {}
    last = log[-1] if log else {}
    if not ending and report is None and last.get("type") == "ending_reached":
        title = (meta.get("endings") or {}).get(last.get("ending"))
        ending = {"title": title, "outcome": last.get("outcome")} if title else {}
    if ending:
        outcome = ending.get("outcome")
        label = _(OUTCOME_NAMES[outcome]) if outcome in OUTCOME_NAMES else ""
        rows.append((w["ending"], _("{title} (outcome: {outcome})").format(title=ending.get("title", ""),
                                                                          outcome=label) if label
                     else ending.get("title", "")))
    if meta.get("uid"):
        rows.append((w["session"], meta["uid"]))
    return [(label, value) for label, value in rows if value]


def _counts_line(counts: dict) -> str:
    from scoring.words import counts_line
    return counts_line(counts)


def _decisions(meta: dict, report: dict | None, timeline: list[dict]) -> list[dict]:
    """Each decision of the final path: scene, time, what the person was doing, the choice, its grade and
    points, feedback, distress and rapport afterwards, and better options."""
    levels = list(meta.get("level_names") or [word(n) for n in DEFAULT_LEVELS])
    rapport = list(meta.get("rapport_names") or [word(n) for n in DEFAULT_RAPPORT])
    behaviour = meta.get("behaviour") or {}
    alternatives = meta.get("alternatives") or []
    graded = (report or {}).get("graded") or []
    better = {}
    for k in (report or {}).get("key_decisions") or []:
        b = k.get("better") or {}
        if b.get("text"):
            better[(k.get("node"), k.get("choice"), k.get("t"))] = b["text"]
    steps = [e for e in timeline if e.get("kind") in ("choice", "timer")]
    timed = any(isinstance(e.get("t"), (int, float)) and e["t"] > 0 for e in steps)  # times only when recorded
    rows = []
    for i, entry in enumerate(steps):
        g = graded[i] if i < len(graded) and graded[i].get("node") == entry.get("node") else {}
        timer = entry.get("kind") == "timer"
        text = g.get("text") or entry.get("label") or ""
        if timer:
            choice = _("No decision in time: {what_happened}").format(what_happened=text) if text else \
                _("No decision in time")
        else:
            choice = _quoted(text) if text else _("(the option's text is not available)")
        grade = g.get("grade") or entry.get("grade")
        seen = behaviour.get(entry.get("node")) or {}
        esc = max(0, min(len(levels) - 1, int(entry.get("escalation") or 0)))
        rap = max(0, min(len(rapport) - 1, int(entry.get("rapport") or 0)))
        before = entry.get("escalation_before")
        if isinstance(before, int) and before != esc and 0 <= before < len(levels):
            after = _("Distress went from {before} to {after}; rapport afterwards: {rapport}.").format(
                before=_lower(levels[before]), after=_lower(levels[esc]), rapport=_lower(rapport[rap]))
        else:
            after = _("Distress afterwards: {level}; rapport: {rapport}.").format(level=_lower(levels[esc]),
                                                                                  rapport=_lower(rapport[rap]))
        best = better.get((entry.get("node"), entry.get("choice"), entry.get("t")))
        good = [] if grade == "good" else [t for t in (alternatives[i] if i < len(alternatives) else []) if t != best]
        points = g.get("points")
        rows.append({"n": i + 1, "time": _clock(entry.get("t")) if timed else "", "scene": entry.get("scene") or g.get("scene") or
                     _("Decision {n}").format(n=i + 1), "choice": choice, "grade": grade or "",
                     "grade_words": _(GRADE_NAMES[grade]) if grade in GRADE_NAMES else "",
                     "points": (f"{points:g}" if isinstance(points, (int, float)) and points else ""),
                     "feedback": (g.get("feedback") or "").strip(), "doing": seen.get("name", ""),
                     "doing_text": seen.get("text", ""), "after": after,
                     "better": _quoted(best) if best else "", "good": [_quoted(t) for t in good]})
    return rows


def _where(entry: dict) -> str:
    scene = entry.get("scene", "")
    if entry.get("text") is None and entry.get("choice") is None:
        return _("At the ending: {scene}").format(scene=scene)
    return _("{choice} at {scene}").format(choice=_quoted(entry.get("text") or ""), scene=scene)


def _key_decisions(report: dict) -> list[dict]:
    rows = []
    for k in report.get("key_decisions") or []:
        b = k.get("better") or {}
        grade = k.get("grade")
        rows.append({"scene": k.get("scene", ""), "choice": _quoted(k.get("text") or ""),
                     "grade": grade or "", "grade_words": _(GRADE_NAMES[grade]) if grade in GRADE_NAMES else "",
                     "why": k.get("why") or "", "better": _quoted(b["text"]) if b.get("text") else "",
                     "better_why": b.get("why") or ""})
    return rows


def _errors(report: dict) -> list[dict]:
    tiers = []
    for key, title, rows in (("critical", N_("Critical errors"), report.get("critical_errors") or []),
                             ("major", N_("Major errors"), report.get("major_errors") or []),
                             ("mistake", N_("Mistakes"), report.get("mistakes") or [])):
        items = [{"name": e.get("name") if key == "critical" else "", "where": _where(e), "why": e.get("why") or "",
                  "against": ", ".join(e.get("against") or [])} for e in rows]
        tiers.append({"key": key, "title": _(title), "items": items})
    return tiers


def _force(report: dict) -> list[dict]:
    rows = []
    for p in report.get("proportionality") or []:
        rows.append({"where": _("{choice} at {scene}").format(choice=_quoted(p.get("text", "")),
                                                              scene=p.get("scene", "")),
                     "force": word(p.get("force_name") or ""), "doing": p.get("shows_name") or "",
                     "proportionate": bool(p.get("proportionate")),
                     "verdict": _("In proportion to what the person was doing.") if p.get("proportionate") else
                     _("Out of proportion to what the person was doing."),
                     "officer_created": bool(p.get("officer_created")), "why": p.get("why") or "",
                     "alternative": _("A lower-force option was there: {choice}").format(
                         choice=_quoted(p["alternative"])) if p.get("alternative") else ""})
    return rows


def _competencies(report: dict) -> list[dict]:
    rows = []
    for c in report.get("competencies") or []:
        observed = bool(c.get("observed")) and c.get("score") is not None
        evidence, seen = [], set()
        for e in c.get("evidence") or []:
            key = (e.get("scene"), e.get("text"))
            if key in seen:
                continue
            seen.add(key)
            grade = e.get("grade")
            evidence.append({"where": _where(e), "grade_words": _(GRADE_NAMES[grade]) if grade in GRADE_NAMES else "",
                             "harmful": e.get("effect") == "harmful"})
        explanation = c.get("explanation") or ""
        if all(" ".join(str(e.get("text") or "").split())[:40] in explanation for e in c.get("evidence") or []):
            evidence = []  # the explanation already names every decision
        more = max(0, len(evidence) - EVIDENCE_SHOWN)
        rows.append({"name": c.get("name") or "", "score": c.get("score") if observed else None,
                     "band": ("good" if c["score"] >= 75 else "warn" if c["score"] >= 40 else "bad") if observed else "",
                     "explanation": explanation, "evidence": evidence[:EVIDENCE_SHOWN],
                     "more": ngettext("and {n} more decision", "and {n} more decisions", more).format(n=more)
                     if more else ""})
    return rows


def _objectives(report: dict) -> list[dict]:
    marks = {True: N_("Met"), False: N_("Missed"), None: N_("Not assessed")}
    from scoring.words import MISSED
    missed = _(MISSED)
    rows = []
    for o in report.get("objectives") or []:
        met = o.get("met")
        why = str(o.get("why") or "")
        if why.startswith(missed):
            why = _capital(why[len(missed):].strip())
        rows.append({"mark": _(marks.get(met, marks[None])), "state": {True: "met", False: "missed"}.get(met, "na"),
                     "text": o.get("text") or "", "why": why if met is not True else ""})
    return rows


def _perspectives(meta: dict, report: dict | None) -> list[dict]:
    rows = []
    ending_id = ((report or {}).get("ending") or {}).get("id")
    for p in (report or {}).get("perspectives") or []:
        scene = p.get("scene", "")
        where = (_("At the end: {scene}").format(scene=scene) if ending_id is not None and p.get("node") == ending_id
                 else _("At {scene}").format(scene=scene))
        rows.append({"where": where, "text": (p.get("text") or "").strip()})
    extra = (meta.get("ending_perspective") or "").strip()
    if extra and not any(r["text"] == extra for r in rows):
        rows.append({"where": _("At the end"), "text": extra})
    return rows


def _distress_summary(meta: dict, report: dict) -> str:
    from scoring.words import raised_lowered
    d = report.get("deescalation") or {}
    if not d.get("start_name"):
        return ""
    text = _("The person's distress started at {start}, peaked at {peak} and ended at {final}.").format(
        start=_lower(d["start_name"]), peak=_lower(d.get("peak_name") or ""), final=_lower(d.get("final_name") or ""))
    return text + " " + raised_lowered(int(d.get("rises_by_own_choices") or 0), int(d.get("falls_by_own_choices") or 0))


def render_session_report(meta: dict, report: dict | None, log: list) -> str:
    """A session's after-action review as a self-contained HTML page.

    `meta`: what the records know of the session (see `session_meta`: uid, trainee's pseudonym and
    display name, cohort, times, mode, status, report_problem...) and, when the scenario is known, what
    it adds (`scenario_meta`: title, level names, visible behaviour, good options not taken); every key
    may be missing. `report`: the score report (`scoring.grade(...).to_json()`), or None when there is
    none (the page then shows what the log records and says why). `log`: the session's event log.
    Needs no database."""
    w = _words(SESSION_WORDS)
    log = list(log or [])
    timeline = (report or {}).get("timeline") or _timeline_from_log(meta, log)
    result = (report or {}).get("result")
    summary = (report or {}).get("summary") or {}
    view = {
        "lang": language(), "w": w, "css_title": w["report_title"],
        "title": meta.get("title") or meta.get("scenario_id") or _("a scenario"),
        "header": _header(meta, report, log, w), "notices": _notices(meta, report),
        "report": report is not None,
        "result": None if result is None else {
            "key": result, "mark": RESULT_MARKS.get(result, ""),
            "words": summary.get("result_words") or (_(RESULT_WORDS[result]) if result in RESULT_WORDS else result),
            "score": _("{score} out of 100").format(score=report.get("overall"))
            if report.get("overall") is not None else _("no decision was made"),
            "rule": summary.get("headline") or report.get("result_rule") or "",
            "counts": _counts_line(summary.get("counts") or {}) if summary.get("counts") else ""},
        "takeaways": summary.get("takeaways") or [], "questions": summary.get("questions") or [],
        "undos": ngettext("The trainee stepped back once during play; only the final path is graded.",
                          "The trainee stepped back {n} times during play; only the final path is graded.",
                          report["undos"]).format(n=report["undos"]) if report and report.get("undos") else "",
        "chart": _chart(meta, timeline, "session"),
        "chart_summary": _distress_summary(meta, report) if report else "",
        "decisions": _decisions(meta, report, timeline),
        "key_decisions": _key_decisions(report) if report else [],
        "errors": _errors(report) if report else [],
        "force": _force(report) if report else [],
        "competencies": _competencies(report) if report else [],
        "chance": [{"where": _where(c), "reaction": (c.get("reaction") or "").strip(), "note": c.get("note") or ""}
                   for c in (report or {}).get("chance") or []],
        "perspectives": _perspectives(meta, report),
        "room": (report or {}).get("room") or [],
        "objectives": _objectives(report) if report else [],
        "authors_notes": (meta.get("authors_notes") or "").strip(),
        "generated": w["generated"].format(date=_when(_now())),
    }
    return _environment().get_template("session.html.j2").render(**view)


# --- a session from the records database ------------------------------------------------------------
def session_report_html(store, ident: str) -> str:
    """The after-action review of the stored session whose id is `ident` (or starts with it). Raises
    DatabaseError (no such session, more than one, the database fails)."""
    row = store.find(ident)
    fields = dict(row._mapping)
    log = store.log(fields["uid"])
    report = None
    if fields.get("report"):
        try:
            report = json.loads(fields["report"])
        except ValueError:
            fields["report_problem"] = _("the stored score report cannot be read")
    scenario = None
    try:
        scenario = load_scenario_for(fields.get("scenario_id"), fields.get("source"), log)
    except (OSError, ValueError):
        scenario = None
    if report is None and scenario is not None and not fields.get("report_problem") and len(log) > 1:
        from .recorder import score_report  # a session left in progress can still be graded from its log
        if scenario.content_hash == fields.get("content_hash"):
            report, _problem = score_report(scenario, log, _log_language(log))
    if report is not None and "room" not in report and scenario is not None:  # stored before reports had it
        from scoring.room import room_story
        report["room"] = room_story(scenario, log, _log_language(log) or scenario.language)
    return render_session_report(session_meta(fields, scenario, log), report, log)


def played_session_html(session, report: dict | None, *, store=None, uid: str | None = None,
                        trainee: str | None = None, mode: str | None = None) -> str:
    """The after-action review of a session just played in the window: its own log and the score report
    its debrief shows, with what the records database knows of it (pseudonym, cohort, start time) when
    it is stored there (`store` and `uid`); from memory alone otherwise. Raises DatabaseError only
    if `store` fails in a way other than not knowing the session."""
    from .database import DatabaseError
    log = list(session.log)
    fields = {"uid": uid, "scenario_id": session.scenario.id, "scenario_version": session.scenario.version,
              "display_name": None if trainee in (None, "guest") else trainee, "mode": mode,
              "status": "complete" if getattr(session, "ended", False) else "incomplete",
              "duration": log[-1].get("t") if log else None,
              "settings": {"options": {"language": getattr(session, "language", None)}}}
    if store is not None and uid is not None:
        try:
            stored = dict(store.find(uid)._mapping)
        except DatabaseError:
            stored = {}
        for key in ("pseudonym", "display_name", "cohort", "started_at", "ended_at", "mode", "scenario_version"):
            if stored.get(key):
                fields[key] = stored[key]
        if stored.get("status") not in (None, "in-progress"):
            fields["status"] = stored["status"]
    return render_session_report(session_meta(fields, session.scenario, log), report, log)


def save_played_session(session, report: dict | None, *, recorder=None, trainee: str | None = None,
                        mode: str | None = None) -> Path:
    """Write the report of a session just played (`played_session_html`) to the reports folder and
    return where: `session-<uid>.html` when the records database holds it (the name `parley forget`
    deletes), else named after its record file, else after the time and scenario. Raises OSError."""
    from .legacy import slug
    store, uid = getattr(recorder, "store", None), getattr(recorder, "uid", None)
    html = played_session_html(session, report, store=store, uid=uid, trainee=trainee, mode=mode)
    if uid:
        path = session_report_path(uid)
    elif getattr(recorder, "file", None):
        path = reports_folder() / f"session-{Path(recorder.file).stem}.html"
    else:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        path = reports_folder() / f"session-{stamp}-{slug(session.scenario.id, 'scenario')}.html"
    return write_report(path, html)


# --- a cohort ---------------------------------------------------------------------------------------
def _box_stats(histogram: dict[int, int]) -> dict | None:
    """Box-plot statistics (matplotlib's `bxp` keys) of integer scores given as {score: count}: the
    quartiles by linear interpolation, whiskers at the furthest scores within 1.5 IQR."""
    import numpy as np
    if not histogram:
        return None
    values = np.repeat(np.array(sorted(histogram), dtype=float), [histogram[k] for k in sorted(histogram)])
    q1, med, q3 = np.percentile(values, [25, 50, 75])
    iqr = q3 - q1
    inside = values[(values >= q1 - 1.5 * iqr) & (values <= q3 + 1.5 * iqr)]
    return {"med": float(med), "q1": float(q1), "q3": float(q3), "whislo": float(inside.min()),
            "whishi": float(inside.max()), "mean": float(values.mean()), "fliers": [],
            "min": float(values.min()), "max": float(values.max())}


def _scenario_titles(ids: list[str]) -> dict[str, str]:
    """Each scenario id's title in the interface language, when a bundled scenario has that id."""
    from ..content.loader import load_scenario, resolve_scenario
    titles = {}
    for scenario_id in ids:
        try:
            path = resolve_scenario(scenario_id)
            scenario = load_scenario(path).scenario if path is not None else None
        except (OSError, ValueError):
            scenario = None
        if scenario is not None and scenario.id == scenario_id:
            titles[scenario_id] = scenario.title.get(language(), scenario.language)
    return titles


def _competency_order() -> list[str]:
    try:
        from scoring.rubric import default_rubric
        return [c.id for c in default_rubric().competencies]
    except Exception:  # noqa: BLE001 - an order is a nicety; without it competencies sort by name
        return []


def cohort_data(store, name: str) -> dict:
    """Everything a cohort report shows, gathered with SQL aggregation over the summary tables: the
    sessions of the cohort's members (cohort_members) that reached an ending and were graded. Raises
    ReportError for an unknown cohort, DatabaseError when the database fails."""
    from sqlalchemy import and_, case, func, select

    from .schema import cohort_members, cohorts, session_decisions, session_scores, sessions, trainees

    def work(c):
        cid = c.execute(select(cohorts.c.id).where(cohorts.c.name == name)).scalar()
        if cid is None:
            return None
        members = select(cohort_members.c.trainee_id).where(cohort_members.c.cohort_id == cid)
        mine = sessions.c.trainee_id.in_(members)
        scored = and_(mine, sessions.c.status == "complete", sessions.c.result.is_not(None))
        data = {"name": name}
        data["members"] = c.execute(select(trainees.c.id, trainees.c.pseudonym, trainees.c.display_name).join(
            cohort_members, cohort_members.c.trainee_id == trainees.c.id).where(
            cohort_members.c.cohort_id == cid)).all()
        data["statuses"] = c.execute(select(sessions.c.status, (sessions.c.result.is_not(None)).label("graded"),
                                            func.count()).where(mine).group_by(
            sessions.c.status, sessions.c.result.is_not(None))).all()
        data["period"] = c.execute(select(func.min(sessions.c.started_at), func.max(sessions.c.started_at)).where(
            scored)).first()
        data["scores"] = c.execute(select(session_scores.c.competency, func.max(session_scores.c.name),
                                          session_scores.c.score, func.count()).join(
            sessions, sessions.c.id == session_scores.c.session_id).where(scored).group_by(
            session_scores.c.competency, session_scores.c.score)).all()
        data["results"] = c.execute(select(sessions.c.scenario_id, sessions.c.result, func.count(),
                                           func.avg(sessions.c.overall)).where(scored).group_by(
            sessions.c.scenario_id, sessions.c.result)).all()
        missed = session_decisions.c.grade.in_(MISSED_GRADES)
        joined = session_decisions.join(sessions, sessions.c.id == session_decisions.c.session_id)
        data["decided"] = c.execute(select(sessions.c.scenario_id, session_decisions.c.node, func.count(),
                                           func.sum(case((missed, 1), else_=0)),
                                           func.sum(case((session_decisions.c.grade == "major", 1), else_=0)),
                                           func.sum(case((session_decisions.c.grade == "critical", 1), else_=0)),
                                           func.max(session_decisions.c.scene)).select_from(joined).where(
            scored).group_by(sessions.c.scenario_id, session_decisions.c.node)).all()
        data["wrong"] = c.execute(select(sessions.c.scenario_id, session_decisions.c.node, session_decisions.c.text,
                                         func.count()).select_from(joined).where(and_(scored, missed)).group_by(
            sessions.c.scenario_id, session_decisions.c.node, session_decisions.c.text)).all()
        day = func.substr(sessions.c.started_at, 1, 10)
        data["days"] = c.execute(select(sessions.c.trainee_id, day, func.avg(sessions.c.overall), func.count(),
                                        func.sum(case((sessions.c.result == "pass", 1), else_=0))).where(
            scored).group_by(sessions.c.trainee_id, day).order_by(sessions.c.trainee_id, day)).all()
        return data

    data = store._run("gather a cohort report", work)
    if data is None:
        known = store.cohort_names()
        raise ReportError(_("there is no cohort called {name} (cohorts: {known})").format(
            name=repr(name), known=", ".join(known) if known else _("none yet")) if known else
            _("there is no cohort called {name}; parley cohort add NAME TRAINEE... makes one").format(name=repr(name)))
    return data


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else ""


def render_cohort_report(data: dict) -> str:
    """A cohort's results as a self-contained HTML page, from `cohort_data`."""
    from markupsafe import Markup

    from . import charts
    w = _words(COHORT_WORDS)
    names = {m.id: (m.display_name or m.pseudonym) for m in data["members"]}
    pseudonyms = {m.id: m.pseudonym for m in data["members"]}
    counted = sum(n for status, graded, n in data["statuses"] if status == "complete" and graded)
    not_counted = sum(n for status, graded, n in data["statuses"]) - counted
    first, last = data["period"] if data["period"] else (None, None)
    scenario_ids = sorted({r[0] for r in data["results"]})
    titles = _scenario_titles(scenario_ids)

    # competencies: {id: {score: count}} from the grouped rows; None scores are "not observed"
    hist: dict[str, dict[int, int]] = {}
    unseen: dict[str, int] = {}
    comp_names: dict[str, str] = {}
    for competency, comp_name, score, n in data["scores"]:
        comp_names.setdefault(competency, comp_name)
        if score is None:
            unseen[competency] = unseen.get(competency, 0) + n
        else:
            hist.setdefault(competency, {})[int(score)] = n
    order = _competency_order() if comp_names else []
    ids = sorted(comp_names, key=lambda k: (order.index(k) if k in order else len(order), comp_names[k]))
    competencies = []
    for k in ids:
        stats = _box_stats(hist.get(k, {}))
        observed = sum(hist.get(k, {}).values())
        values = [v for v, c in sorted(hist.get(k, {}).items()) for _i in range(c)] if observed <= STRIP_MAX else []
        competencies.append({"name": comp_names[k], "stats": stats, "observed": observed, "values": values,
                             "not_observed": unseen.get(k, 0),
                             "median": f"{stats['med']:.0f}" if stats else "",
                             "mean": f"{stats['mean']:.0f}" if stats else "",
                             "range": _("{low} to {high}").format(low=f"{stats['min']:.0f}", high=f"{stats['max']:.0f}")
                             if stats else ""})

    # pass rates by scenario
    by_scenario: dict[str, dict] = {}
    for scenario_id, result, n, mean in data["results"]:
        row = by_scenario.setdefault(scenario_id, {"title": titles.get(scenario_id, scenario_id), "n": 0,
                                                   "counts": {}, "total": 0.0})
        row["n"] += n
        row["counts"][result] = row["counts"].get(result, 0) + n
        row["total"] += float(mean or 0.0) * n  # PostgreSQL gives AVG as a Decimal
    scenarios = sorted(by_scenario.values(), key=lambda r: r["title"].lower())
    for row in scenarios:
        row["mean"] = f"{row['total'] / row['n']:.0f}" if row["n"] else ""
        row["cells"] = [f"{row['counts'].get(r, 0)} ({_percent(row['counts'].get(r, 0), row['n'])})" for r in RESULTS]

    # decisions most often missed, with the most common choice there
    wrong: dict[tuple, tuple] = {}
    for scenario_id, node, text, n in data["wrong"]:
        key = (scenario_id, node)
        if key not in wrong or n > wrong[key][1] or (n == wrong[key][1] and text < wrong[key][0]):
            wrong[key] = (text, n)
    missed = []
    for scenario_id, node, decided, miss, major, critical, scene in data["decided"]:
        if miss:
            text, n = wrong.get((scenario_id, node), ("", 0))
            missed.append({"scenario": titles.get(scenario_id, scenario_id), "scene": scene or _("a scene"),
                           "count": int(miss), "rate": _("{missed} of {decided} ({share})").format(
                               missed=int(miss), decided=int(decided), share=_percent(int(miss), int(decided))),
                           "choice": _quoted(text) if text else "", "choice_count": ngettext(
                               "chosen once", "chosen {n} times", n).format(n=n) if n else "",
                           "tiers": f"{int(miss) - int(major) - int(critical)} / {int(major)} / {int(critical)}"})
    missed.sort(key=lambda r: (-r["count"], r["scenario"], r["scene"]))
    missed = missed[:MOST_MISSED]

    # each trainee's progress: the mean overall score of each day they trained
    progress: dict[int, list] = {}
    for trainee_id, day, mean, n, passed in data["days"]:
        try:
            when = date.fromisoformat(day)
        except (TypeError, ValueError):
            continue
        progress.setdefault(trainee_id, []).append((when, float(mean or 0.0), int(n), int(passed or 0)))
    people = sorted(progress, key=lambda t: (names.get(t) or "").lower())
    trainees = []
    for t in people:
        points = progress[t]
        sessions_n = sum(p[2] for p in points)
        total = sum(p[1] * p[2] for p in points)
        change = points[-1][1] - points[0][1]
        trainees.append({"name": names.get(t) or _("a trainee"),
                         "pseudonym": pseudonyms.get(t) if names.get(t) != pseudonyms.get(t) else "",
                         "sessions": sessions_n, "passed": f"{sum(p[3] for p in points)} ({_percent(sum(p[3] for p in points), sessions_n)})",
                         "mean": f"{total / sessions_n:.0f}",
                         "first": _("{day}: {score}").format(day=_day(points[0][0]), score=f"{points[0][1]:.0f}"),
                         "latest": _("{day}: {score}").format(day=_day(points[-1][0]), score=f"{points[-1][1]:.0f}"),
                         "change": f"{change:+.0f}" if len(points) > 1 else "",
                         "points": [(p[0], p[1], p[2]) for p in points]})
    without = sorted((names[m] for m in names if m not in progress), key=str.lower)

    chart_words = {
        "competencies": {"pass_mark": _("pass mark"), "observed": _("n = {n}"), "axis": _("Score (0 to 100)"),
                         "label": _("Box plots of each competency's scores in this cohort")},
        "passes": {"axis": _("Share of scored sessions (%)"), "sessions": _("n = {n}"),
                   "results": {r: _(RESULT_WORDS[r]) for r in RESULTS},
                   "label": _("Bars of each scenario's results: pass, needs practice, fail")},
        "progress": {"trainee": _("The trainee's overall score (the mean of each day, 0 to 100)"),
                     "cohort": _("The cohort's mean that day"), "pass_mark": _("pass mark"), "day": _short_day,
                     "label": _("Each trainee's overall score by date, beside the cohort's")},
    }
    charts_out = {"competencies": None, "passes": None, "progress": []}
    if any(c["stats"] for c in competencies):
        charts_out["competencies"] = Markup(charts.competency_boxes(competencies, chart_words["competencies"]))
    if scenarios:
        charts_out["passes"] = Markup(charts.pass_rates(scenarios, chart_words["passes"]))
    totals: dict[date, list] = {}
    for t in trainees:
        for when, score, n in t["points"]:
            total = totals.setdefault(when, [0.0, 0])
            total[0] += score * n
            total[1] += n
    reference = [(when, s / n) for when, (s, n) in sorted(totals.items()) if n]
    per = charts.TRAINEES_PER_CHART
    for i in range(0, len(trainees), per):
        group = [{"name": t["name"], "points": [(p[0], p[1]) for p in t["points"]]} for t in trainees[i:i + per]]
        charts_out["progress"].append(Markup(charts.progress(group, reference, chart_words["progress"],
                                                             f"progress{i // per}")))

    header = [(w["members"], str(len(data["members"]))), (w["sessions"], str(counted))]
    if not_counted:
        header.append((w["not_counted"], str(not_counted)))
    first_day, last_day = _parse_time(first), _parse_time(last)
    if first_day and last_day:
        header.append((w["period"], _day(first_day.date()) if first_day.date() == last_day.date() else
                       _("{first} to {last}").format(first=_day(first_day.date()), last=_day(last_day.date()))))
    if scenarios:
        header.append((w["scenarios"], str(len(scenarios))))
    view = {"lang": language(), "w": w, "name": data["name"], "header": header, "charts": charts_out,
            "competencies": competencies, "scenarios": scenarios,
            "results": [_(RESULT_WORDS[r]) for r in RESULTS], "missed": missed, "trainees": trainees,
            "without": _("No scored session yet: {names}.").format(names=", ".join(without)) if without else "",
            "generated": w["generated"].format(date=_when(_now()))}
    return _environment().get_template("cohort.html.j2").render(**view)


def cohort_report_html(store, name: str) -> str:
    """The report of the cohort called `name`. Raises ReportError (no such cohort) or DatabaseError."""
    return render_cohort_report(cohort_data(store, name))
