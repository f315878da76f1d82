"""Settings from the environment: production values pass `check --deploy` without warnings."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

from tests.cybercoop.procs import ROOT, production_env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_with_production_values_reports_no_issues(db):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_a_weak_secret_key_is_reported_so_the_check_can_fail(db):
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", env=production_env(SECRET_KEY="short")
    )
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_secret_key_is_required_when_debug_is_off(db):
    env = production_env()
    del env["SECRET_KEY"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_secret_key_can_come_from_a_file(db, tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text(secrets.token_urlsafe(50) + "\n")
    env = production_env(SECRET_KEY_FILE=str(key_file))
    del env["SECRET_KEY"]
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_debug_defaults_are_safe_for_development(db):
    code = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.ALLOWED_HOSTS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={
            "PATH": os.environ["PATH"],
            "DEBUG": "1",
            "DJANGO_SETTINGS_MODULE": "cybercoop.settings",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(maxsplit=2) == [
        "django.db.backends.sqlite3",
        "True",
        "['127.0.0.1', 'localhost']\n",
    ]


def test_a_replica_url_adds_the_replica_database_mirrored_in_tests(db):
    env = {**production_env(), "DATABASE_REPLICA_URL": "postgres://reader@replica.example:5432/cc"}
    code = (
        "from django.conf import settings; r = settings.DATABASES['replica']; "
        "print(r['HOST'], r['NAME'], r['TEST']['MIRROR'], settings.DATABASE_ROUTERS)"
    )
    result = manage("shell", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split()[:3] == ["replica.example", "cc", "default"]
