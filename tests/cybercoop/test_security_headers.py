"""The HTTP surface: a strict Content-Security-Policy everywhere (Swagger UI still works),
X-Forwarded-Proto trusted only behind a declared proxy, Django's admin off by default."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.cybercoop.procs import ROOT, production_env


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


@pytest.mark.parametrize("url", ["/login/", "/api/docs/", "/public/notices/"])
def test_html_pages_carry_a_csp_without_inline_script(db, client, url):
    response = client.get(url)
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_signed_in_pages_carry_the_csp_too(world, client_for):
    response = client_for(world.owner.admin).get("/")
    assert response.status_code == 200
    assert _policy(response)["default-src"] == "'self'"


def test_no_template_holds_an_inline_script_or_style():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").rglob("*.html")
        for marker in ("<script>", "<style", " style=", " onclick=", " onsubmit=")
        if marker in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_django_admin_is_off_unless_enabled(db, client_for, world):
    assert client_for(world.owner.admin).get("/admin/").status_code == 404


def _in_production(code: str, **extra: str) -> str:
    """What ``code`` prints with the production settings (plus ``extra``), in a subprocess."""
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{code}"],
        cwd=ROOT,
        env=production_env(DJANGO_SETTINGS_MODULE="cybercoop.settings", **extra),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def _proxy_header(**extra: str) -> str:
    return _in_production(
        "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)", **extra
    )


def test_x_forwarded_proto_is_trusted_only_behind_a_declared_proxy(db):
    assert _proxy_header() == "None"
    assert _proxy_header(BEHIND_TLS_PROXY="1") == "('HTTP_X_FORWARDED_PROTO', 'https')"


@pytest.mark.browser
def test_swagger_ui_renders_the_api_under_the_csp(db, page):
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto("/api/docs/")
    page.wait_for_selector(".opblock-summary-path")
    assert page.locator(".opblock-summary-path", has_text="/api/v1/cases/").count() >= 1
    assert violations == []


def _admin_served(**extra: str) -> str:
    return _in_production(
        "from django.urls import Resolver404, resolve\n"
        "try:\n    resolve('/admin/'); print('served')\n"
        "except Resolver404:\n    print('absent')",
        **extra,
    )


def test_django_admin_is_served_only_when_enabled(db):
    assert _admin_served() == "absent"
    assert _admin_served(ADMIN_ENABLED="1") == "served"
