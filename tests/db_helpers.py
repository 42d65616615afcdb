"""Databases for the records tests: a SQLite file, and a fresh database on the PostgreSQL server that CI
starts (.ci/postgres-start; $PARLEY_TEST_POSTGRES_URL). Outside CI, tests that need the server are
skipped with a message saying what is missing; in CI (CI set) they fail instead."""
from __future__ import annotations

import os
import secrets
from contextlib import contextmanager

import pytest

POSTGRES_ENV = "PARLEY_TEST_POSTGRES_URL"


def missing(what: str) -> None:
    """Skip (outside CI) or fail (in CI) a test that needs `what`."""
    if os.environ.get("CI"):
        pytest.fail(f"{what}; CI must provide it (see .ci/run)")
    pytest.skip(f"{what}; CI provides it (see .ci/run)")


@contextmanager
def throwaway_database(admin_url: str):
    """A new, empty database on the server `admin_url` reaches, dropped afterwards (open connections
    too); yields its URL. Used by the tests below and by benchmarks/bench_records.py."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = "parley_test_" + secrets.token_hex(5)
    try:
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
    except BaseException:
        admin.dispose()
        raise
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


@contextmanager
def postgres_database():
    """A new database on the test server ($PARLEY_TEST_POSTGRES_URL), dropped afterwards; yields its URL.
    Skips (outside CI) or fails (in CI) when there is no usable server."""
    admin_url = os.environ.get(POSTGRES_ENV)
    if not admin_url:
        missing(f"no PostgreSQL server: ${POSTGRES_ENV} is not set (e.g. postgresql+psycopg://parley@127.0.0.1:5432/postgres)")
    try:
        database = throwaway_database(admin_url)
        url = database.__enter__()
    except Exception as exc:  # noqa: BLE001 - any failure means the server is not usable
        missing(f"the PostgreSQL server at ${POSTGRES_ENV} cannot be used ({type(exc).__name__}: {exc})")
    try:
        yield url
    finally:
        database.__exit__(None, None, None)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """The URL of an empty records database: SQLite, then PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'records.db'}"
        return
    with postgres_database() as url:
        yield url
