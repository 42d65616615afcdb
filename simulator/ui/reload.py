"""Live reload: while a briefing or scene is open, saving its scenario file re-validates it and, if valid, reloads it.

How it works, and why:

Threading. watchdog's observer calls back on its own thread. That thread does one thing: under a
lock it notes the time of the last change to the open file (`FileWatcher._touched`). The window's
loop polls that note once a frame (`App.step` -> `Reloader.tick`) and acts when the file has been
quiet for DEBOUNCE_SECONDS. A flag rather than a posted pygame event: nothing on the watchdog thread
touches pygame or the screens, no event can be lost to a queue that is full or cleared, and the
debounce lives in one place, on the main thread, in real time. Loading, the session rebuild and
every screen change happen on the main thread: a save stalls one frame for as long as the file takes
to check (tenths of a second for the bundled scenarios), and the scene's clock never counts more than
a quarter second of a stalled frame (App.run).

What is watched. The open file's folder (not recursive), with events matched on the file's name:
editors that write a temporary file and rename it over the original, or that delete the file and
create it again (vim), are seen as a change of the file, and the burst of events one save makes is
one reload. Only modifications, creations, deletions, renames and "closed after writing" count;
the loader's own reading of the file (opened, closed without writing) does not. A save that leaves
the bytes as they were (the same content hash, or the same problems) changes nothing. A file that is
gone once the burst is over says so and keeps being watched: saving it again reloads it.

Lifetime. One window per process, so one watcher per process (`_active`): the observer starts when
a briefing or scene of a file is in the screen stack, moves when another file is opened, and stops
(its threads joined) when no briefing or scene is left (the ending, the library) and when the app
quits. A new App (a test making a fresh window) stops the last one's watcher when it watches.

A valid new version. The briefing is made again for it. For a scene, the event log stays the one
truth and every log written stays replayable on the file version named by its content hash:
  1. The old session is kept as it was, as a record with status "abandoned: scenario file
     changed" when it had a decision (`SceneScreen.abandon`). Its log is never edited.
  2. A new session is made on the new version with the old one's seed and options, and the old
     log's inputs (choice_made, timer_expired, undo) are applied to it in order with their own
     elapsed times, actors and reasons, through the engine's ordinary `choose`, `expire_timer` and
     `undo`. Applying stops before the first input that no longer applies (its node, choice or
     timer is not there, its condition fails) or that would end the session. Its
     `session_started` carries the new content hash, so its record (written as usual once it has
     a decision) is a plain session log of the new file: `Session.replay` rebuilds it exactly.
  3. Where the trainee lands:
     - every input applied and the session is at the node it was at: "kept your place";
     - that node is no longer in the file: a fresh session at the start (no inputs applied),
       "the scene you were on is gone; back to the start";
     - the node is still there but the inputs no longer lead to it (a choice removed or moved, a
       condition changed, a random reaction drawn differently): the session stays where the
       inputs that still apply lead, and the notice says how many of them were kept.
  The log format has no event that puts a session at a node without a path to it, and adding one
  would make logs that no sequence of decisions explains (grading and replay assume one), so
  "jump to the old node" is not offered.
The moment is shown again from its start (its decision time and timer restart); if the trainee
had the choices in front of them, the new text is shown at once with the choices.

An invalid new version. The errors are shown over the open screen (`screens/reload_errors.py`),
every one of them, as file:line:col, message and hint, scrolling. Nothing is reloaded and the last
version that loaded stays open underneath: "Go on" returns to it, and the next save is checked
again (a fixed file closes the error view and reloads).
"""
from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..content.loader import load_scenario, with_variant
from ..engine.session import Session
from ..engine.step import EngineError
from ..i18n import _

DEBOUNCE_SECONDS = 0.2  # a save is acted on once its file has been quiet this long
NOTICE_SECONDS = 5.0  # how long a reload's notice stays
OPEN_SCREENS = ("briefing", "scene")  # screens that show one scenario file; App.step names them too
INPUTS = ("choice_made", "timer_expired", "undo")
# watchdog event types that mean the file's content may have changed ("opened" and
# "closed_no_write", which every read of the file makes, the loader's included, do not)
CHANGES = frozenset({"modified", "created", "deleted", "moved", "closed"})


# --- watching, on watchdog's thread ---------------------------------------------------------------
class FileWatcher:
    """Watches one file (through its folder) with a watchdog observer; the main loop asks `changed()`."""

    def __init__(self, path: Path):
        self.path = Path(path).resolve()
        self._lock = threading.Lock()
        self._touched: float | None = None  # monotonic time of the last change seen, until taken
        self._observer = None

    def start(self) -> None:
        """Start the observer (stopping any other watcher of this process). Raises OSError when the
        system refuses (no such folder, inotify limits)."""
        global _active
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        if _active is not None and _active is not self:
            _active.stop()
        watcher = self

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event) -> None:  # watchdog's thread: note the time, nothing else
                if event.event_type in CHANGES and not event.is_directory and watcher._concerns(event):
                    with watcher._lock:
                        watcher._touched = time.monotonic()

        observer = Observer()
        observer.daemon = True
        observer.schedule(Handler(), str(self.path.parent), recursive=False)
        observer.start()
        self._observer = observer
        _active = self

    def _concerns(self, event) -> bool:
        names = [event.src_path, getattr(event, "dest_path", "") or ""]
        return any(Path(_text(name)).name == self.path.name for name in names if name)

    def changed(self, now: float | None = None) -> bool:
        """True once after a change, when the file has been quiet for DEBOUNCE_SECONDS (main thread)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            if self._touched is None or now - self._touched < DEBOUNCE_SECONDS:
                return False
            self._touched = None
            return True

    @property
    def alive(self) -> bool:
        return self._observer is not None and self._observer.is_alive()

    def stop(self) -> None:
        """Stop the observer and wait for its threads to end."""
        global _active
        observer, self._observer = self._observer, None
        if observer is not None:
            observer.stop()
            if observer.is_alive():
                observer.join(timeout=5)
        if _active is self:
            _active = None


_active: FileWatcher | None = None  # the process's one watcher (one window per process)


def _text(name) -> str:
    return name.decode("utf-8", "surrogateescape") if isinstance(name, bytes) else str(name)


# --- carrying a session over to a new version of its file (no pygame) ---------------------------
@dataclass
class Carried:
    """A session rebuilt on a new version of its scenario (see the module's docstring).

    `place` is "kept" (same inputs, same node), "gone" (the node left the file: a fresh start) or
    "moved" (the node is there, the inputs no longer lead to it: `kept` of `total` were applied).
    `offered` lists the options shown before each applied decision, as the scene keeps them."""

    session: Session
    place: str
    kept: int
    total: int
    offered: list = field(default_factory=list)


def fresh_session(old: Session, scenario) -> Session:
    """A new session on `scenario` with `old`'s seed, options and names."""
    return Session(scenario, seed=old.seed, options=old.options, officer=old.officer, unnamed=old.unnamed)


def current_node(session: Session) -> str | None:
    return None if session.ended else session.scenario.target_ids[session.state.at]


def _apply(session: Session, event: dict, offered: list) -> None:
    """Apply one logged input to `session` through its ordinary methods; raises when it does not apply."""
    kind = event["type"]
    if kind == "undo":
        session.undo(event["actor"], event["reason"], elapsed=max(0.0, event["t"] - session.state.t))
        offered.pop()
        return
    if event.get("node") != current_node(session):
        raise EngineError(f"the input was made at {event.get('node')!r}, the session is at {current_node(session)!r}")
    shown = [c.id for c in session.presented()]
    if kind == "choice_made":
        session.choose(event["choice"], event["elapsed"], event["actor"], event["reason"])
    else:
        session.expire_timer(event["elapsed"])
    offered.append(shown)


def _play(old: Session, scenario, inputs: list[dict]) -> tuple[Session, list, int]:
    """A session on `scenario` with the longest prefix of `inputs` that applies without ending it."""
    session, offered = fresh_session(old, scenario), []
    for k, event in enumerate(inputs):
        try:
            _apply(session, event, offered)
        except (EngineError, KeyError, TypeError, ValueError, IndexError):
            return _play(old, scenario, inputs[:k])  # the session may be half-changed: build it again
        if session.ended:
            return _play(old, scenario, inputs[:k])
    return session, offered, len(inputs)


def carry_over(old: Session, scenario) -> Carried:
    """Rebuild `old` (a session that has not ended) on `scenario`, a new version of its file."""
    inputs = [e for e in old.log if e.get("type") in INPUTS]
    where = current_node(old)
    session, offered, kept = _play(old, scenario, inputs)
    if kept == len(inputs) and current_node(session) == where:
        return Carried(session, "kept", kept, len(inputs), offered)
    if where not in scenario.target_index:
        return Carried(fresh_session(old, scenario), "gone", 0, len(inputs), [])
    return Carried(session, "moved", kept, len(inputs), offered)


# --- the window's side: on the main thread -------------------------------------------------------
def load_with_problems(path: Path):
    """(scenario or None, error diagnostics) for the file at `path`, checked as the library checks it
    (the loader, then the scoring section when the scoring package is there)."""
    result = load_scenario(path)
    errors = list(result.errors)
    if result.scenario is not None:
        try:
            from scoring.rubric import check_scenario_scoring_file
        except ImportError:  # scoring is optional for the window
            check_scenario_scoring_file = None
        if check_scenario_scoring_file is not None:
            errors += [d for d in check_scenario_scoring_file(path) if d.severity == "error"]
    warnings = len(result.warnings)
    return (result.scenario if not errors else None), errors, warnings


class Reloader:
    """One window's live reload: keeps a FileWatcher on the open scenario's file and applies its saves."""

    def __init__(self, app):
        self.app = app
        self.watcher: FileWatcher | None = None
        self.failed: set[Path] = set()  # files the system would not let us watch (said once each)
        self.signature = None  # what the open file's last check gave: a content hash or its problems
        self.missing_said = False

    # every frame
    def tick(self) -> None:
        screen = self.open_screen()
        path = self._resolved(screen.entry.path) if screen is not None else None
        if path is None:
            self.stop()
            return
        if self.watcher is None or self.watcher.path != path:
            self.stop()
            self.signature = getattr(screen.entry.scenario, "content_hash", None)
            self.missing_said = False
            if path in self.failed:
                return
            watcher = FileWatcher(path)
            try:
                watcher.start()
            except (OSError, RuntimeError) as exc:  # no such folder, inotify limits: play goes on without
                self.failed.add(path)
                print("parley: " + _("live reload is off for {file} ({why})").format(file=path, why=exc),
                      file=sys.stderr)
                return
            self.watcher = watcher
        if self.watcher.changed():
            self.reload(screen)

    def _resolved(self, path) -> Path:
        """The open file's real path, resolved once per file rather than every frame (a system call)."""
        if getattr(self, "_resolved_for", None) != path:
            self._resolved_for, self._resolved_path = path, Path(path).resolve()
        return self._resolved_path

    def stop(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher = None

    def open_screen(self):
        """The topmost briefing or scene in the stack (an error view or a menu may be over it), or None."""
        return next((s for s in reversed(self.app.stack)
                     if s.name in OPEN_SCREENS and getattr(s, "entry", None) is not None), None)

    def error_view(self):
        return next((s for s in self.app.stack if s.name == "reload errors"), None)

    # a save
    def reload(self, screen) -> None:
        """Check the file again and apply it to `screen` (the open briefing or scene)."""
        path = Path(screen.entry.path)
        name = path.name
        if not path.exists():
            if not self.missing_said:
                self.missing_said = True
                self._say(_("{file} was removed or renamed; Parley reloads it when it is saved again.")
                          .format(file=name))
            return
        self.missing_said = False
        scenario, errors, warnings = load_with_problems(path)
        signature = scenario.content_hash if scenario is not None else tuple(d.format() for d in errors)
        if signature == self.signature and (scenario is not None or self.error_view() is not None):
            return  # the same bytes again (a touch, an editor's second write), or the same problems on show
        self.signature = signature
        if scenario is None:
            self._show_errors(screen, path, errors)
            return
        view = self.error_view()
        if view is not None:
            self._remove(view)
        entry = screen.entry
        if scenario.content_hash == getattr(entry.scenario, "content_hash", None):
            self._say(_("Reloaded {file}: kept your place.").format(file=name))  # back to the version open
            return
        entry.scenario, entry.problems, entry.warnings = scenario, [], warnings  # the library's card too
        if entry.scenario.id in self.app.variants:
            try:
                with_variant(scenario, self.app.variants[scenario.id])
            except KeyError:  # the variant chosen in the briefing is no longer in the file: its default
                del self.app.variants[scenario.id]
        if screen.name == "briefing":
            notice = self._reload_briefing(screen, name)
        else:
            notice = self._reload_scene(screen, name)
        for other in self.app.stack:
            if other.name == "library":
                other.build()
        if self.app.top.overlay and len(self.app.stack) > 1:
            self.app.relayout()  # the picture under an overlay (the step-back prompt) shows the new version
        self._say(notice)

    def _reload_briefing(self, screen, name: str) -> str:
        fresh = self.app.flow.briefing(screen.entry, screen.language)
        index = self.app.stack.index(screen)
        self.app.stack[index] = fresh
        fresh.build()
        fresh.enter()  # preloads the new version's art
        return _("Reloaded {file}.").format(file=name)

    def _reload_scene(self, scene, name: str) -> str:
        scenario = with_variant(scene.entry.scenario, self.app.variants.get(scene.entry.scenario.id))
        carried = carry_over(scene.session, scenario)
        scene.abandon("scenario file changed")  # the old session's own record, on the old version
        scene.adopt(scenario, carried.session, carried.offered)
        if carried.place == "kept":
            return _("Reloaded {file}: kept your place.").format(file=name)
        if carried.place == "gone":
            return _("Reloaded {file}: the scene you were on is gone; back to the start.").format(file=name)
        if carried.kept == carried.total:  # every choice still applies, but leads elsewhere
            return _("Reloaded {file}: your choices now lead to another scene; you go on from there.").format(file=name)
        return _("Reloaded {file}: your choices no longer lead to the scene you were on; "
                 "kept the first {kept} of {total}.").format(file=name, kept=carried.kept, total=carried.total)

    def _show_errors(self, screen, path: Path, errors: list) -> None:
        self.app.notice = None  # the error view is the message; an earlier "Reloaded" must not sit over it
        view = self.error_view()
        if view is not None:
            view.show(path, errors)
            return
        from .screens.reload_errors import ReloadErrorsScreen  # as flow.py makes screens: lazily
        self.app.push(ReloadErrorsScreen(self.app, screen, path, errors))

    def _remove(self, view) -> None:
        if self.app.top is view:
            self.app.pop()
        else:
            self.app.stack.remove(view)

    def _say(self, text: str) -> None:
        self.app.notify(text, NOTICE_SECONDS)
        self.app.speak(text)
