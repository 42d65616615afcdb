"""`parley export research`: one CSV row per participant x decision of a research protocol (docs/research.md).

Rows come in enrolment order, then the participant's play order, then decision order. Each row is
made from the stored event log (the source of truth: options shown, marks, times, values), the
session's row (status, ending, result) and its stored score report (grades), with the participant's
answers to the protocol's questions repeated on each of their rows. Cells a spreadsheet would run as
a formula are neutralised by the records' CSV writer (`csv_export._csv`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from ..content.protocol import Protocol, assign
from ..files import write_atomically
from .csv_export import _csv
from .path import Decision, final_path
from .schema import research_answers, research_participants, trainees
from .store import COMPLETE

NOT_STARTED = "not-started"  # session_status of a scenario the participant has not begun


@dataclass
class ResearchExport:
    """What `research_rows` found: the header, the rows, and what to tell the researcher."""

    header: list[str]
    rows: list[list]
    participants: int = 0
    sessions: int = 0
    changed: int = 0  # sessions (and unstarted parts) recorded under another version of the protocol file


def research_rows(store, protocol: Protocol) -> ResearchExport:
    """Every row of the export of `protocol` from the records in `store` (columns: `protocol.columns`)."""
    def work(connection):
        people = connection.execute(select(
            research_participants.c.id, research_participants.c.trainee_id, research_participants.c.position,
            research_participants.c.protocol_sha256, trainees.c.display_name, trainees.c.pseudonym).join(
            trainees, trainees.c.id == research_participants.c.trainee_id).where(
            research_participants.c.protocol_id == protocol.id).order_by(research_participants.c.position)).all()
        answers: dict[int, dict] = {}
        for row in connection.execute(select(research_answers).join(
                research_participants, research_participants.c.id == research_answers.c.participant_id).where(
                research_participants.c.protocol_id == protocol.id)):
            answers.setdefault(row.participant_id, {})[(row.phase, row.question)] = row.answer
        return people, answers
    people, answers = store._run("read the research participants", work)
    by_trainee: dict[int, dict[int, list]] = {}
    for row, entry in store.research_sessions(protocol.id):
        index = entry.get("scenario_index")
        if isinstance(index, int):
            by_trainee.setdefault(row.trainee_id, {}).setdefault(index, []).append((row, entry))
    out = ResearchExport(list(protocol.columns), [], participants=len(people))
    for person in people:
        common = {"protocol_id": protocol.id, "participant": person.display_name or person.pseudonym,
                  "position": person.position}
        for phase, question in [("pre", q) for q in protocol.pre] + [("post", q) for q in protocol.post]:
            common[f"{phase}_{question.id}"] = answers.get(person.id, {}).get((phase, question.id))
        played = by_trainee.get(person.trainee_id, {})
        parts = []
        for play in assign(protocol, person.position):
            if play.index not in played:
                parts.append((play.order, play.index, play, None, 0))
        for index, tries in played.items():
            # the first complete session, else the latest started
            chosen = next((t for t in tries if t[0].status == COMPLETE), tries[-1])
            order = chosen[1].get("play_order")
            parts.append((order if isinstance(order, int) else 0, index, None, chosen, len(tries)))
        for _order, index, play, chosen, attempts in sorted(parts, key=lambda p: (p[0], p[1])):
            if chosen is None:
                row = _unstarted(protocol, person, play)
            else:
                out.sessions += 1
                row = _played(store, protocol, chosen, attempts)
            row["protocol_changed"] = row["protocol_sha256"] != protocol.sha256
            out.changed += bool(row["protocol_changed"])
            for decision_row in row.pop("decisions") or [{}]:
                merged = {**common, **row, **decision_row}
                out.rows.append([merged.get(column) for column in protocol.columns])
    return out


def _unstarted(protocol: Protocol, person, play) -> dict:
    """The one row of a scenario the participant has not begun: what the protocol assigns them."""
    scenario = protocol.scenarios[play.index - 1].scenario
    return {"protocol_sha256": person.protocol_sha256, "scenario_index": play.index, "play_order": play.order,
            "scenario_id": scenario.id, "scenario_version": scenario.version, "content_hash": scenario.content_hash,
            "variant": play.variant or scenario.variant, "seed": play.seed, "option_order": protocol.option_order,
            "session_status": NOT_STARTED, "attempts": 0, "decisions": []}


def _played(store, protocol: Protocol, chosen, attempts: int) -> dict:
    """A played scenario's columns, with one dict per decision on its final path."""
    row, entry = chosen
    log = store.log(row.uid)
    first = log[0] if log else {}
    report = None
    if row.report:
        try:
            report = json.loads(row.report)
        except ValueError:
            report = None
    path = final_path(log)
    grades = _grades(protocol, row, report, path)
    decisions = []
    for number, (d, grade) in enumerate(zip(path, grades), 1):
        shown = d.shown
        decisions.append({
            "decision": number, "node": d.node, "choice": None if d.timer else d.choice,
            "option_position": shown.index(d.choice) + 1 if not d.timer and d.choice in shown else None,
            "options_shown": len(shown), "shown_order": "|".join(shown), "timer_expired": d.timer,
            "elapsed_ms": round(d.elapsed * 1000) if isinstance(d.elapsed, (int, float)) else None,
            "latency_ms": d.latency_ms, "escalation_before": d.before[0], "rapport_before": d.before[1],
            "escalation_after": (d.post or (None, None))[0], "rapport_after": (d.post or (None, None))[1],
            **grade})
    shuffle = (first.get("options") or {}).get("shuffle")
    return {"protocol_sha256": entry.get("sha256"), "scenario_index": entry.get("scenario_index"),
            "play_order": entry.get("play_order"), "scenario_id": row.scenario_id,
            "scenario_version": row.scenario_version, "content_hash": row.content_hash,
            "variant": (first.get("scenario") or {}).get("variant"), "seed": row.seed,
            "option_order": None if shuffle is None else ("shuffled" if shuffle else "authored"),
            "session_uid": row.uid, "session_status": row.status, "attempts": attempts,
            "ending": row.ending_id, "outcome": row.outcome, "result": row.result, "overall": row.overall,
            "decisions": decisions}


def _grades(protocol: Protocol, row, report: dict | None, path: list[Decision]) -> list[dict]:
    """Each decision's grade: from the stored score report (the scenario's grade for the choice, the
    grade it was scored with and the points it lost), matched by place, scene and choice; without a
    report, the scenario's own grade when the protocol's scenario file is the one that was played."""
    graded = (report or {}).get("graded") or []
    scenario = next((e.scenario for e in protocol.scenarios if e.scenario.id == row.scenario_id
                     and e.scenario.content_hash == row.content_hash), None)
    out = []
    for i, d in enumerate(path):
        g = graded[i] if i < len(graded) and isinstance(graded[i], dict) else {}
        if g.get("node") == d.node and g.get("choice") == d.choice:
            out.append({"grade": g.get("written_grade"), "scored_grade": g.get("grade"),
                        "points_lost": g.get("points")})
            continue
        choice = scenario.choice_by_id.get(d.choice) if scenario is not None else None
        out.append({"grade": (choice.grade or "good") if choice is not None else None, "scored_grade": None,
                    "points_lost": None})
    return out


def export_research(store, protocol: Protocol, path: Path) -> ResearchExport:
    """Write the export of `protocol` to the CSV file `path` (atomically); returns what was written."""
    found = research_rows(store, protocol)
    write_atomically(path, _csv(found.header, found.rows))
    return found
