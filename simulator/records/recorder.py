"""Recording one session as it is played, for the window and text mode: never interrupts training.

The session is stored when it starts, each decision is appended as it happens and the end stores the
status and the score report. When the database cannot be used (a locked file, a server that is
down), the problem is said once on stderr and the session is kept as a JSON record file in the data
folder's `sessions/` instead, rewritten after every decision; the next start imports it, so nothing
is lost either way.
"""
from __future__ import annotations

import sys

from .database import DatabaseError
from .graded import score_report
from .legacy import write_record_file
from .store import ABANDONED, COMPLETE, Store


def _warn(message: str) -> None:
    print(f"parley: {message}", file=sys.stderr)


class SessionRecorder:
    """Keeps one session's record up to date: `sync()` after every decision, `finish()` at the end."""

    def __init__(self, store: Store | None, session, *, trainee: str | None, mode: str | None, source: str,
                 cohort: str | None = None, settings: dict | None = None):
        self.store, self.session = store, session
        self.trainee, self.mode, self.source, self.cohort = trainee, mode, source, cohort
        self.settings = settings or {}
        self.uid: str | None = None
        self.file: str | None = None  # the fallback JSON record, when the database failed
        self.finished = False
        self.warned = False
        self._start()

    def _failed(self, exc: Exception) -> None:
        if not self.warned:
            self.warned = True
            _warn(f"{exc}; this session is kept in a record file instead")
        self.store = None

    def _start(self) -> None:
        if self.store is not None:
            try:
                self.uid = self.store.start(self.session, trainee=self.trainee, mode=self.mode, source=self.source,
                                            cohort=self.cohort, settings=self.settings)
                return
            except DatabaseError as exc:
                self._failed(exc)
        self._write_file("in progress")

    def _write_file(self, status: str) -> None:
        self.file = write_record_file(self.session, trainee=self.trainee, mode=self.mode, status=status,
                                      source=self.source, path=self.file, cohort=self.cohort) or self.file

    def sync(self) -> None:
        """Store the events that happened since the last call (a kill loses at most the decision in progress)."""
        if self.finished:
            return
        if self.store is not None and self.uid is not None:
            try:
                self.store.append(self.uid, self.session.log)
                return
            except DatabaseError as exc:
                self._failed(exc)
        self._write_file("in progress")

    def finish(self, status: str = COMPLETE, detail: str | None = None, *, grade: bool = True) -> None:
        """Store the end: the status (complete, or abandoned with `detail` saying why) and, with
        `grade`, the score report (the window grades in the background and calls `store_report`)."""
        if self.finished:
            return
        self.finished = True
        self.status, self.detail = status, detail
        report = problem = None
        if grade:
            report, problem = score_report(self.session.scenario, self.session.log, getattr(
                self.session, "language", None)) if len(self.session.log) > 1 else (None, "no decision was made")
        if self.store is not None and self.uid is not None:
            try:
                self.store.finish(self.uid, self.session.log, status, report=report, report_problem=problem,
                                  detail=detail)
                return
            except DatabaseError as exc:
                self._failed(exc)
        self._write_file(self._file_status())

    def _file_status(self) -> str:
        return self.status if self.status == COMPLETE else f"{ABANDONED}: {self.detail or ''}".rstrip(": ")

    def store_report(self, report: dict | None, problem: str | None = None) -> None:
        """Store the score report made after `finish(grade=False)` (or why there is none)."""
        if self.store is not None and self.uid is not None:
            try:
                self.store.set_report(self.uid, report, problem)
            except DatabaseError as exc:
                self._failed(exc)
                self._write_file(self._file_status())


def open_store(url: str | None = None) -> Store | None:
    """The records database for training (the window, text mode), with record files left by earlier
    versions or by a failed database imported; None (said on stderr) when it cannot be opened, and
    sessions are then kept as record files."""
    from .legacy import import_record_files
    try:
        store = Store.open(url)
        import_record_files(store)
    except DatabaseError as exc:
        _warn(f"{exc}; sessions are kept in record files until it can be opened")
        return None
    return store
