"""A 5,000-line paste in a real browser: its button disabled while it is sent, a progress bar
that moves, then the paged report."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from sharing import tasks
from sharing.models import Indicator
from tests.conftest import browser_login
from tests.factories import PASSWORD


@pytest.mark.browser
def test_a_5000_line_paste_shows_progress_then_the_report(world, page, settings, monkeypatch):
    settings.SHARING_BULK_CHUNK = 100
    go = threading.Event()
    workers: list[threading.Thread] = []

    def work(job_id: str) -> None:
        # A worker of our own, held until the page has shown the job waiting.
        go.wait(30)
        try:
            tasks.bulk_paste.run(job_id)
        finally:
            connection.close()

    def enqueue(args, **kwargs):
        workers.append(threading.Thread(target=work, args=args, daemon=True))
        workers[-1].start()

    monkeypatch.setattr(tasks.bulk_paste, "apply_async", enqueue)
    errors: list[str] = []
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    browser_login(page, world.owner.investigator.username, PASSWORD)
    page.goto("/indicators/add/")
    lines = [f"10.{i // 65536}.{i // 256 % 256}.{i % 256}" for i in range(4990)]
    lines += ["???"] * 10
    # As a paste: the whole text at once (typing 5,000 lines would take the test's time).
    page.eval_on_selector(
        "textarea[name=values]", "(el, text) => { el.value = text; }", "\n".join(lines)
    )
    # Note, in the tab's session storage (it outlives the navigation), whether the button was
    # disabled a moment after the submission left.
    page.evaluate(
        """() => { const form = document.querySelector('main form');
        const button = form.querySelector('button[type=submit]');
        form.addEventListener('submit', () => setTimeout(
            () => sessionStorage.setItem('busy', String(button.disabled)), 5)); }"""
    )
    page.click("main form button[type=submit]")
    page.wait_for_url("**/indicators/add/jobs/**")
    assert page.evaluate("sessionStorage.getItem('busy')") == "true"
    bar = page.locator("progress#bulk-bar")
    assert bar.get_attribute("max") == "5000" and bar.get_attribute("value") == "0"
    assert "0 of 5,000 lines done" in page.locator("#bulk-status").inner_text()
    go.set()
    # The script moves the bar and writes the counts (grouped as the server writes them) while
    # the job runs, then reloads into the report.
    page.wait_for_function(
        "() => { const b = document.getElementById('bulk-bar');"
        " const s = document.getElementById('bulk-status').textContent;"
        " return b && b.value > 0 && b.value < b.max && s.includes(' of 5,000 lines done'); }",
        timeout=30_000,
    )
    page.wait_for_selector("#report", timeout=60_000)
    assert "Finished: 5,000 lines, 4,990 added, 10 errors." in page.inner_text("#bulk-status")
    assert page.locator("#report tbody tr").count() == 100
    assert "Page 1 of 50" in page.inner_text("main")
    page.click("text=Errors only")
    page.wait_for_url("**?errors=1")
    assert page.locator("#report tbody tr").count() == 10
    assert Indicator.objects.filter(owner=world.owner.agency).count() == 4990
    assert not errors, errors
    for worker in workers:
        worker.join(10)
