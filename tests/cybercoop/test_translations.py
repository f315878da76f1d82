"""The four catalogues (English, French, Spanish, Arabic) are complete and compiled.

``make messages`` collects the marked strings; these tests collect them again, from a copy of
the sources, and fail on any string of a template or of the code that a catalogue lacks, leaves
empty or marks fuzzy, and on a compiled catalogue older than its ``.po`` file.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

TRANSLATED = ["fr", "es", "ar"]
SOURCES_LEFT_OUT = (".venv", ".git", "bench", "tests", "tools", "static", "staticfiles", "media*")


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The catalogues as ``make messages`` would leave them, built in a copy of the sources."""
    copy = tmp_path_factory.mktemp("sources") / "tree"
    shutil.copytree(settings.BASE_DIR, copy, ignore=shutil.ignore_patterns(*SOURCES_LEFT_OUT))
    here = os.getcwd()
    os.chdir(copy)
    try:
        with override_settings(LOCALE_PATHS=[copy / "locale"]):
            call_command(
                "makemessages",
                locale=TRANSLATED,
                extensions=["html", "txt", "py"],
                no_location=True,
                no_obsolete=True,
                ignore_patterns=list(SOURCES_LEFT_OUT),
                verbosity=0,
            )
    finally:
        os.chdir(here)
    return copy / "locale"


def gaps(catalogue: polib.POFile) -> list[str]:
    return [
        entry.msgid
        for entry in catalogue
        if not entry.obsolete and (entry.fuzzy or not entry.translated())
    ]


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_marked_string_is_translated(collected: Path, language: str) -> None:
    missing = gaps(polib.pofile(str(collected / language / "LC_MESSAGES" / "django.po")))
    assert not missing, f"{len(missing)} strings untranslated in {language}: {missing[:20]}"


def test_a_gap_in_a_catalogue_is_found(tmp_path: Path) -> None:
    catalogue = polib.POFile()
    catalogue.append(polib.POEntry(msgid="Cases", msgstr="Affaires"))
    catalogue.append(polib.POEntry(msgid="Notices", msgstr=""))
    catalogue.append(polib.POEntry(msgid="Tasks", msgstr="Tâches", flags=["fuzzy"]))
    assert gaps(catalogue) == ["Notices", "Tasks"]


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalogue_matches_its_source(language: str) -> None:
    committed = Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / "django.po"
    source = polib.pofile(str(committed))
    stale = []
    with translation.override(language):
        for entry in source.translated_entries():
            if entry.msgid_plural:
                answer = translation.ngettext(entry.msgid, entry.msgid_plural, 1)
                expected = set(entry.msgstr_plural.values())
            elif entry.msgctxt:
                answer = translation.pgettext(entry.msgctxt, entry.msgid)
                expected = {entry.msgstr}
            else:
                answer, expected = translation.gettext(entry.msgid), {entry.msgstr}
            if answer not in expected:
                stale.append(entry.msgid)
    assert not stale, f"run `make messages`: {language} .mo lacks {stale[:10]}"
