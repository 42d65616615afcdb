"""The records store: trainees, cohorts and sessions in the database, written as training happens.

A session's row is made when it starts; every event of its log is appended as it happens (one
transaction per decision, fsynced on SQLite), so what was acknowledged survives a kill; the end
stores the status, the score report and its summary tables. The event log stays the source of
truth: everything else in a session's row can be recomputed from it with `scoring.grade`.
"""
from __future__ import annotations

import json
import os
import secrets
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from .database import DatabaseError, _short, open_engine, shown_url
from .schema import (
    cohort_members,
    cohorts,
    events,
    feedback,
    imported_files,
    research_answers,
    research_participants,
    session_decisions,
    session_scores,
    sessions,
    trainees,
    xapi_queue,
)

IN_PROGRESS, COMPLETE, ABANDONED, INCOMPLETE = "in-progress", "complete", "abandoned", "incomplete"
STATUSES = (IN_PROGRESS, COMPLETE, ABANDONED, INCOMPLETE)
GUEST = "guest"  # the window's "Continue as guest": no trainee row, nothing to forget
NAME_LIMIT = 200  # characters of a trainee's or a cohort's name (schema.py)


def now() -> str:
    """The current UTC time as stored: ISO 8601 with milliseconds and a Z."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def event_text(event: dict) -> str:
    """An event as stored: canonical JSON (engine.session.event_json); escaped as ASCII only when it
    holds text that is not valid Unicode (a lone surrogate from a typed reason)."""
    data = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    try:
        data.encode("utf-8")
    except UnicodeEncodeError:
        data = json.dumps(event, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)
    return data


def clean(text: str | None, limit: int | None = None) -> str | None:
    """Typed text as the database can hold it: a lone surrogate (not Unicode) becomes its escape,
    `\\ud800`, and text longer than its column's `limit` is cut (PostgreSQL refuses it; SQLite would
    keep it, and the two must agree)."""
    if text is None:
        return None
    text = str(text).encode("utf-8", "backslashreplace").decode("utf-8")
    return text[:limit] if limit else text


def _started(pid: int) -> str:
    """When process `pid` started, as the kernel counts it (Linux: /proc/PID/stat field 22), or "" where
    that cannot be read: with it, a process that has gone is not mistaken for a new one given its pid."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rpartition(")")[2].split()[19]
    except (OSError, IndexError):
        return ""


def _owner() -> str:
    """Who writes a session in progress: `host:pid:start` (start may be empty, see `_started`)."""
    return f"{socket.gethostname()}:{os.getpid()}:{_started(os.getpid())}"


def _running(pid: int, started: str) -> bool:
    """Whether the process `pid` that started at `started` still runs (the same pid, a later start: gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        pass
    return not started or _started(pid) in ("", started)


@dataclass(frozen=True)
class Enrolment:
    """A participant's place in a research protocol (`Store.research_enrol`)."""
    participant: int  # the research_participants row
    trainee: int  # the trainees row of the participant's code
    position: int  # 1, 2, 3... in the order of enrolment
    protocol_sha256: str  # of the protocol file when they were enrolled
    new: bool  # enrolled just now (False: they were already)


@dataclass
class Forgotten:
    """What `Store.forget` removed."""
    trainee: str
    sessions: int = 0
    events: int = 0
    feedback: int = 0
    queued_statements: int = 0
    sent_statements: int = 0  # statements an LRS already has: xAPI gives no way to take them back
    cohorts: list = field(default_factory=list)
    session_uids: list = field(default_factory=list)
    names: list = field(default_factory=list)  # the trainee's display name and pseudonym
    protocols: list = field(default_factory=list)  # research protocols they were enrolled in (docs/research.md)


class Store:
    """The records database. Open it with `Store.open()`; every method is one short transaction."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.url = engine.url.render_as_string(hide_password=False)
        # uid -> (row id, events stored) of the sessions this process writes: a decision then costs one
        # INSERT and one UPDATE, no lookup (a session has one writer; a failed write forgets the entry)
        self._writing: dict[str, tuple[int, int]] = {}

    @classmethod
    def open(cls, url: str | None = None, *, migrate: bool = True, recover: bool = True) -> "Store":
        """Open (and create or upgrade) the records database. With `recover`, sessions left in progress
        by a process of this computer that no longer runs are marked incomplete. Raises DatabaseError."""
        store = cls(open_engine(url, migrate=migrate))
        if recover:
            store.mark_orphans()
        return store

    @property
    def shown_url(self) -> str:
        return shown_url(self.url)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def close(self) -> None:
        self.engine.dispose()

    def _run(self, what: str, work):
        """Run `work(connection)` in one transaction; a database failure becomes DatabaseError."""
        try:
            with self.engine.begin() as connection:
                return work(connection)
        except (SQLAlchemyError, UnicodeError, ValueError) as exc:  # ValueError: JSON that is not strict
            raise DatabaseError(f"could not {what} in {self.shown_url}: {_short(exc)}") from exc

    # --- trainees and cohorts --------------------------------------------------------------------
    def trainee_id(self, connection, who: str | None, *, create: bool) -> int | None:
        """The row id of the trainee called `who` (their display name or pseudonym); made when
        `create` and unknown. None for a guest or nobody."""
        if who is None or who == GUEST or not who.strip():
            return None
        who = clean(who, NAME_LIMIT)
        row = connection.execute(select(trainees.c.id).where(
            or_(trainees.c.display_name == who, trainees.c.pseudonym == who))).first()
        if row is not None:
            return row.id
        if not create:
            return None
        pseudonym = "t-" + secrets.token_hex(5)
        display = None if who.startswith("t-") and len(who) == 12 else who
        return connection.execute(insert(trainees).values(pseudonym=pseudonym, display_name=display,
                                                          created_at=now())).inserted_primary_key[0]

    def pseudonym(self, who: str) -> str | None:
        """The pseudonymous id of the trainee called `who`, or None when there is none."""
        who = clean(who, NAME_LIMIT)

        def work(connection):
            return connection.execute(select(trainees.c.pseudonym).where(
                or_(trainees.c.display_name == who, trainees.c.pseudonym == who))).scalar()
        return self._run("look up a trainee", work)

    def cohort_id(self, connection, name: str, *, create: bool) -> int | None:
        name = clean(name, NAME_LIMIT)
        row = connection.execute(select(cohorts.c.id).where(cohorts.c.name == name)).first()
        if row is not None:
            return row.id
        if not create:
            return None
        return connection.execute(insert(cohorts).values(name=name, created_at=now())).inserted_primary_key[0]

    def add_to_cohort(self, cohort: str, who: list[str]) -> int:
        """Put the trainees `who` (names or pseudonyms, made when new) in `cohort` (made when new);
        returns how many were added (those already in it are left)."""
        def work(connection):
            cid = self.cohort_id(connection, cohort, create=True)
            added = 0
            for name in who:
                tid = self.trainee_id(connection, name, create=True)
                if tid is None:
                    continue
                exists = connection.execute(select(cohort_members.c.trainee_id).where(and_(
                    cohort_members.c.cohort_id == cid, cohort_members.c.trainee_id == tid))).first()
                if exists is None:
                    connection.execute(insert(cohort_members).values(cohort_id=cid, trainee_id=tid, added_at=now()))
                    added += 1
            return added
        return self._run("add trainees to a cohort", work)

    def cohort_names(self) -> list[str]:
        return self._run("list cohorts", lambda c: [r.name for r in c.execute(select(cohorts.c.name).order_by(cohorts.c.name))])

    # --- sessions as they happen -----------------------------------------------------------------
    def start(self, session, *, trainee: str | None, mode: str | None, source: str, cohort: str | None = None,
              settings: dict | None = None, started_at: str | None = None, uid: str | None = None) -> str:
        """Store a new session (its events so far included) and return its uid."""
        uid = uid or str(uuid.uuid4())
        first = session.log[0]
        scenario = first["scenario"]
        options = dict(first.get("options") or {})
        stored_settings = {"options": options, **(settings or {})}
        stamp = started_at or now()

        def work(connection):
            tid = self.trainee_id(connection, trainee, create=True)
            cid = None
            if cohort:
                cid = self.cohort_id(connection, cohort, create=True)
                if tid is not None and connection.execute(select(cohort_members.c.trainee_id).where(and_(
                        cohort_members.c.cohort_id == cid, cohort_members.c.trainee_id == tid))).first() is None:
                    connection.execute(insert(cohort_members).values(cohort_id=cid, trainee_id=tid, added_at=stamp))
            sid = connection.execute(insert(sessions).values(
                uid=uid, trainee_id=tid, cohort_id=cid, scenario_id=clean(scenario["id"], 200),
                scenario_version=clean(str(scenario.get("version", "")), 50),
                content_hash=clean(str(scenario.get("content_hash", "")), 64),
                source=clean(source, 500), seed=int(first["seed"]), mode=clean(mode, 40),
                settings=json.dumps(stored_settings, sort_keys=True, ensure_ascii=True),
                started_at=stamp, updated_at=stamp, status=IN_PROGRESS, owner=_owner(), events=0,
                decisions=0)).inserted_primary_key[0]
            return sid, self._append(connection, sid, session.log, 0)
        self._writing[uid] = self._run("store a new session", work)
        return uid

    def _append(self, connection, sid: int, log: list[dict], start: int) -> int:
        rows = [{"session_id": sid, "seq": i, "type": str(e.get("type")), "data": event_text(e)}
                for i, e in enumerate(log[start:], start)]
        if rows:
            connection.execute(insert(events), rows)
            connection.execute(update(sessions).where(sessions.c.id == sid).values(
                events=len(log), updated_at=now()))
        return len(log)

    def _session_id(self, connection, uid: str) -> tuple[int, int]:
        if uid in self._writing:
            return self._writing[uid]
        row = connection.execute(select(sessions.c.id, sessions.c.events).where(sessions.c.uid == uid)).first()
        if row is None:
            raise DatabaseError(f"no session {uid} in {self.shown_url}")
        return row.id, row.events

    def append(self, uid: str, log: list[dict]) -> int:
        """Store the events of `log` that are not stored yet (one transaction); returns how many the
        database now holds. An append is idempotent: events already stored are not written again."""
        def work(connection):
            sid, stored = self._session_id(connection, uid)
            self._writing.pop(uid, None)  # until this transaction commits
            count = self._append(connection, sid, log, stored)
            return sid, count
        sid, count = self._run("store a decision", work)
        self._writing[uid] = (sid, count)
        return count

    def finish(self, uid: str, log: list[dict], status: str, *, report: dict | None = None,
               report_problem: str | None = None, detail: str | None = None, ended_at: str | None = None) -> None:
        """Store the rest of the log, the final status and (when given) the score report with its
        summary tables (competency scores, graded decisions)."""
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}")
        last = log[-1] if log else {}
        ending = last if last.get("type") == "ending_reached" else {}
        decisions = sum(1 for e in log if e.get("type") in ("choice_made", "timer_expired")) - \
            sum(2 for e in log if e.get("type") == "undo")  # an undo takes back a decision and is not one

        def work(connection):
            sid, stored = self._session_id(connection, uid)
            self._writing.pop(uid, None)
            self._append(connection, sid, log, stored)
            connection.execute(update(sessions).where(sessions.c.id == sid).values(
                status=status, status_detail=clean(detail), ended_at=ended_at or now(), updated_at=now(), owner=None,
                ending_id=ending.get("ending"), outcome=ending.get("outcome"), duration=last.get("t"),
                decisions=max(decisions, 0)))
            if report is not None or report_problem is not None:
                self._write_report(connection, sid, report, report_problem)
        self._run("finish a session", work)

    def set_report(self, uid: str, report: dict | None, problem: str | None = None) -> None:
        """Store a session's score report (graded after it ended), or why there is none."""
        def work(connection):
            self._write_report(connection, self._session_id(connection, uid)[0], report, problem)
        self._run("store a score report", work)

    @staticmethod
    def _write_report(connection, sid: int, report: dict | None, problem: str | None) -> None:
        connection.execute(delete(session_scores).where(session_scores.c.session_id == sid))
        connection.execute(delete(session_decisions).where(session_decisions.c.session_id == sid))
        if report is None:
            connection.execute(update(sessions).where(sessions.c.id == sid).values(
                report=None, report_problem=problem or "no score report was made", result=None, overall=None))
            return
        values = {"report": json.dumps(report, sort_keys=True, ensure_ascii=True, allow_nan=False),
                  "report_problem": None, "result": report.get("result"), "overall": report.get("overall"),
                  "decisions": int(report.get("decisions") or 0)}
        if (report.get("ending") or {}).get("outcome"):
            values["outcome"] = report["ending"]["outcome"]  # the graded outcome (a written one may be corrected)
        connection.execute(update(sessions).where(sessions.c.id == sid).values(**values))
        scores = [{"session_id": sid, "competency": c["id"], "name": c.get("name") or c["id"],
                   "score": c.get("score") if c.get("observed", True) else None}
                  for c in report.get("competencies") or []]
        if scores:
            connection.execute(insert(session_scores), scores)
        graded = [{"session_id": sid, "position": i, "node": g.get("node") or "", "scene": g.get("scene") or "",
                   "choice": g.get("choice"), "text": g.get("text") or "", "t": float(g.get("t") or 0.0),
                   "grade": g.get("grade"), "points": g.get("points"), "timer": bool(g.get("timer"))}
                  for i, g in enumerate(report.get("graded") or [], 1)]
        if graded:
            connection.execute(insert(session_decisions), graded)

    def mark_orphans(self) -> int:
        """Sessions left in progress by a process of this computer that is gone (killed, crashed)
        become incomplete: their events so far are kept. Returns how many."""
        host = socket.gethostname()

        def work(connection):
            rows = connection.execute(select(sessions.c.id, sessions.c.owner).where(
                sessions.c.status == IN_PROGRESS)).all()
            gone = []
            for row in rows:
                owner_host, pid, started = ((row.owner or "").rsplit(":", 2) + ["", ""])[:3]
                if not row.owner or owner_host == host and pid.isdigit() and not _running(int(pid), started):
                    gone.append(row.id)
            if gone:
                connection.execute(update(sessions).where(sessions.c.id.in_(gone)).values(
                    status=INCOMPLETE, owner=None, status_detail="the program stopped before the session ended"))
            return len(gone)
        return self._run("check for interrupted sessions", work)

    # --- reading ---------------------------------------------------------------------------------
    def find(self, ident: str):
        """The session row whose uid is `ident` or starts with it (at least 4 characters, and only
        one session may match). Raises DatabaseError (none, or more than one)."""
        ident = ident.strip().lower()

        def work(connection):
            if len(ident) < 4:
                return []
            cols = [sessions, trainees.c.pseudonym, trainees.c.display_name, cohorts.c.name.label("cohort")]
            query = select(*cols).outerjoin(trainees, sessions.c.trainee_id == trainees.c.id).outerjoin(
                cohorts, sessions.c.cohort_id == cohorts.c.id).where(sessions.c.uid.like(ident.replace("%", "") + "%"))
            return connection.execute(query.limit(2)).all()
        rows = self._run("find a session", work)
        if not rows:
            raise DatabaseError(f"no session has the id {ident!r} (parley records lists them)")
        if len(rows) > 1:
            raise DatabaseError(f"more than one session starts with {ident!r}; give more of the id")
        return rows[0]

    def has_session(self, uid: str) -> bool:
        """Whether a session with exactly this uid is stored."""
        return self._run("find a session", lambda c: c.execute(
            select(sessions.c.id).where(sessions.c.uid == uid)).first() is not None)

    def log(self, uid: str) -> list[dict]:
        """A session's event log, as stored."""
        def work(connection):
            sid, _ = self._session_id(connection, uid)
            return [json.loads(r.data) for r in connection.execute(
                select(events.c.data).where(events.c.session_id == sid).order_by(events.c.seq))]
        return self._run("read a session's events", work)

    def listing(self, *, trainee: str | None = None, cohort: str | None = None, scenario: str | None = None,
                since: str | None = None, limit: int | None = None) -> list:
        """Sessions (newest first) with their trainee's pseudonym and display name, filtered."""
        def work(connection):
            query = select(sessions.c.uid, sessions.c.scenario_id, sessions.c.scenario_version, sessions.c.mode,
                           sessions.c.started_at, sessions.c.ended_at, sessions.c.status, sessions.c.status_detail,
                           sessions.c.result, sessions.c.report_problem,
                           sessions.c.overall, sessions.c.decisions, sessions.c.outcome,
                           trainees.c.pseudonym, trainees.c.display_name).outerjoin(
                trainees, sessions.c.trainee_id == trainees.c.id)
            if trainee is not None:
                query = query.where(or_(trainees.c.display_name == trainee, trainees.c.pseudonym == trainee))
            if cohort is not None:
                members = select(cohort_members.c.trainee_id).join(cohorts, cohorts.c.id == cohort_members.c.cohort_id)
                query = query.where(sessions.c.trainee_id.in_(members.where(cohorts.c.name == cohort)))
            if scenario is not None:
                query = query.where(sessions.c.scenario_id == scenario)
            if since is not None:
                query = query.where(sessions.c.started_at >= since)
            query = query.order_by(sessions.c.started_at.desc(), sessions.c.id.desc())
            if limit:
                query = query.limit(limit)
            return connection.execute(query).all()
        return self._run("list sessions", work)

    # --- workshop feedback -----------------------------------------------------------------------
    def add_feedback(self, scenario_id: str, *, session_uid: str | None = None, trainee: str | None = None,
                     scenario_version: str | None = None, node: str | None = None, realism: int | None = None,
                     fairness: int | None = None, respect: int | None = None, change: str | None = None,
                     comment: str | None = None) -> int:
        """Store one piece of workshop feedback on a scenario (ratings 1-5, free text); returns its id."""
        for name, value in (("realism", realism), ("fairness", fairness), ("respect", respect)):
            if value is not None and not (isinstance(value, int) and 1 <= value <= 5):
                raise ValueError(f"{name} must be a whole number from 1 to 5")

        def work(connection):
            sid = self._session_id(connection, session_uid)[0] if session_uid else None
            tid = self.trainee_id(connection, trainee, create=True)
            return connection.execute(insert(feedback).values(
                session_id=sid, trainee_id=tid, scenario_id=scenario_id, scenario_version=scenario_version,
                node=node, realism=realism, fairness=fairness, respect=respect, change=clean(change),
                comment=clean(comment),
                created_at=now())).inserted_primary_key[0]
        return self._run("store feedback", work)

    def feedback_for(self, scenario_id: str) -> list:
        return self._run("read feedback", lambda c: c.execute(select(feedback).where(
            feedback.c.scenario_id == scenario_id).order_by(feedback.c.created_at, feedback.c.id)).all())

    def feedback_listing(self, scenario_id: str) -> list:
        """`feedback_for`'s rows (oldest first) with `session_uid` and the trainee's `pseudonym` (never
        their display name): what `parley feedback` reports (records/feedback_report.py)."""
        return self._run("read feedback", lambda c: c.execute(select(
            feedback, sessions.c.uid.label("session_uid"), trainees.c.pseudonym).outerjoin(
            sessions, sessions.c.id == feedback.c.session_id).outerjoin(
            trainees, trainees.c.id == feedback.c.trainee_id).where(
            feedback.c.scenario_id == scenario_id).order_by(feedback.c.created_at, feedback.c.id)).all())

    # --- privacy ---------------------------------------------------------------------------------
    def forget(self, who: str) -> Forgotten | None:
        """Remove the trainee called `who` (display name or pseudonym) and everything recorded about
        them: sessions, their events, scores and decisions, feedback, queued xAPI statements and
        cohort memberships. Returns what was removed, or None when there is no such trainee. Record
        and report files in the data folder are for the caller (it knows the folder)."""
        who = clean(who, NAME_LIMIT)

        def work(connection):
            row = connection.execute(select(trainees).where(
                or_(trainees.c.display_name == who, trainees.c.pseudonym == who))).first()
            if row is None:
                return None
            gone = Forgotten(trainee=row.pseudonym)
            sids = select(sessions.c.id).where(sessions.c.trainee_id == row.id)
            gone.session_uids = [r.uid for r in connection.execute(
                select(sessions.c.uid).where(sessions.c.trainee_id == row.id))]
            gone.sessions = len(gone.session_uids)
            gone.events = connection.execute(select(func.count()).select_from(events).where(
                events.c.session_id.in_(sids))).scalar() or 0
            gone.feedback = connection.execute(select(func.count()).select_from(feedback).where(or_(
                feedback.c.trainee_id == row.id, feedback.c.session_id.in_(sids)))).scalar() or 0
            gone.queued_statements = connection.execute(select(func.count()).select_from(xapi_queue).where(and_(
                xapi_queue.c.session_id.in_(sids), xapi_queue.c.sent_at.is_(None)))).scalar() or 0
            gone.sent_statements = connection.execute(select(func.count()).select_from(xapi_queue).where(and_(
                xapi_queue.c.session_id.in_(sids), xapi_queue.c.sent_at.is_not(None)))).scalar() or 0
            gone.cohorts = [r.name for r in connection.execute(select(cohorts.c.name).join(
                cohort_members, cohort_members.c.cohort_id == cohorts.c.id).where(
                cohort_members.c.trainee_id == row.id).order_by(cohorts.c.name))]
            places = select(research_participants.c.id).where(research_participants.c.trainee_id == row.id)
            gone.protocols = [r.protocol_id for r in connection.execute(
                select(research_participants.c.protocol_id).where(research_participants.c.trainee_id == row.id)
                .order_by(research_participants.c.protocol_id))]
            # explicit deletes, children first: correct even where a foreign key was not enforced
            connection.execute(delete(research_answers).where(research_answers.c.participant_id.in_(places)))
            connection.execute(delete(research_participants).where(research_participants.c.trainee_id == row.id))
            for table in (events, session_scores, session_decisions, xapi_queue):
                connection.execute(delete(table).where(table.c.session_id.in_(sids)))
            connection.execute(delete(feedback).where(or_(feedback.c.trainee_id == row.id,
                                                          feedback.c.session_id.in_(sids))))
            connection.execute(delete(sessions).where(sessions.c.trainee_id == row.id))
            connection.execute(delete(cohort_members).where(cohort_members.c.trainee_id == row.id))
            connection.execute(delete(trainees).where(trainees.c.id == row.id))
            gone.names = [n for n in (row.display_name, row.pseudonym) if n]
            return gone
        return self._run("forget a trainee", work)

    # --- imports of older records ----------------------------------------------------------------
    def imported(self, name: str) -> bool:
        return self._run("read the import list", lambda c: c.execute(select(imported_files.c.id).where(
            imported_files.c.name == name)).first() is not None)

    def note_import(self, name: str, sha256: str, session_uid: str | None, problem: str | None) -> None:
        def work(connection):
            try:
                with connection.begin_nested():
                    connection.execute(insert(imported_files).values(name=name, sha256=sha256, imported_at=now(),
                                                                     session_uid=session_uid, problem=problem))
            except IntegrityError:
                pass
        self._run("note an imported file", work)

    # --- research (docs/research.md) -------------------------------------------------------------
    def research_enrol(self, protocol_id: str, sha256: str, code: str) -> Enrolment:
        """Enrol the participant called `code` in protocol `protocol_id` (`sha256`: its file's SHA-256)
        at the next position (1, 2, 3...), or return the place a known code already has. Two stations
        enrolling at once never share a position: a unique constraint refuses the second, which tries
        again (each attempt one transaction)."""
        def work(connection):
            tid = self.trainee_id(connection, code, create=True)
            if tid is None:
                raise ValueError("a research participant needs a code")
            found = connection.execute(select(research_participants).where(and_(
                research_participants.c.protocol_id == protocol_id,
                research_participants.c.trainee_id == tid))).first()
            if found is not None:
                return Enrolment(found.id, tid, found.position, found.protocol_sha256, False)
            position = (connection.execute(select(func.max(research_participants.c.position)).where(
                research_participants.c.protocol_id == protocol_id)).scalar() or 0) + 1
            pid = connection.execute(insert(research_participants).values(
                protocol_id=protocol_id, protocol_sha256=sha256, trainee_id=tid, position=position,
                created_at=now())).inserted_primary_key[0]
            return Enrolment(pid, tid, position, sha256, True)
        for attempt in range(5):
            try:
                return self._run("enrol a research participant", work)
            except DatabaseError as exc:
                if attempt == 4 or not isinstance(exc.__cause__, (IntegrityError, OperationalError)):
                    raise
        raise AssertionError("unreachable")

    def research_answer(self, participant: int, phase: str, question: str, answer: str) -> None:
        """Store a participant's answer to a `pre` or `post` question; it replaces an earlier answer."""
        if phase not in ("pre", "post"):
            raise ValueError(f"a question is asked pre or post, not {phase!r}")

        def work(connection):
            connection.execute(delete(research_answers).where(and_(
                research_answers.c.participant_id == participant, research_answers.c.phase == phase,
                research_answers.c.question == question)))
            connection.execute(insert(research_answers).values(participant_id=participant, phase=phase,
                                                               question=question, answer=clean(answer),
                                                               created_at=now()))
        self._run("store an answer", work)

    def research_answers(self, participant: int) -> dict[tuple[str, str], str]:
        """{(phase, question id): answer} of one participant."""
        return self._run("read answers", lambda c: {(r.phase, r.question): r.answer for r in c.execute(select(
            research_answers).where(research_answers.c.participant_id == participant))})

    def research_sessions(self, protocol_id: str, trainee: int | None = None) -> list:
        """The research sessions played under protocol `protocol_id` (by the trainee row `trainee`, or
        by every participant), oldest first, as (session row, the `protocol` entry of its settings)."""
        def work(connection):
            enrolled = select(research_participants.c.trainee_id).where(
                research_participants.c.protocol_id == protocol_id)
            query = select(sessions).where(and_(sessions.c.mode == "research", sessions.c.trainee_id.in_(enrolled)))
            if trainee is not None:
                query = query.where(sessions.c.trainee_id == trainee)
            return connection.execute(query.order_by(sessions.c.started_at, sessions.c.id)).all()
        found = []
        for row in self._run("read research sessions", work):
            try:
                entry = json.loads(row.settings).get("protocol")
            except (ValueError, AttributeError):
                continue
            if isinstance(entry, dict) and entry.get("id") == protocol_id:
                found.append((row, entry))
        return found
