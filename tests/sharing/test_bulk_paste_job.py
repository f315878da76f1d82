"""A large paste on the add page runs as a job: progress while it runs, then its report,
paged, errors only and as CSV; only the member who started it sees it."""

from __future__ import annotations

import csv
import html
import io
import re

import pytest
from celery import current_app
from django.utils import translation

from sharing import bulk
from sharing.models import Indicator
from tests.factories import make_member


@pytest.fixture(autouse=True)
def _small_jobs(settings):
    settings.SHARING_BULK_ASYNC_MIN_LINES = 6
    settings.SHARING_BULK_CHUNK = 3
    settings.SHARING_BULK_REPORT_DAYS = 1


@pytest.fixture
def eager():
    was = current_app.conf.task_always_eager
    current_app.conf.task_always_eager = True
    yield
    current_app.conf.task_always_eager = was


def _form(agency, values: str) -> dict:
    return {
        "agency": agency.pk,
        "type": "",
        "tlp": "GREEN",
        "pap": "GREEN",
        "handling_code": "H0",
        "confidence": 60,
        "values": values,
    }


# Seven lines: four good, three bad (line 3 has no type, lines 5 and 6 are short hashes).
PASTE = "\n".join(
    [
        "192.0.2.10",
        "192.0.2.11",
        "???",
        "evil-bulk.example",
        "md5 zz",
        "sha256 abc",
        "https://bulk.example/x",
    ]
)


def _start(client, agency, values, capture, execute=True):
    with capture(execute=execute):
        response = client.post("/indicators/add/", _form(agency, values))
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def test_a_paste_below_the_threshold_is_added_at_once(world, client_for, eager):
    client = client_for(world.owner.investigator)
    response = client.post(
        "/indicators/add/", _form(world.owner.agency, "192.0.2.1\n192.0.2.2"), follow=True
    )
    assert response.status_code == 200
    assert [r["status"] for r in response.context["report"]] == ["added", "added"]
    assert Indicator.objects.filter(owner=world.owner.agency).count() == 2


def test_a_paste_above_the_threshold_redirects_to_its_job_and_shows_the_report(
    world, client_for, eager, django_capture_on_commit_callbacks
):
    client = client_for(world.owner.investigator)
    url = _start(client, world.owner.agency, PASTE, django_capture_on_commit_callbacks)
    assert url.startswith("/indicators/add/jobs/")
    assert client.get(url + "progress/").json() == {
        "state": "done",
        "total": 7,
        "done": 7,
        "errors": 3,
        "added": 4,
    }
    page = client.get(url)
    assert page.status_code == 200
    rows = list(page.context["page"])
    assert [(r["line"], r["status"]) for r in rows] == [
        (1, "added"),
        (2, "added"),
        (3, "invalid"),
        (4, "added"),
        (5, "invalid"),
        (6, "invalid"),
        (7, "added"),
    ]
    assert b"Finished: 7 lines, 4 added, 3 errors." in page.content
    assert b'http-equiv="refresh"' not in page.content
    assert Indicator.objects.filter(owner=world.owner.agency).count() == 4


def test_progress_counts_lines_and_errors_chunk_by_chunk(
    world, client_for, eager, django_capture_on_commit_callbacks, monkeypatch
):
    client = client_for(world.owner.investigator)
    url = _start(
        client, world.owner.agency, PASTE, django_capture_on_commit_callbacks, execute=False
    )
    # Not yet run: nothing done of seven.
    assert client.get(url + "progress/").json() == {
        "state": "running",
        "total": 7,
        "done": 0,
        "errors": 0,
        "added": 0,
    }
    page = client.get(url)
    # Without script: the page refreshes itself and offers a Refresh link.
    assert b"<progress" in page.content and b'http-equiv="refresh"' in page.content
    assert f'<a href="{url}">Refresh</a>'.encode() in page.content
    assert b"0 of 7 lines done, 0 errors so far." in page.content
    seen = []
    ingest = bulk.paste_ingest

    def watched(**kwargs):
        seen.append({k: v for k, v in client.get(url + "progress/").json().items()})
        return ingest(**kwargs)

    monkeypatch.setattr(bulk, "paste_ingest", watched)
    job_id = url.rstrip("/").rsplit("/", 1)[1]
    assert bulk.job_run(job_id) == 7
    # The unparseable line counts at once; then chunks of three items.
    assert [(p["done"], p["errors"], p["added"]) for p in seen] == [(1, 1, 0), (4, 1, 3)]
    assert client.get(url + "progress/").json()["done"] == 7


def _page(response, job_id: str) -> bytes:
    """The body with its per-response CSRF token and the id it names blanked."""
    body = response.content.replace(job_id.encode(), b"x" * len(job_id))
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", body)


def test_only_the_member_who_started_a_job_sees_it(
    world, client_for, eager, django_capture_on_commit_callbacks
):
    owner = client_for(world.owner.investigator)
    url = _start(owner, world.owner.agency, PASTE, django_capture_on_commit_callbacks)
    job_id = url.rstrip("/").rsplit("/", 1)[1]
    unknown = url.replace(job_id, "x" * len(job_id))
    colleague = world.owner.analyst
    others = [colleague, world.partner.investigator, world.outsider.investigator]
    for suffix in ("", "progress/", "report.csv", "report.csv?errors=1", "?errors=1&page=1"):
        assert client_for(world.owner.investigator).get(url + suffix).status_code == 200
        for user in others:
            client = client_for(user)
            expected = client.get(unknown + suffix)
            response = client.get(url + suffix)
            assert response.status_code == expected.status_code == 404, (user, suffix)
            # No oracle: the same page as for an unknown id (which the 404 page names).
            assert _page(response, job_id) == _page(expected, job_id)
    owner = client_for(world.owner.investigator)
    assert owner.get(unknown).status_code == 404
    # Anonymous: to the login page, which says nothing about the job.
    owner.logout()
    assert owner.get(url).status_code == 302


def test_a_member_who_left_the_agency_no_longer_sees_the_job(
    world, client_for, eager, django_capture_on_commit_callbacks
):
    from agencies.models import Membership

    leaver = make_member(world.owner.agency, "owner_leaver")
    client = client_for(leaver)
    url = _start(client, world.owner.agency, PASTE, django_capture_on_commit_callbacks)
    Membership.objects.filter(user=leaver).update(status=Membership.Status.SUSPENDED)
    assert client.get(url).status_code == 404


def test_the_report_pages_and_filters_errors(
    world, client_for, eager, django_capture_on_commit_callbacks, monkeypatch
):
    from sharing import bulk_views

    monkeypatch.setattr(bulk_views, "REPORT_PAGE_SIZE", 3)
    client = client_for(world.owner.investigator)
    url = _start(client, world.owner.agency, PASTE, django_capture_on_commit_callbacks)
    first = client.get(url)
    assert [r["line"] for r in first.context["page"]] == [1, 2, 3]
    assert b"Page 1 of 3" in first.content and b'rel="last"' in first.content
    last = client.get(url + "?page=3")
    assert [r["line"] for r in last.context["page"]] == [7]
    errors = client.get(url + "?errors=1")
    assert [r["line"] for r in errors.context["page"]] == [3, 5, 6]
    assert {r["status"] for r in errors.context["page"]} == {"invalid"}
    # A page number past the end or not a number: the last or the first page, never a 500.
    assert client.get(url + "?page=99").status_code == 200
    assert [r["line"] for r in client.get(url + "?page=x").context["page"]] == [1, 2, 3]


def test_the_report_downloads_as_csv(world, client_for, eager, django_capture_on_commit_callbacks):
    client = client_for(world.owner.investigator)
    values = PASTE + "\n" + "\n".join(["domain =cmd|calc", "192.0.2.12"])
    url = _start(client, world.owner.agency, values, django_capture_on_commit_callbacks)
    response = client.get(url + "report.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Line", "Value", "Type", "Result", "Reason", "Indicator"]
    assert [(r[0], r[2], r[3]) for r in rows[1:]] == [
        ("1", "IPv4 address", "Added"),
        ("2", "IPv4 address", "Added"),
        ("3", "", "Not added"),
        ("4", "Domain name", "Added"),
        ("5", "MD5 hash", "Not added"),
        ("6", "SHA-256 hash", "Not added"),
        ("7", "URL", "Added"),
        ("8", "Domain name", "Not added"),
        ("9", "IPv4 address", "Added"),
    ]
    first = Indicator.objects.get(owner=world.owner.agency, normalized="192.0.2.10")
    assert rows[1][1] == "192.0.2.10" and rows[1][5] == str(first.pk)
    assert "64 hexadecimal digits" in rows[6][4]
    # A value a spreadsheet would run as a formula is written as text.
    assert rows[8][1] == "'=cmd|calc"
    errors = list(csv.reader(io.StringIO(client.get(url + "report.csv?errors=1").content.decode())))
    assert [r[0] for r in errors[1:]] == ["3", "5", "6", "8"]


# The French of the sentences a paste of PASTE refuses with, and of their parts.
FRENCH = {
    "%(value)s is not a valid SHA-256 hash: %(problem)s.": (
        "%(value)s n'est pas une empreinte SHA-256 valide : %(problem)s."
    ),
    "expected 64 hexadecimal digits": "64 chiffres hexadécimaux attendus",
    "%(value)s is not a valid MD5 hash: %(problem)s.": (
        "%(value)s n'est pas une empreinte MD5 valide : %(problem)s."
    ),
    "expected 32 hexadecimal digits": "32 chiffres hexadécimaux attendus",
    "Cannot tell the type; write 'type value'.": "Type inconnu : écrivez « type valeur ».",
    "report line: result and reason\x04%(result)s: %(reason)s": "%(result)s : %(reason)s",
}
SHA256_IN_FRENCH = (
    "'abc' n'est pas une empreinte SHA-256 valide : 64 chiffres hexadécimaux attendus."
)


def test_a_french_reader_reads_the_reasons_of_a_job_run_in_english_in_french(
    world, client_for, eager, django_capture_on_commit_callbacks, catalogue
):
    catalogue("fr", FRENCH)
    client = client_for(world.owner.investigator)
    with translation.override("en-gb"):  # the worker's language, not the reader's
        url = _start(client, world.owner.agency, PASTE, django_capture_on_commit_callbacks)
    page = client.get(url + "?errors=1", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Non ajouté : Type inconnu : écrivez « type valeur »." in html.unescape(page)
    assert SHA256_IN_FRENCH in html.unescape(page)
    assert "hexadecimal" not in page and "Cannot tell" not in page
    response = client.get(url + "report.csv?errors=1", HTTP_ACCEPT_LANGUAGE="fr")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Ligne", "Valeur", "Type", "Résultat", "Motif", "Indicateur"]
    assert [(r[0], r[2], r[3], r[4]) for r in rows[1:]] == [
        ("3", "", "Non ajouté", "Type inconnu : écrivez « type valeur »."),
        (
            "5",
            "Empreinte MD5",
            "Non ajouté",
            "'zz' n'est pas une empreinte MD5 valide : 32 chiffres hexadécimaux attendus.",
        ),
        ("6", "Empreinte SHA-256", "Non ajouté", SHA256_IN_FRENCH),
    ]


def test_a_paste_added_at_once_keeps_its_reasons_for_the_reader_language(
    world, client_for, eager, catalogue
):
    catalogue("fr", FRENCH)
    client = client_for(world.owner.investigator)
    response = client.post("/indicators/add/", _form(world.owner.agency, "sha256 abc\n192.0.2.1"))
    report = response["Location"]
    assert f"Non ajouté : {SHA256_IN_FRENCH}" in html.unescape(
        client.get(report, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    )
    english = client.get(report, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "is not a valid SHA-256 hash: expected 64 hexadecimal digits." in english


def test_a_job_whose_broker_is_down_says_it_stopped(
    world, client_for, django_capture_on_commit_callbacks, monkeypatch
):
    from sharing import tasks

    def refuse(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(tasks.bulk_paste, "apply_async", refuse)
    client = client_for(world.owner.investigator)
    url = _start(client, world.owner.agency, PASTE, django_capture_on_commit_callbacks)
    assert client.get(url + "progress/").json()["state"] == "failed"
    assert b"The job stopped after 0 of 7 lines." in client.get(url).content
    assert not Indicator.objects.exists()


def test_an_uploaded_file_above_the_threshold_runs_as_a_job(
    world, client_for, eager, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(world.owner.investigator)
    form = _form(world.owner.agency, "")
    form["upload"] = SimpleUploadedFile("list.txt", ("\ufeff" + PASTE).encode(), "text/plain")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/indicators/add/", form)
    assert response.status_code == 302
    progress = client.get(response["Location"] + "progress/").json()
    assert (progress["state"], progress["added"], progress["errors"]) == ("done", 4, 3)


@pytest.mark.parametrize(
    ("values", "content", "field", "message"),
    [
        ("192.0.2.1", b"192.0.2.2", "upload", "Paste the values or choose a file, not both."),
        ("", b"\xff\xfe1\x00", "upload", "The file must be UTF-8 text."),
        ("", b"192.0.2.2\x00", "upload", "The file must be text, without NUL characters."),
        ("", None, "values", "Paste values, one per line, or choose a file."),
    ],
)
def test_a_bad_upload_is_refused_naming_the_field_and_adds_nothing(
    world, client_for, values, content, field, message
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    form = _form(world.owner.agency, values)
    if content is not None:
        form["upload"] = SimpleUploadedFile("list.txt", content, "text/plain")
    response = client_for(world.owner.investigator).post("/indicators/add/", form)
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert not Indicator.objects.exists()
