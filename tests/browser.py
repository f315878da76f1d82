"""Helpers of the browser tests."""

from __future__ import annotations


def watch_console(page) -> list[str]:
    """Console errors (CSP violations among them) and failed loads, the browser's own favicon
    request aside (its console line names no address, so loads are watched by response)."""
    problems: list[str] = []

    def console(message) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(message.text)

    def response(answer) -> None:
        if answer.status >= 400 and not answer.url.endswith("/favicon.ico"):
            problems.append(f"{answer.status} {answer.url}")

    page.on("console", console)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", response)
    return problems
