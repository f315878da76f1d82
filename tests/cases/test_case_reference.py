"""Case references: per lead agency and year, gap-free and unique under concurrency."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import timezone

from cases import services
from cases.models import Case


def test_references_count_per_agency(world):
    year = timezone.localdate().year
    a = services.case_open(
        actor=world.owner.investigator, lead_agency=world.owner.agency, title="a"
    )
    b = services.case_open(
        actor=world.owner.investigator, lead_agency=world.owner.agency, title="b"
    )
    c = services.case_open(
        actor=world.partner.investigator, lead_agency=world.partner.agency, title="c"
    )
    assert (a.reference, b.reference, c.reference) == (
        f"DE-BKA-{year}-0001",
        f"DE-BKA-{year}-0002",
        f"NL-NHTCU-{year}-0001",
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_case_opening_gives_unique_sequential_references(world):
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def open_cases():
        try:
            barrier.wait()
            for _ in range(4):
                services.case_open(
                    actor=world.owner.investigator, lead_agency=world.owner.agency, title="t"
                )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=open_cases) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    numbers = sorted(
        int(ref.rsplit("-", 1)[1]) for ref in Case.objects.values_list("reference", flat=True)
    )
    assert numbers == list(range(1, 25))
