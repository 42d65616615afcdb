"""Sending sessions to a learning record store (xAPI 1.0.3 over plain HTTP, httpx), through a queue in
the records database, so that nothing is lost while the store is unreachable and nothing is sent twice.

1. `queue_sessions` builds the statements of every ended session not yet queued for the endpoint
   (records/xapi.py) and stores them in `xapi_queue`, one transaction per session, before anything
   is sent. A session is queued once per endpoint: its statements are never rebuilt, so what a
   store receives is what was queued (a later change of rubric cannot give a registration both
   `passed` and `failed`).
2. `send_queue` sends the endpoint's unsent statements in queue order, in batches (POST statements
   with a JSON array), and marks each batch sent as the store acknowledges it. A batch's `attempts`
   are counted in the database before it is posted, so a statement that may have reached the store
   (a crash or a lost answer after the POST, before it was marked) is looked up by id
   (GET statements?statementId=) before it is posted again. A 409 Conflict means the store has
   statements with those ids: each is looked up, those it has are marked sent ("already there"),
   the others are sent one by one. Statement ids are stable (a UUID5 of the session and the
   statement's kind), and a store keeps one statement per id, so a repeat never duplicates.
3. Connection errors, time-outs, 5xx and 429 are retried with exponential backoff (`TRIES` tries,
   waiting `BACKOFF`, twice that, ... and at most `MAX_WAIT` s, or what Retry-After asks within
   that); then sending stops and the rest stays queued for the next export. A wrong user name or
   password (401, 403) or a wrong endpoint (404) stops at once. A statement the store refuses
   (400, 413...) holds back its own session's later statements (cmi5 wants `terminated` last, and
   nothing after a gap), and the other sessions go on.

Every request carries `X-Experience-API-Version: 1.0.3` and HTTP Basic authentication. The password
is never stored, logged or part of a message.
"""
from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
from sqlalchemy import and_, exists, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..i18n import _
from ..safetext import clean_line
from .schema import events, sessions, trainees, xapi_queue
from .store import IN_PROGRESS, Store, now
from .xapi import ENDED, XAPI_VERSION, NotEnded, build_statements

VERSION_HEADER = "X-Experience-API-Version"
BATCH_SIZE = 50  # statements per POST: a few sessions' worth, well under any store's request limit
TRIES = 4  # attempts per request before the export stops and keeps the rest queued
BACKOFF = 1.0  # seconds before the second try; doubled before each further one
MAX_WAIT = 30.0  # the longest wait between tries, whatever Retry-After asks
TIMEOUT = 30.0  # seconds for the store to answer one request


class LRSError(Exception):
    """The store could not take statements; the message says why, in the interface's language."""


class Unreachable(LRSError):
    """No answer (connection refused, time-out) or 5xx/429 after every try: worth trying again later."""


class Refused(LRSError):
    """The store refused the request with a 4xx status (other than 409)."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status

    @property
    def stops_everything(self) -> bool:
        """A wrong user, password or endpoint: no other statement can go either."""
        return self.status in (401, 403, 404, 405)


class Conflict(LRSError):
    """409: the store already holds a statement with one of the ids posted."""


def normalise_endpoint(url: str | None) -> str:
    """The xAPI endpoint `url` with a trailing slash, so that `statements` resolves beneath it.
    Raises ValueError (a message for the user) for anything but an http(s) URL with a host, and for
    a URL with a user name or password in it (they would be stored with the queue and printed)."""
    try:
        parts = urlsplit((url or "").strip())
        host = parts.hostname
        userinfo = "@" in parts.netloc
    except ValueError:
        raise ValueError(_("the endpoint is not a URL")) from None
    if userinfo:
        raise ValueError(_("give the store's user name and password with --user and --password, not in the endpoint"))
    if parts.scheme not in ("http", "https") or not host:
        raise ValueError(_("the endpoint must be an http:// or https:// URL, such as http://127.0.0.1:8100/xAPI/"))
    if parts.query or parts.fragment:
        raise ValueError(_("the endpoint must not have a query (?...) or a fragment (#...)"))
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc, path, "", ""))


# --- the store's side --------------------------------------------------------------------------

def _detail(response: httpx.Response) -> str:
    """What the store said about a refusal, on one line and short (its text is untrusted)."""
    try:
        data = response.json()
        text = data.get("detail") or data.get("message") or data.get("error") if isinstance(data, dict) else data
        text = text if isinstance(text, str) else json.dumps(text)
    except ValueError:
        text = response.text
    text = clean_line(text or "").strip()
    return text[:200] + ("..." if len(text) > 200 else "")


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:  # an HTTP date
        when = parsedate_to_datetime(value)
        return max(0.0, (when - datetime.now(tz=when.tzinfo)).total_seconds())
    except (TypeError, ValueError):
        return None


class LRSClient:
    """A learning record store's statements resource: `post(statements)` and `has(statement_id)`,
    each with bounded retries. Use it as a context manager (it holds a connection pool)."""

    def __init__(self, endpoint: str, user: str, password: str, *, tries: int | None = None,
                 backoff: float | None = None, timeout: float | None = None,
                 transport: httpx.BaseTransport | None = None, sleep: Callable[[float], None] = time.sleep):
        self.endpoint = normalise_endpoint(endpoint)
        self.tries = max(1, tries if tries is not None else TRIES)
        self.backoff = BACKOFF if backoff is None else backoff
        self.sleep = sleep
        self.requests = 0  # requests made, retries included (for tests and the curious)
        self.http = httpx.Client(base_url=self.endpoint, auth=httpx.BasicAuth(user, password), transport=transport,
                                 timeout=httpx.Timeout(TIMEOUT if timeout is None else timeout),
                                 headers={VERSION_HEADER: XAPI_VERSION, "Accept": "application/json"},
                                 follow_redirects=False)

    def __enter__(self) -> "LRSClient":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    def _request(self, method: str, **kwargs) -> httpx.Response:
        """The store's answer to one request on `statements`, retried on connection errors, time-outs,
        5xx and 429; raises Unreachable when every try failed that way."""
        why = ""
        for attempt in range(self.tries):
            wait = min(MAX_WAIT, self.backoff * 2 ** attempt)
            try:
                self.requests += 1
                response = self.http.request(method, "statements", **kwargs)
            except httpx.TimeoutException:
                why = _("no answer within {seconds:g} s").format(seconds=self.http.timeout.read or TIMEOUT)
            except httpx.TransportError as exc:
                why = _("cannot connect ({error})").format(error=clean_line(str(exc)) or type(exc).__name__)
            else:
                if response.status_code != 429 and response.status_code < 500:
                    return response
                why = _("it answered {status} {reason}").format(status=response.status_code,
                                                                reason=response.reason_phrase)
                asked = _retry_after(response)
                if asked is not None:
                    wait = min(MAX_WAIT, asked)
            if attempt + 1 < self.tries:
                self.sleep(wait)
        raise Unreachable(_("the store at {endpoint} is unreachable: {why}, {tries} tries").format(
            endpoint=self.endpoint, why=why, tries=self.tries))

    def _refused(self, response: httpx.Response) -> Refused:
        status = response.status_code
        if status in (401, 403):
            message = _("the store refused the user name or password ({status})").format(status=status)
        elif status in (404, 405):
            message = _("{endpoint} has no xAPI statements resource ({status}): check the endpoint").format(
                endpoint=self.endpoint, status=status)
        else:
            message = _("the store refused it ({status}: {detail})").format(status=status, detail=_detail(response))
        return Refused(message, status)

    def post(self, statements: Sequence[dict]) -> None:
        """Store `statements` (POST a JSON array). Raises Conflict (409), Refused, Unreachable."""
        body = json.dumps(list(statements), ensure_ascii=False, allow_nan=False).encode("utf-8")
        response = self._request("POST", content=body, headers={"Content-Type": "application/json"})
        if response.status_code in (200, 204):
            return
        if response.status_code == 409:
            raise Conflict(_detail(response))
        raise self._refused(response)

    def has(self, statement_id: str) -> bool:
        """Whether the store holds the statement `statement_id` (GET statements?statementId=)."""
        response = self._request("GET", params={"statementId": statement_id})
        if response.status_code == 404:
            return False
        if response.status_code != 200:
            raise self._refused(response)
        try:
            data = response.json()
        except ValueError:
            return False
        if isinstance(data, dict) and data.get("id") == statement_id:
            return True
        # some stores answer with a StatementResult ({"statements": [...]}) instead of the statement
        found = data.get("statements") if isinstance(data, dict) else None
        return isinstance(found, list) and any(isinstance(s, dict) and s.get("id") == statement_id for s in found)


# --- the queue ---------------------------------------------------------------------------------

@dataclass
class Queued:
    """What `queue_sessions` did."""
    sessions: int = 0
    statements: int = 0
    guests: int = 0  # of `sessions`: sent under an anonymous account of their own
    without_scenario: int = 0  # of `sessions`: the scenario file was not at hand, options sent by id
    in_progress: int = 0  # sessions still being played: queued by a later export, once they end
    problems: list = field(default_factory=list)  # (session uid, why it could not be queued)


def find_scenario(row, log: list[dict], cache: dict | None = None):
    """The scenario a stored session was played on (its variant), when a bundled scenario file has
    the same id and content hash; else None (its statements then name options by id)."""
    key = (row.source, row.scenario_id, row.content_hash)
    if cache is not None and key in cache:
        scenario = cache[key]
    else:
        scenario = None
        from ..content.loader import load_scenario
        from ..paths import scenarios_dir
        folder = scenarios_dir()
        for path in (folder / Path(row.source or "").name, folder / f"{row.scenario_id}.yaml"):
            if not path.name or not path.is_file():
                continue
            try:
                found = load_scenario(path).scenario
            except Exception:  # noqa: BLE001 - a broken file only means the options go by id
                found = None
            if found is not None and found.id == row.scenario_id and found.content_hash == row.content_hash:
                scenario = found
                break
        if cache is not None:
            cache[key] = scenario
    if scenario is None:
        return None
    from ..content.loader import scenario_for_log
    return scenario_for_log(scenario, log)


def _since_filter(since: str | None):
    return [sessions.c.started_at >= since] if since else []


def queue_sessions(store: Store, endpoint: str, *, since: str | None = None,
                   scenario_for: Callable | None = None) -> Queued:
    """Queue the statements of every ended session (started at or after `since`, a stored UTC time,
    when given) that has none queued for `endpoint` yet. One transaction per session."""
    endpoint = normalise_endpoint(endpoint)
    done = Queued()
    cache: dict = {}
    scenario_for = scenario_for or (lambda row, log: find_scenario(row, log, cache))
    queued_here = exists().where(and_(xapi_queue.c.session_id == sessions.c.id, xapi_queue.c.endpoint == endpoint))

    def pending(connection):
        query = select(sessions, trainees.c.pseudonym).outerjoin(trainees, sessions.c.trainee_id == trainees.c.id) \
            .where(sessions.c.status.in_(ENDED), ~queued_here, *_since_filter(since)) \
            .order_by(sessions.c.started_at, sessions.c.id)
        rows = connection.execute(query).all()
        playing = connection.execute(select(func.count()).select_from(sessions).where(
            sessions.c.status == IN_PROGRESS, *_since_filter(since))).scalar() or 0
        return rows, playing

    rows, done.in_progress = store._run("list the sessions to send", pending)
    for row in rows:
        def read(connection, sid=row.id):
            return [json.loads(r.data) for r in connection.execute(
                select(events.c.data).where(events.c.session_id == sid).order_by(events.c.seq))]
        log = store._run("read a session's events", read)
        try:
            report = json.loads(row.report) if row.report else None
            scenario = scenario_for(row, log)
            statements = build_statements(dict(row._mapping), log, report, scenario)
        except NotEnded:
            continue
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            done.problems.append((row.uid, clean_line(str(exc)) or type(exc).__name__))
            continue
        stamp = now()
        values = [{"endpoint": endpoint, "session_id": row.id, "statement_id": s["id"], "position": i,
                   "statement": json.dumps(s, ensure_ascii=False, allow_nan=False, separators=(",", ":")),
                   "created_at": stamp, "attempts": 0} for i, s in enumerate(statements)]

        def insert_rows(connection, values=values, sid=row.id) -> bool:
            if connection.execute(select(xapi_queue.c.id).where(and_(
                    xapi_queue.c.session_id == sid, xapi_queue.c.endpoint == endpoint)).limit(1)).first():
                return False  # another export queued it meanwhile
            try:
                with connection.begin_nested():
                    connection.execute(insert(xapi_queue), values)
            except IntegrityError:
                return False
            return True
        if store._run("queue xAPI statements", insert_rows):
            done.sessions += 1
            done.statements += len(values)
            done.guests += int(row.pseudonym is None)
            done.without_scenario += int(scenario is None)
    return done


# --- sending -----------------------------------------------------------------------------------

@dataclass
class Sent:
    """What `send_queue` did, and what is left."""
    sent: int = 0  # statements the store acknowledged in this run
    already: int = 0  # statements the store already held (a crash after a POST, a 409), marked sent
    left: int = 0  # statements still queued for the endpoint afterwards
    left_sessions: int = 0
    stopped: str | None = None  # why sending stopped early (unreachable, wrong password...)
    held: dict = field(default_factory=dict)  # session uid -> why its statements are held back


def send_queue(store: Store, endpoint: str, client: LRSClient, *, batch_size: int | None = None,
               after_batch: Callable[[int], None] | None = None) -> Sent:
    """Send the endpoint's queued statements in order, in batches, marking each batch sent as the store
    acknowledges it. `after_batch(n)` is called after the n-th batch is marked (tests use it)."""
    endpoint = normalise_endpoint(endpoint)
    size = max(1, batch_size or BATCH_SIZE)
    done = Sent()

    def unsent(connection):
        return connection.execute(select(xapi_queue.c.id, xapi_queue.c.session_id, xapi_queue.c.statement_id,
                                         xapi_queue.c.statement, xapi_queue.c.attempts, sessions.c.uid)
                                  .join(sessions, sessions.c.id == xapi_queue.c.session_id)
                                  .where(xapi_queue.c.endpoint == endpoint, xapi_queue.c.sent_at.is_(None))
                                  .order_by(xapi_queue.c.id)).all()
    rows = store._run("read the xAPI queue", unsent)
    uids = {r.session_id: r.uid for r in rows}
    blocked: dict[int, str] = {}

    def mark(ids: list[int]) -> None:
        if ids:
            store._run("mark statements sent", lambda c: c.execute(update(xapi_queue).where(
                xapi_queue.c.id.in_(ids)).values(sent_at=now(), last_error=None)))

    def attempt(ids: list[int]) -> None:
        store._run("count a sending attempt", lambda c: c.execute(update(xapi_queue).where(
            xapi_queue.c.id.in_(ids)).values(attempts=xapi_queue.c.attempts + 1)))

    def note(ids: list[int], why: str) -> None:
        if ids:
            store._run("note why statements are still queued", lambda c: c.execute(update(xapi_queue).where(
                xapi_queue.c.id.in_(ids), xapi_queue.c.sent_at.is_(None)).values(last_error=why[:1000])))

    def one_by_one(batch) -> None:
        """Send `batch` a statement at a time (after a conflict or a refusal), holding back a session
        from its first refused statement on."""
        for row in batch:
            if row.session_id in blocked:
                continue
            if client.has(row.statement_id):
                mark([row.id])
                done.already += 1
                continue
            try:
                client.post([json.loads(row.statement)])
            except Conflict as exc:  # a different statement with this id: it can never be stored
                why = _("the store has a different statement with the id {id} ({detail})").format(
                    id=row.statement_id, detail=str(exc))
            except Refused as exc:
                if exc.stops_everything:
                    raise
                why = str(exc)
            else:
                mark([row.id])
                done.sent += 1
                continue
            blocked[row.session_id] = why
            done.held[uids[row.session_id]] = why
            note([row.id], why)

    batches = 0
    position = 0
    batch: list = []
    try:
        while position < len(rows):
            batch = []
            while position < len(rows) and len(batch) < size:
                if rows[position].session_id not in blocked:
                    batch.append(rows[position])
                position += 1
            if not batch:
                continue
            # statements posted before (a crash or a lost answer after the POST) may be there already
            there = [r for r in batch if r.attempts > 0 and client.has(r.statement_id)]
            mark([r.id for r in there])
            done.already += len(there)
            batch = [r for r in batch if r not in there]
            if batch:
                attempt([r.id for r in batch])
                try:
                    client.post([json.loads(r.statement) for r in batch])
                except Conflict:
                    one_by_one(batch)
                except Refused as exc:
                    if exc.stops_everything:
                        raise
                    one_by_one(batch)
                else:
                    mark([r.id for r in batch])
                    done.sent += len(batch)
            batches += 1
            if after_batch is not None:
                after_batch(batches)
    except LRSError as exc:
        done.stopped = str(exc)
        note([r.id for r in batch], done.stopped)

    def left(connection):
        query = select(func.count(), func.count(xapi_queue.c.session_id.distinct())).where(
            xapi_queue.c.endpoint == endpoint, xapi_queue.c.sent_at.is_(None))
        return connection.execute(query).one()
    done.left, done.left_sessions = store._run("count the xAPI queue", left)
    return done
