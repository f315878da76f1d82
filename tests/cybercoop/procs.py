"""Helpers for tests that start the compose services' commands as local subprocesses."""

from __future__ import annotations

import os
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def database_url() -> str:
    """The URL of the database this test run uses (the test database, not the configured one)."""
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def production_env(**extra: str) -> dict[str, str]:
    """Only what production sets: none of the test-only relaxations that pytest-env adds."""
    return {
        "PATH": f"{BIN}:{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", "/tmp"),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "example.org",
        "CSRF_TRUSTED_ORIGINS": "https://example.org",
        "DATABASE_URL": database_url(),
        **extra,
    }


def isolated_redis_url() -> str:
    """A Redis database of its own for broker tests (TEST_CELERY_REDIS_DB, default 15)."""
    base = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0]
    return f"{base}/{os.environ.get('TEST_CELERY_REDIS_DB', '15')}"


def compose_command(service: str) -> list[str]:
    """The service's command from docker-compose.yml (the part after any ``migrate &&``)."""
    spec = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"][service]
    command = spec["command"]
    if isinstance(command, list) and command[:2] == ["sh", "-c"]:
        command = command[2]
    if isinstance(command, str):
        command = shlex.split(command.split("&&")[-1])
    return list(command)


def replace_option(command: list[str], option: str, value: str) -> list[str]:
    index = command.index(option)
    return [*command[: index + 1], value, *command[index + 2 :]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running(command: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    """Start ``command`` (its executable from the venv) in its own process group; always stop it."""
    executable = BIN / command[0]
    argv = [str(executable) if executable.exists() else command[0], *command[1:]]
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            yield proc
        finally:
            stop(proc)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def wait_for(predicate: Callable[[], object], *, timeout: float, proc=None, log=None) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            break
        time.sleep(0.2)
    detail = log.read_text(errors="replace")[-3000:] if log else ""
    raise AssertionError(f"timed out or process exited (rc={proc and proc.poll()}):\n{detail}")
