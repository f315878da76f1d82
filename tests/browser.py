"""Helpers of the browser tests."""

from __future__ import annotations


def watch_console(page) -> list[str]:
    """Console errors (CSP violations among them) and failed loads (a failed load's console
    line names no address, so loads are watched by response). The favicon is served, so a
    404 for it counts like any other."""
    problems: list[str] = []

    def console(message) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            problems.append(message.text)

    def response(answer) -> None:
        if answer.status >= 400:
            problems.append(f"{answer.status} {answer.url}")

    page.on("console", console)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("response", response)
    return problems
