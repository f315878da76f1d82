"""Screenshots of the main pages for reviewers: ``make screenshots``.

Stand-alone (no Django): it drives a running demo server (``make screenshots`` seeds one on
SQLite and starts it) with Playwright in Debian's Chromium, signs in as the demo's investigator
and as its agency admin (with the demo's authenticator seed), and writes one full-page PNG per
page, width and language into the output folder, with an ``index.html`` that shows them all.

    python tools/screenshots.py --base http://127.0.0.1:8066 --out screenshots \
        --password cybercoop-demo --totp-secret SEED
"""

from __future__ import annotations

import argparse
import html
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pyotp
from playwright.sync_api import Page, ViewportSize, sync_playwright

WIDTHS: dict[str, ViewportSize] = {
    "desktop": {"width": 1366, "height": 800},
    "phone": {"width": 390, "height": 844},
}
LANGUAGES = ["en", "ar", "fr"]  # left to right, right to left, and the longest words
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@dataclass(frozen=True)
class Shot:
    name: str
    user: str
    path: str  # a path, or "first:<list path>|<css selector>" to follow the list's first link


SHOTS = [
    Shot("home", "bka.investigator", "/"),
    Shot("cases", "bka.investigator", "/cases/"),
    Shot("case", "bka.investigator", "first:/cases/|tbody a"),
    Shot("jit-invitations", "bka.investigator", "/cases/jit-invitations/"),
    Shot("indicators", "bka.investigator", "/indicators/"),
    Shot("indicator", "bka.investigator", "first:/indicators/|tbody a[href^='/indicators/']"),
    Shot("objects", "bka.investigator", "/objects/"),
    Shot("correlations", "bka.investigator", "/correlations/"),
    Shot("notices", "bka.investigator", "/notices/"),
    Shot("notice", "bka.investigator", "first:/notices/|tbody a[href^='/notices/']"),
    Shot("assistance", "bka.investigator", "/assistance/"),
    Shot("notifications", "bka.investigator", "/notifications/"),
    Shot("public-notices", "bka.investigator", "/public/notices/"),
    Shot("transparency", "bka.investigator", "/transparency/"),
    Shot("home-admin", "bka.admin", "/"),  # with the delivery chart
    Shot("deliveries", "bka.admin", "/agencies/DE-BKA/deliveries/"),
    Shot("endpoints", "bka.admin", "/agencies/DE-BKA/endpoints/"),
    Shot("members", "bka.admin", "/agencies/DE-BKA/members/"),
    Shot("api-keys", "bka.admin", "/agencies/DE-BKA/api-keys/"),
]


def sign_in(page: Page, username: str, password: str, totp_secret: str) -> None:
    page.context.clear_cookies()
    page.goto("/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    if "/accounts/2fa/authenticate/" in page.url:
        totp = pyotp.TOTP(totp_secret)
        page.fill("input[name=code]", totp.now())
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/2fa/" not in url)


def resolve(page: Page, path: str) -> str | None:
    if not path.startswith("first:"):
        return path
    listing, selector = path.removeprefix("first:").split("|", 1)
    page.goto(listing)
    link = page.locator(selector).first
    return link.get_attribute("href") if link.count() else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the demo server, e.g. http://127.0.0.1:8066")
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    parser.add_argument("--password", required=True)
    parser.add_argument("--totp-secret", required=True)
    parser.add_argument(
        "--languages",
        type=lambda text: text.replace(",", " ").split(),
        default=LANGUAGES,
        help=f"language codes, e.g. 'en ar' (default: {' '.join(LANGUAGES)})",
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    taken: list[tuple[str, Path]] = []
    failed: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        for language in args.languages:
            context = browser.new_context(base_url=args.base, locale=language)
            context.set_extra_http_headers({"Accept-Language": language})
            page = context.new_page()
            user = ""
            for shot in SHOTS:
                if shot.user != user:
                    if user:
                        # A TOTP code is accepted once: the admin waits for the next one.
                        time.sleep(30 - time.time() % 30 + 0.5)
                    sign_in(page, shot.user, args.password, args.totp_secret)
                    user = shot.user
                for label, size in WIDTHS.items():
                    page.set_viewport_size(size)
                    path = resolve(page, shot.path)
                    answer = page.goto(path) if path else None
                    if answer is None or answer.status != 200:
                        failed.append(
                            f"{language} {label} {shot.name}: {path} gave "
                            f"{answer.status if answer else 'no link'}"
                        )
                        continue
                    file = args.out / f"{shot.name}-{label}-{language}.png"
                    page.screenshot(path=str(file), full_page=True)
                    taken.append((f"{shot.name} · {label} · {language}", file))
            context.close()
        browser.close()
    figures = "\n".join(
        f"<figure><figcaption>{html.escape(caption)}</figcaption>"
        f'<img src="{html.escape(file.name)}" alt="{html.escape(caption)}"></figure>'
        for caption, file in taken
    )
    (args.out / "index.html").write_text(
        f"<!doctype html><meta charset=utf-8><title>CyberCoop screenshots</title>{figures}\n",
        encoding="utf-8",
    )
    print(f"{len(taken)} screenshots in {args.out}/ (index.html shows them all)")
    for line in failed:
        print(f"not taken: {line}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
