"""Recording an API key's last use never makes one request wait for another: partners post
long imports with one key from several clients at once."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, transaction

from agencies import services
from agencies.authentication import authenticate_key

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_request_does_not_wait_for_another_recording_the_same_keys_use(world):
    key, plaintext = services.api_key_issue(
        actor=world.owner.admin, agency=world.owner.agency, user=world.owner.investigator, name="k"
    )
    recorded, release = threading.Event(), threading.Event()

    def long_import() -> None:  # records the use, then holds its transaction open
        try:
            with transaction.atomic():
                authenticate_key(plaintext, address=None)
                recorded.set()
                release.wait(20)
        finally:
            connection.close()

    thread = threading.Thread(target=long_import)
    thread.start()
    try:
        assert recorded.wait(10)
        started = time.monotonic()
        with transaction.atomic():
            again = authenticate_key(plaintext, address=None)
        waited = time.monotonic() - started
    finally:
        release.set()
        thread.join()
    assert again.pk == key.pk and waited < 5
    key.refresh_from_db()
    assert key.last_used_at is not None
