"""`parley export xapi`: queue the ended sessions as xAPI statements and send the queue to a learning
record store (simulator/records/lrs.py), then say what happened. Exit 0 when the endpoint's queue
is empty, 1 when statements are left in it (the next export sends them), 2 on usage errors."""
from __future__ import annotations

import os
import sys

from ..i18n import _, ngettext
from ..safetext import clean_line
from .opening import USAGE_EXIT

PASSWORD_ENV = "PARLEY_LRS_PASSWORD"


def run(args, since: str | None = None) -> int:
    """Queue and send; print a summary. `args`: endpoint, user, password (else $PARLEY_LRS_PASSWORD),
    and db, as parsed by cli/main.py; `since`: --since as a stored time (cli/export.py reads it)."""
    password = args.password or os.environ.get(PASSWORD_ENV) or ""

    def say(text: str, err: bool = False) -> None:
        if password:
            text = text.replace(password, "********")  # never shown, whatever a message quotes
        print(clean_line(text), file=sys.stderr if err else sys.stdout)

    def usage(problem: str) -> int:
        say(_("parley export xapi: {problem}").format(problem=problem), err=True)
        return USAGE_EXIT

    from ..records.lrs import normalise_endpoint
    if not args.endpoint:
        return usage(_("--endpoint URL is required (the store's xAPI endpoint, e.g. http://127.0.0.1:8100/xAPI/)"))
    try:
        endpoint = normalise_endpoint(args.endpoint)
    except ValueError as exc:
        return usage(str(exc))
    if not args.user:
        return usage(_("--user is required (the store's user name)"))
    if not password:
        return usage(_("the store's password is required: --password, or ${env}").format(env=PASSWORD_ENV))

    from ..records.database import DatabaseError
    from ..records.lrs import LRSClient, queue_sessions, send_queue
    from .records import open_records
    store = open_records(getattr(args, "db", None))
    if store is None:
        return 1
    try:
        say(_("xAPI export to {endpoint} as {user}").format(endpoint=endpoint, user=args.user))
        queued = queue_sessions(store, endpoint, since=since)
        _say_queued(say, queued)
        with LRSClient(endpoint, args.user, password) as client:
            sent = send_queue(store, endpoint, client)
        _say_sent(say, sent)
    except DatabaseError as exc:
        say(_("parley: {problem}").format(problem=exc), err=True)
        return 1
    finally:
        store.close()
    return 0 if sent.left == 0 else 1


def _say_queued(say, queued) -> None:
    if not queued.sessions:
        say(_("No new session to queue."))
    else:
        say(ngettext("Queued {n} session ({statements} statements).", "Queued {n} sessions ({statements} statements).",
                     queued.sessions).format(n=queued.sessions, statements=queued.statements))
    if queued.guests:
        say(ngettext("{n} of them was played by a guest: sent under an anonymous account of its own.",
                     "{n} of them were played by guests: each sent under an anonymous account of its own.",
                     queued.guests).format(n=queued.guests))
    if queued.without_scenario:
        say(ngettext("{n} session's scenario file is not bundled with this version: its options are sent by id.",
                     "{n} sessions' scenario files are not bundled with this version: their options are sent by id.",
                     queued.without_scenario).format(n=queued.without_scenario))
    if queued.in_progress:
        say(ngettext("{n} session is still in progress: a later export sends it once it ends.",
                     "{n} sessions are still in progress: a later export sends them once they end.",
                     queued.in_progress).format(n=queued.in_progress))
    for uid, why in queued.problems:
        say(_("Session {id} could not be queued: {why}").format(id=uid[:8], why=why))


def _say_sent(say, sent) -> None:
    line = ngettext("Sent {n} statement.", "Sent {n} statements.", sent.sent).format(n=sent.sent)
    if sent.already:
        line += " " + ngettext("{n} was in the store already.", "{n} were in the store already.",
                               sent.already).format(n=sent.already)
    say(line)
    if sent.left == 0:
        say(_("The queue is empty: every queued statement is in the store."))
        return
    say(_("Left in the queue: {statements} of {sessions}.").format(
        statements=ngettext("{n} statement", "{n} statements", sent.left).format(n=sent.left),
        sessions=ngettext("{n} session", "{n} sessions", sent.left_sessions).format(n=sent.left_sessions)))
    if sent.stopped:
        say(_("Why: {why}. They are kept; run the export again when the store can take them.").format(
            why=sent.stopped))
    for uid, why in sent.held.items():
        say(_("Session {id} is held back: {why}").format(id=uid[:8], why=why))
