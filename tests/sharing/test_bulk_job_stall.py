"""A bulk paste job whose worker died does not spin for ever: once its progress has not moved
for SHARING_BULK_STALL_MINUTES its page and progress say it stopped, and its starter may run it
again from the stored input (lines already stored are reported as already there)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from sharing import bulk
from sharing.models import Indicator
from tests.sharing.test_bulk_paste_job import PASTE, _start

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_jobs(settings):
    settings.SHARING_BULK_ASYNC_MIN_LINES = 6
    settings.SHARING_BULK_CHUNK = 3
    settings.SHARING_BULK_STALL_MINUTES = 15


def _job_id(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


def _idle_for(job_id: str, minutes: int) -> None:
    """As if the job's last progress were ``minutes`` ago (its worker died then)."""
    key = bulk.JOBS.key(job_id)
    job = cache.get(key)
    job["moved"] = (timezone.now() - timedelta(minutes=minutes)).isoformat()
    cache.set(key, job)


def test_a_job_that_has_not_moved_for_the_timeout_says_it_stopped_and_offers_a_retry(
    world, client_for, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(bulk, "_enqueue", lambda job_id: None)  # the message is lost
    client = client_for(world.owner.investigator)
    url = _start(client, world.owner.agency, PASTE, django_capture_on_commit_callbacks)
    job_id = _job_id(url)
    _idle_for(job_id, 14)
    assert client.get(url + "progress/").json()["state"] == "running"
    _idle_for(job_id, 16)
    assert client.get(url + "progress/").json()["state"] == "stopped"
    html = client.get(url).content.decode()
    assert "nothing moved for 15 minutes" in html
    assert 'id="bulk-retry"' in html and "Run it again" in html
    assert 'http-equiv="refresh"' not in html  # no longer refreshes itself


def test_a_retry_runs_the_job_again_for_its_starter_only(
    world, client_for, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(bulk, "_enqueue", lambda job_id: None)
    client = client_for(world.owner.investigator)
    url = _start(client, world.owner.agency, PASTE, django_capture_on_commit_callbacks)
    job_id = _job_id(url)
    _idle_for(job_id, 30)
    for other in (world.owner.analyst, world.partner.investigator, world.outsider.investigator):
        assert client_for(other).post(url + "retry/").status_code == 404
    monkeypatch.setattr(bulk, "_enqueue", lambda job_id: bulk.job_run(job_id))
    client = client_for(world.owner.investigator)  # client_for signs the one client in
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url + "retry/", follow=True)
    assert "The job runs again from the start of the paste." in response.content.decode()
    assert client.get(url + "progress/").json()["state"] == "done"
    assert Indicator.objects.filter(owner=world.owner.agency).count() == 4


def test_a_running_job_is_not_retried_and_a_finished_one_cannot_be(
    world, client_for, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(bulk, "_enqueue", lambda job_id: None)
    client = client_for(world.owner.investigator)
    url = _start(client, world.owner.agency, PASTE, django_capture_on_commit_callbacks)
    response = client.post(url + "retry/", follow=True)
    assert "This job cannot run again" in response.content.decode()
    assert client.get(url + "retry/").status_code == 405


def test_a_large_jobs_counts_group_their_thousands_for_its_reader(
    world, client_for, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(bulk, "_enqueue", lambda job_id: None)
    client = client_for(world.owner.investigator)
    url = _start(client, world.owner.agency, PASTE, django_capture_on_commit_callbacks)
    bulk.JOBS.update(_job_id(url), done=1234, total=12345, errors=1000)
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    status = html[html.index('id="bulk-status"') :].split("</p>")[0]
    assert "1\xa0234 lignes traitées sur 12\xa0345, 1\xa0000 erreurs" in status
    assert 'data-thousands="\xa0"' in html  # progress.js groups its updates the same way
    for side in (world.partner, world.outsider):
        response = client_for(side.investigator).get(url, HTTP_ACCEPT_LANGUAGE="fr")
        assert response.status_code == 404 and b"12\xc2\xa0345" not in response.content
