"""Databases for the records tests: a SQLite file, and a fresh database on the PostgreSQL server that CI
starts (.ci/postgres-start; $PARLEY_TEST_POSTGRES_URL). Outside CI, tests that need the server are
skipped with a message saying what is missing; in CI (CI set) they fail instead."""
from __future__ import annotations

import os
import secrets

import pytest

POSTGRES_ENV = "PARLEY_TEST_POSTGRES_URL"


def missing(what: str) -> None:
    """Skip (outside CI) or fail (in CI) a test that needs `what`."""
    if os.environ.get("CI"):
        pytest.fail(f"{what}; CI must provide it (see .ci/run)")
    pytest.skip(f"{what}; CI provides it (see .ci/run)")


def postgres_database():
    """A context: a new, empty database on the test server, dropped afterwards; yields its URL."""
    from contextlib import contextmanager

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    @contextmanager
    def database():
        admin_url = os.environ.get(POSTGRES_ENV)
        if not admin_url:
            missing(f"no PostgreSQL server: ${POSTGRES_ENV} is not set (e.g. postgresql+psycopg://parley@127.0.0.1:5432/postgres)")
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        name = "parley_test_" + secrets.token_hex(5)
        try:
            with admin.connect() as connection:
                connection.execute(text(f"CREATE DATABASE {name}"))
        except Exception as exc:  # noqa: BLE001 - any failure means the server is not usable
            admin.dispose()
            missing(f"the PostgreSQL server at ${POSTGRES_ENV} cannot be used ({type(exc).__name__}: {exc})")
        try:
            yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            admin.dispose()
    return database()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """The URL of an empty records database: SQLite, then PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'records.db'}"
        return
    with postgres_database() as url:
        yield url
