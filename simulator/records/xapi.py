"""A stored session as xAPI 1.0.3 statements: a pure function of its row, event log and score report.

`build_statements(session, log, report, scenario)` gives the statements of one attempt, in the order
cmi5 asks of an assignable unit (cmi5 section 9.3), although Parley is not launched by a cmi5 LMS:

1. `initialized` the scenario: always first, at the session's start;
2. `answered` each decision point on the final path (decisions taken back by an undo are not sent:
   the score report does not count them either): a `cmi.interaction` of type `choice` whose
   `choices` are the options shown at that moment, in the order shown, with their texts in the
   session's language; `response` is the option taken (absent when the decision timer ran out,
   which a result extension says); `duration` the seconds spent deciding; the grade and the points
   it cost in result extensions;
3. for a complete session (an ending was reached): `completed` (completion true, the scenario time
   as its duration; at most one per registration), then, when the session has a score report,
   `passed` (result *pass*) or `failed` (*needs practice* or *fail*) with `result.score` (scaled
   0..1, raw 0..100), `result.success`, Parley's own result and rule, and every competency's score
   (None: not observed) as result extensions. A session that was abandoned or left incomplete gets
   neither: it was not completed, and cmi5 allows no judgement on it. No masteryScore applies:
   Parley's result also depends on critical and major errors, not on the score alone;
4. `terminated`: always last, with the whole session's wall-clock time as its duration.

Sessions still in progress have no statements (`NotEnded`).

Every statement has a stable id, a UUID5 of the session's uid, its kind and its decision number,
so that building a session's statements again gives the same ids and a learning record store never
stores one twice; the session's uid is the `context.registration` (one registration per attempt).
Timestamps are the stored start plus the log's scenario time `t` (`terminated`: the stored end), in
UTC with milliseconds; durations are ISO 8601 (`PT1M4.5S`) to the hundredth of a second, as xAPI
compares them.

Who: an `account` on `HOMEPAGE` named with the trainee's pseudonym, never a display name, never a
name from the log (`actor` in `choice_made` can hold the name typed in the window, and undo reasons
are typed text: neither is read here). A guest (a session with no trainee) is sent under an
anonymous account of its own, `guest-<registration>`, marked by the context extension `guest`: a
store can count guest attempts and their scores per scenario without joining them to anyone, and
nothing identifies the person. Scenario text is sent as written, so an option that names the
officer keeps its `{officer}` placeholder instead of the trainee's name.

The IRIs Parley coins (activities, extensions, the account home page) all start with `IRI_BASE`.
"""
from __future__ import annotations

import json
import math
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from .path import final_path

XAPI_VERSION = "1.0.3"
# Every IRI Parley coins starts here. Changing it changes every activity's identity in a store, so
# it is one constant; a deployment that owns a domain for its records would set it once, early.
IRI_BASE = "https://parley.invalid/xapi"
HOMEPAGE = IRI_BASE + "/trainees"  # the accounts' home page: the system whose pseudonyms they are
# The namespace of statement ids: fixed, so that ids never change when anything else does.
STATEMENT_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:parley:xapi:statement")

ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {name: ADL + name for name in ("initialized", "answered", "completed", "passed", "failed", "terminated")}
SIMULATION = "http://adlnet.gov/expapi/activities/simulation"
INTERACTION = "http://adlnet.gov/expapi/activities/cmi.interaction"

EXTENSION = IRI_BASE + "/extensions/"
EXT_SCENARIO_VERSION = EXTENSION + "scenario-version"
EXT_CONTENT_HASH = EXTENSION + "content-hash"
EXT_SEED = EXTENSION + "seed"  # a string: a seed can pass 2**53, where JSON readers round numbers
EXT_MODE = EXTENSION + "mode"
EXT_VARIANT = EXTENSION + "variant"
EXT_GUEST = EXTENSION + "guest"
EXT_GRADE = EXTENSION + "grade"
EXT_POINTS = EXTENSION + "points"
EXT_TIMER_EXPIRED = EXTENSION + "timer-expired"
EXT_DECIDED_BY = EXTENSION + "decided-by"  # "instructor" (operated mode) or "workshop" (a group's vote)
EXT_REASON_GIVEN = EXTENSION + "reason-given"  # an instructor's pick graded worse than another, with a reason
EXT_RESULT = EXTENSION + "result"
EXT_RESULT_RULE = EXTENSION + "result-rule"
EXT_COMPETENCIES = EXTENSION + "competencies"
EXT_STATUS = EXTENSION + "status"

ENDED = ("complete", "abandoned", "incomplete")
LANGUAGE_TAGS = {"en": "en-US"}  # a language code of Parley's as an RFC 5646 tag; others are already tags


class NotEnded(ValueError):
    """The session has not ended (it is in progress): it has no statements yet."""


def language_tag(code: str | None) -> str:
    """`code` (a scenario language such as en or es) as an xAPI language tag: en-US, es..."""
    code = (code or "en").strip() or "en"
    return LANGUAGE_TAGS.get(code, code)


def statement_id(uid: str, kind: str, number: int = 0) -> str:
    """The stable id of a session's statement: `kind` is the verb, `number` the decision's place on
    the final path (1, 2, ...) for `answered` and 0 otherwise."""
    return str(uuid.uuid5(STATEMENT_NAMESPACE, f"{uid}/{kind}/{number}"))


def iso_duration(seconds: float) -> str:
    """`seconds` as an ISO 8601 duration to the hundredth of a second: PT0S, PT4.5S, PT1M4.25S, PT1H2M."""
    if not isinstance(seconds, (int, float)) or not math.isfinite(seconds) or seconds <= 0:
        return "PT0S"
    centis = round(seconds * 100)
    hours, centis = divmod(centis, 360000)
    minutes, centis = divmod(centis, 6000)
    text = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if centis or text == "PT":
        whole, frac = divmod(centis, 100)
        text += f"{whole}.{frac:02d}".rstrip("0").rstrip(".") + "S"
    return text


def parse_time(stamp: str) -> datetime:
    """A stored time (UTC ISO 8601, `2026-11-30T14:20:38.123Z`) as an aware datetime."""
    value = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def format_time(moment: datetime) -> str:
    """An aware datetime as an xAPI timestamp: UTC, milliseconds, Z."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _text(text, language: str, default: str) -> str | None:
    """A scenario Text in `language` (else the scenario's default), or None when there is none."""
    if text is None:
        return None
    value = text.get(language, default)
    return value if isinstance(value, str) and value.strip() else None


def _node(scenario, node_id):
    """The scenario's node called `node_id`, or None (no scenario, or no such node)."""
    if scenario is None:
        return None
    index = scenario.target_index.get(node_id)
    return scenario.nodes[index] if isinstance(index, int) and index < len(scenario.nodes) else None


def _iri_part(value) -> str:
    return quote(str(value), safe="-._~")


def scenario_iri(scenario_id: str) -> str:
    """The activity id of a scenario."""
    return f"{IRI_BASE}/scenarios/{_iri_part(scenario_id)}"


def node_iri(scenario_id: str, node: str) -> str:
    """The activity id of a decision point (a scenario's node)."""
    return f"{scenario_iri(scenario_id)}/nodes/{_iri_part(node)}"


def actor(pseudonym: str | None, uid: str) -> dict:
    """The statement's actor: the trainee's pseudonymous account, or a guest's account of its own."""
    name = pseudonym if pseudonym else f"guest-{uid}"
    return {"objectType": "Agent", "account": {"homePage": HOMEPAGE, "name": name}}


def _settings(value) -> dict:
    if isinstance(value, Mapping):
        return dict(value)
    try:
        data = json.loads(value or "{}")
    except (TypeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def session_language(session: Mapping, log: Sequence[Mapping], scenario=None) -> str:
    """The language the session was played in: its options' language, else the scenario's own."""
    options = (log[0].get("options") if log else None) or _settings(session.get("settings")).get("options") or {}
    code = options.get("language") if isinstance(options, Mapping) else None
    if not code and scenario is not None:
        code = scenario.language
    return code if isinstance(code, str) and code else "en"


def build_statements(session: Mapping, log: Sequence[Mapping], report: Mapping | None, scenario=None) -> list[dict]:
    """The xAPI statements of one ended session, in the order to send them.

    `session` is its stored row as a mapping (uid, pseudonym or None for a guest, scenario_id,
    scenario_version, content_hash, seed, mode, settings, started_at, updated_at, ended_at, status),
    `log` its event log, `report` its score report (JSON data) or None, and `scenario` the scenario
    it was played on (the variant it names) when that file is at hand, for the options' texts, the
    scenes' and the scenario's names; without it, options are sent by id, and a decision's chosen
    option and scene get their words from the report. Raises NotEnded for a session in progress."""
    status = session.get("status")
    if status not in ENDED:
        raise NotEnded(f"session {session.get('uid')} is {status}")
    uid = str(session["uid"])
    lang = session_language(session, log, scenario)
    tag = language_tag(lang)
    default = scenario.language if scenario is not None else lang
    start = parse_time(session["started_at"])
    first = log[0] if log else {}

    title = _text(scenario.title, lang, default) if scenario is not None else None
    summary = _text(scenario.summary, lang, default) if scenario is not None else None
    definition = {"type": SIMULATION, "name": {tag: title or str(session["scenario_id"])}}
    if summary:
        definition["description"] = {tag: summary}
    scenario_activity = {"objectType": "Activity", "id": scenario_iri(session["scenario_id"]), "definition": definition}
    parent = {"objectType": "Activity", "id": scenario_activity["id"]}

    extensions = {EXT_SCENARIO_VERSION: str(session.get("scenario_version") or ""),
                  EXT_CONTENT_HASH: str(session.get("content_hash") or ""),
                  EXT_SEED: str(session.get("seed") if session.get("seed") is not None else first.get("seed", ""))}
    if session.get("mode"):
        extensions[EXT_MODE] = str(session["mode"])
    variant = (first.get("scenario") or {}).get("variant") if isinstance(first.get("scenario"), Mapping) else None
    if variant:
        extensions[EXT_VARIANT] = str(variant)
    if not session.get("pseudonym"):
        extensions[EXT_GUEST] = True
    who = actor(session.get("pseudonym"), uid)

    def context(with_parent: bool) -> dict:
        out = {"registration": uid, "revision": str(session.get("scenario_version") or "") or None,
               "platform": "Parley", "language": tag, "extensions": dict(extensions)}
        if with_parent:
            out["contextActivities"] = {"parent": [parent]}
        return {k: v for k, v in out.items() if v is not None}

    def statement(kind: str, verb: str, obj: dict, at: datetime, result: dict | None, number: int = 0,
                  with_parent: bool = False) -> dict:
        out = {"id": statement_id(uid, kind, number), "actor": who, "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
               "object": obj}
        if result:
            out["result"] = result
        out["context"] = context(with_parent)
        out["timestamp"] = format_time(at)
        out["version"] = XAPI_VERSION
        return out

    statements = [statement("initialized", "initialized", scenario_activity, start, None)]

    graded = list((report or {}).get("graded") or [])
    path = final_path(log)
    for number, decision in enumerate(path, 1):
        grade = graded[number - 1] if number <= len(graded) else {}
        if grade.get("node") != decision.node or grade.get("choice") != decision.choice:
            grade = {}  # the report does not describe this path (it could not be made): no grade
        node = _node(scenario, decision.node)
        name = (_text(node.label, lang, default) if node is not None else None) or grade.get("scene") or decision.node
        choices = []
        for option in decision.shown:
            component = {"id": str(option)}
            choice = scenario.choice_by_id.get(option) if scenario is not None else None
            text = _text(choice.text, lang, default) if choice is not None else None
            if text is None and option == decision.choice and not decision.timer:
                text = grade.get("text") or None
            if text:
                component["description"] = {tag: text}
            choices.append(component)
        interaction = {"type": INTERACTION, "name": {tag: name}, "interactionType": "choice"}
        if choices:
            interaction["choices"] = choices
        result: dict = {}
        if not decision.timer:
            result["response"] = str(decision.choice)
        result["duration"] = iso_duration(float(decision.elapsed or 0.0))
        result_extensions = {}
        if grade.get("grade"):
            result_extensions[EXT_GRADE] = grade["grade"]
        if isinstance(grade.get("points"), (int, float)):
            result_extensions[EXT_POINTS] = grade["points"]
        if decision.timer:
            result_extensions[EXT_TIMER_EXPIRED] = True
        role = decision.actor.get("role") if isinstance(decision.actor, dict) else None
        if role in ("instructor", "workshop"):
            # someone else took the decision (docs/classroom.md): said, never who or their typed words
            result_extensions[EXT_DECIDED_BY] = role
            if role == "instructor" and decision.reason is not None:
                result_extensions[EXT_REASON_GIVEN] = True
        if result_extensions:
            result["extensions"] = result_extensions
        obj = {"objectType": "Activity", "id": node_iri(session["scenario_id"], decision.node),
               "definition": interaction}
        statements.append(statement("answered", "answered", obj, start + timedelta(seconds=float(decision.t or 0.0)), result,
                                    number, with_parent=True))

    last_t = max((float(e.get("t") or 0.0) for e in log), default=0.0)
    ending = next((e for e in reversed(log) if e.get("type") == "ending_reached"), None)
    if status == "complete" and ending is not None:
        at = start + timedelta(seconds=float(ending.get("t") or 0.0))
        took = iso_duration(float(ending.get("t") or 0.0))
        statements.append(statement("completed", "completed", scenario_activity, at,
                                    {"completion": True, "duration": took}))
        if report and report.get("result") and isinstance(report.get("overall"), (int, float)):
            overall = max(0, min(100, int(report["overall"])))
            passed = report["result"] == "pass"
            competencies = {str(c["id"]): (c.get("score") if c.get("observed", True) else None)
                            for c in report.get("competencies") or [] if isinstance(c, Mapping) and c.get("id")}
            # cmi5 9.5: score and success belong on passed and failed, completion only on completed
            result = {"score": {"scaled": overall / 100, "raw": overall, "min": 0, "max": 100}, "success": passed,
                      "duration": took,
                      "extensions": {EXT_RESULT: report["result"], EXT_RESULT_RULE: report.get("result_rule_id") or "",
                                     EXT_COMPETENCIES: competencies}}
            verb = "passed" if passed else "failed"
            statements.append(statement(verb, verb, scenario_activity, at, result))

    end = start + timedelta(seconds=last_t)
    stamp = session.get("ended_at") or session.get("updated_at")
    if stamp:
        end = max(end, parse_time(stamp))
    statements.append(statement("terminated", "terminated", scenario_activity, end,
                                {"duration": iso_duration((end - start).total_seconds()),
                                 "extensions": {EXT_STATUS: status}}))
    return statements
