"""Ralph, a real learning record store, for the xAPI tests (tests/test_records_xapi.py).

Ralph lives in a virtualenv of its own (made by .ci/ralph-setup; its `lrs` extra pins fastapi,
uvicorn and bcrypt, and it pulls a GPL dependency), named by $PARLEY_TEST_RALPH_VENV. The tests start
it themselves, so that one can kill it in the middle of an export and start it again:

- uvicorn run directly from that venv's python (`ralph runserver` would reload on file changes), on
  a free 127.0.0.1 port that a restart keeps, so the endpoint stays the same;
- the file-system backend in the test's own folder (`fs_lrs.jsonl` there holds every statement
  stored), with its default operation type set to append before the app is imported: Ralph 5
  creates that file on the first write and refuses every later write otherwise;
- an auth file with one test user, made by Ralph's own CLI (`ralph auth ... -w`), and a password
  made for the run;
- Ralph's settings from the environment only (RALPH_*, its `.env` ignored: it runs in its folder).

Without the venv (not set, or Ralph not importable from it) a test skips with a message naming what
is missing, or fails when $CI is set. `validate_offline` runs statements through Ralph's pydantic
xAPI models, because Ralph's API accepts invalid statements.
"""
from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

VENV_ENV = "PARLEY_TEST_RALPH_VENV"
USER = "parley-test"
XAPI_HEADERS = {"X-Experience-API-Version": "1.0.3"}

LAUNCHER = """\
import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

# Ralph's fs backend writes with "create" by default, which refuses a file that exists: every POST
# after the first would fail. The API's backend instance is made when ralph.api is imported, after this.
FSLRSBackend.default_operation_type = BaseOperationType.APPEND
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
"""

VALIDATOR = """\
import json
import sys

from pydantic import ValidationError
from ralph.models.xapi.base.statements import BaseXapiStatement
from ralph.models.xapi.concepts.verbs.adl_vocabulary import AnsweredVerb
from ralph.models.xapi.concepts.verbs.scorm_profile import CompletedVerb, InitializedVerb, TerminatedVerb

VERBS = {m().id: m for m in (AnsweredVerb, CompletedVerb, InitializedVerb, TerminatedVerb)}
problems = []
for number, statement in enumerate(json.load(sys.stdin)):
    try:
        BaseXapiStatement.model_validate(statement)
        verb = statement.get("verb", {})
        if verb.get("id") in VERBS:
            VERBS[verb["id"]].model_validate(verb)
    except ValidationError as exc:
        problems.append(f"statement {number} ({statement.get('verb', {}).get('id')}): {exc}")
print(json.dumps(problems))
"""


def missing(what: str) -> None:
    """Skip the test because `what` is missing, or fail it when $CI is set (CI must run it)."""
    message = f"Ralph (a real LRS) is needed: {what}. Run .ci/ralph-setup [VENV] and set ${VENV_ENV} to VENV."
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


_checked: dict[Path, str] = {}


def _ralph_env(extra: dict | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RALPH_")}
    env["RALPH_RUNSERVER_BACKEND"] = "fs"
    env.update(extra or {})
    return env


def ralph_venv() -> Path:
    """Ralph's virtualenv, checked once per run; skips or fails (see `missing`) when it is unusable."""
    value = os.environ.get(VENV_ENV, "").strip()
    if not value:
        missing(f"${VENV_ENV} is not set")
    venv = Path(value).resolve()
    python = venv / "bin" / "python"
    if not python.is_file():
        missing(f"${VENV_ENV}={value} has no bin/python")
    if venv not in _checked:
        try:
            done = subprocess.run([str(python), "-c", "import ralph.api, ralph.models.xapi.base.statements, uvicorn"],
                                  capture_output=True, text=True, timeout=120, env=_ralph_env(), cwd=venv)
            _checked[venv] = "" if done.returncode == 0 else (done.stderr.strip().splitlines() or ["?"])[-1]
        except (OSError, subprocess.TimeoutExpired) as exc:
            _checked[venv] = str(exc)
    if _checked[venv]:
        missing(f"Ralph cannot be imported from {venv}: {_checked[venv]}")
    return venv


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Ralph:
    """One Ralph LRS in `folder`: `start()`, `kill()` (SIGKILL, as a crash or a pulled cable),
    `stop()`; `statements(...)` reads back through its API, `stored()` reads its data file."""

    def __init__(self, venv: Path, folder: Path):
        self.venv, self.folder = venv, folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.data = folder / "lrs"
        self.auth_file = folder / "auth.json"
        self.launcher = folder / "launch_ralph.py"
        self.launcher.write_text(LAUNCHER, encoding="utf-8")
        self.log = folder / "ralph.log"
        self.password = "pw-" + secrets.token_urlsafe(18)
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self._make_user()

    @property
    def python(self) -> str:
        return str(self.venv / "bin" / "python")

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/xAPI/"

    def _env(self) -> dict:
        return _ralph_env({"RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.data),
                           "RALPH_AUTH_FILE": str(self.auth_file), "RALPH_APP_DIR": str(self.folder / "app"),
                           "RALPH_HISTORY_FILE": str(self.folder / "app" / "history.json")})

    def _make_user(self) -> None:
        """The test user in Ralph's auth file, through Ralph's own CLI (it hashes the password with bcrypt)."""
        done = subprocess.run([str(self.venv / "bin" / "ralph"), "auth", "-u", USER, "-p", self.password, "-s", "all",
                               "-M", "mailto:parley-test@example.org", "-w"],
                              capture_output=True, text=True, timeout=120, env=self._env(), cwd=self.folder)
        if done.returncode != 0 or not self.auth_file.is_file():
            raise RuntimeError(f"ralph auth failed ({done.returncode}): {done.stderr[-2000:]}")

    def start(self, timeout: float = 60.0) -> None:
        """Start uvicorn and wait until Ralph answers its heartbeat."""
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen([self.python, str(self.launcher), str(self.port)], cwd=self.folder,
                                            env=self._env(), stdout=log, stderr=subprocess.STDOUT,
                                            stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Ralph stopped while starting ({self.process.returncode}):\n{self.log_tail()}")
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"Ralph did not answer within {timeout:g} s:\n{self.log_tail()}")

    def kill(self) -> None:
        """Stop Ralph at once (SIGKILL): what it had not written is gone, as in a crash."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        """Stop Ralph politely (SIGTERM), or kill it after 10 s."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        self.process = None

    def log_tail(self) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")[-3000:]
        except OSError:
            return ""

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=f"http://127.0.0.1:{self.port}", auth=(USER, self.password),
                            headers=XAPI_HEADERS, timeout=30.0)

    def statements(self, **params) -> list[dict]:
        """Every statement the API returns for `params` (registration=..., verb=...), following `more`."""
        found: list[dict] = []
        with self.client() as http:
            url, query = "/xAPI/statements", {**params, "limit": 100}
            while url:
                response = http.get(url, params=query)
                response.raise_for_status()
                data = response.json()
                found += data["statements"]
                url, query = data.get("more") or None, None
        return found

    def stored(self) -> list[dict]:
        """Every statement in Ralph's data file, in the order written (duplicates would show here)."""
        path = self.data / "fs_lrs.jsonl"
        if not path.is_file():
            return []
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def validate_offline(venv: Path, statements: list[dict], folder: Path) -> list[str]:
    """What Ralph's pydantic xAPI models find wrong with `statements` (BaseXapiStatement, strict: no
    unknown keys, no empty values; and the ADL verb models Ralph has): an empty list when all are valid."""
    folder.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([str(venv / "bin" / "python"), "-c", VALIDATOR], input=json.dumps(statements),
                          capture_output=True, text=True, timeout=300, env=_ralph_env(), cwd=folder)
    if done.returncode != 0:
        raise RuntimeError(f"the offline validation did not run ({done.returncode}): {done.stderr[-3000:]}")
    return json.loads(done.stdout)
