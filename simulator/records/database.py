"""Which database holds the records, and opening it: SQLite in the user's data folder by default,
PostgreSQL (or another SQLAlchemy URL) with `--db URL` or $PARLEY_DATABASE_URL; migrations applied
on open, so an upgrade never loses data."""
from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from ..paths import data_dir

HEAD = "0003"  # the newest migration in migrations/versions; a test checks they agree
DEFAULT_FILE = "parley.db"


class DatabaseError(Exception):
    """The records database cannot be opened or used; the message says which and why, without a password."""


def database_url(given: str | None = None) -> str:
    """The database to use: `given` (`--db`), else $PARLEY_DATABASE_URL, else SQLite `parley.db` in the
    data folder. A bare path is taken as a SQLite file."""
    url = given or os.environ.get("PARLEY_DATABASE_URL") or ""
    if not url:
        return "sqlite:///" + str(data_dir() / DEFAULT_FILE)
    if "://" not in url:
        return "sqlite:///" + str(Path(url).expanduser().resolve())
    return url


def shown_url(url: str) -> str:
    """`url` as people may see it: the password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(an unreadable database URL)"


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """Every SQLite connection: the write-ahead log, a full fsync on every commit (a decision
    acknowledged is on disk), foreign keys enforced (forgetting a trainee cascades), and waiting
    for another writer instead of failing."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def open_engine(url: str | None = None, *, migrate: bool = True) -> Engine:
    """An engine on the records database, its schema brought up to date (Alembic) when `migrate`.
    Raises DatabaseError."""
    url = database_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise DatabaseError(f"not a database URL: {shown_url(url)}") from exc
    sqlite = parsed.get_backend_name() == "sqlite"
    try:
        if sqlite and parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, future=True, pool_pre_ping=not sqlite)
    except (SQLAlchemyError, OSError, ImportError) as exc:
        raise DatabaseError(f"cannot open the records database {shown_url(url)}: {exc}") from exc
    if sqlite:
        event.listen(engine, "connect", _sqlite_pragmas)
    if migrate:
        try:
            upgrade(engine)
        except (SQLAlchemyError, OSError) as exc:
            engine.dispose()
            raise DatabaseError(f"cannot open the records database {shown_url(url)}: {_short(exc)}") from exc
    return engine


def _short(exc: Exception) -> str:
    """An SQLAlchemy error's first line, without the statement and parameters (which can hold names)."""
    message = str(getattr(exc, "orig", None) or exc)
    return message.strip().splitlines()[0] if message.strip() else type(exc).__name__


def current_revision(engine: Engine) -> str | None:
    """The schema version the database is at, or None for an empty database."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply the migrations the database lacks, up to `revision`, in one transaction per run. Alembic
    is imported only when there is something to do, so an up-to-date database opens quickly."""
    if revision == "head" and current_revision(engine) == HEAD:
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
