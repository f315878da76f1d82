"""Fill the bench database for the list benchmarks: A agencies, N cases, M indicators.

    python bench/lists_data.py --agencies 200 --cases 100000 --indicators 1000000

Rows are written with INSERT ... SELECT generate_series, and their permission rows the way
``sync_case_permissions`` and ``sync_indicators_permissions(fresh=True)`` write them for a
case without a JIT (view and change to the lead agency's group) and an unshared indicator
(view to the owner's group); a sample is then re-synced with those functions, which must
find nothing to change. Agency i leads case g and owns indicator g when g % A == i, and is
created with one investigator, ``bench.list<i>``; ``bench.list0`` is the one measured.
``--sparse K`` then hands the K oldest cases and indicators (lead, owner and their permission
rows) to one more agency, DE-SPARSE (``bench.sparse``): a caller who sees a few old rows
among millions. Idempotent: what exists (by reference / value) is kept.
"""

from __future__ import annotations

import argparse
import random
import time

import harness


def _agency(code: str, username: str):
    from django.contrib.auth import get_user_model

    from agencies import services as agency_services
    from agencies.models import Jurisdiction, Membership

    de = Jurisdiction.objects.get(code="DE")
    agency = agency_services.agency_upsert(
        code=code, name=f"List bench agency {code}", country=de, kind="police"
    )
    user, _ = get_user_model().objects.get_or_create(username=username)
    if not Membership.objects.filter(user=user, agency=agency).exists():
        agency_services.membership_set(
            actor=None, agency=agency, user=user, role=Membership.Role.INVESTIGATOR
        )
    return agency


def agencies(count: int) -> list:
    from agencies import services as agency_services

    agency_services.jurisdiction_upsert(code="DE", name="Germany", kind="country")
    return [_agency(f"DE-LIST{n:03d}", f"bench.list{n}") for n in range(count)]


def sparse(count: int) -> None:
    """The ``count`` oldest cases and indicators (and their permission rows) to DE-SPARSE."""
    agency = _agency("DE-SPARSE", "bench.sparse")
    print(f"the {count} oldest cases and indicators to DE-SPARSE:")
    for table, owner, key in (
        ("cases_case", "lead_agency_id", "reference"),
        ("sharing_indicator", "owner_id", "normalized"),
    ):
        run(
            f"""
            WITH oldest AS (SELECT id FROM {table} WHERE {key} ILIKE 'list-%%'
                            ORDER BY id LIMIT %s)
            UPDATE {table} SET {owner} = %s WHERE id IN (SELECT id FROM oldest)
            """,
            [count, agency.pk],
        )
    for rows, objects, owner in (
        ("cases_casegroupobjectpermission", "cases_case", "lead_agency_id"),
        ("sharing_indicatorgroupobjectpermission", "sharing_indicator", "owner_id"),
    ):
        run(
            f"""
            UPDATE {rows} p SET group_id = %s FROM {objects} o
            WHERE o.id = p.content_object_id AND o.{owner} = %s AND p.group_id <> %s
            """,
            [agency.group_id, agency.pk, agency.group_id],
        )


def run(sql: str, params: list) -> int:
    from django.db import connection, transaction

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.rowcount
    print(f"  {rows:>9,} rows in {time.perf_counter() - started:6.1f} s")
    return rows


def cases(agency_ids: list[int], count: int) -> None:
    from agencies.access import permission
    from cases.models import Case

    print(f"cases: {count:,}")
    run(
        """
        INSERT INTO cases_case (reference, title, summary, lead_agency_id, status, tlp,
            handling_code, handling_text, offence_categories, tags, created_at, updated_at)
        SELECT 'LIST-' || g, 'Bench case ' || g, '', (%s::bigint[])[1 + g %% %s], 'open',
            'AMBER', 'H0', '', '["illegal_access"]', '["bench"]',
            now() - (%s - g) * interval '1 minute', now() - (%s - g) * interval '1 minute'
        FROM generate_series(1, %s) g
        ON CONFLICT (reference) DO NOTHING
        """,
        [agency_ids, len(agency_ids), count, count, count],
    )
    print("case permissions (view and change to the lead's group):")
    for codename in ("view_case", "change_case"):
        run(
            """
            INSERT INTO cases_casegroupobjectpermission (content_object_id, permission_id,
                group_id)
            SELECT c.id, %s, a.group_id FROM cases_case c
            JOIN agencies_agency a ON a.id = c.lead_agency_id
            WHERE c.reference LIKE 'LIST-%%'
            ON CONFLICT DO NOTHING
            """,
            [permission(Case, codename).pk],
        )


def indicators(agency_ids: list[int], count: int) -> None:
    from agencies.access import permission
    from sharing.models import Indicator

    print(f"indicators: {count:,}")
    run(
        """
        INSERT INTO sharing_indicator (stix_uuid, type, value, normalized, owner_id,
            description, labels, confidence, tlp, pap, handling_code, revoked, created,
            modified)
        SELECT gen_random_uuid(), 'domain', 'list-' || g || '.example',
            'list-' || g || '.example', (%s::bigint[])[1 + g %% %s], '', '[]', 50, 'AMBER',
            'AMBER', 'H0', false, now() - (%s - g) * interval '1 second',
            now() - (%s - g) * interval '1 second'
        FROM generate_series(1, %s) g
        ON CONFLICT DO NOTHING
        """,
        [agency_ids, len(agency_ids), count, count, count],
    )
    print("indicator permissions (view to the owner's group):")
    run(
        """
        INSERT INTO sharing_indicatorgroupobjectpermission (content_object_id, permission_id,
            group_id)
        SELECT i.id, %s, a.group_id FROM sharing_indicator i
        JOIN agencies_agency a ON a.id = i.owner_id
        WHERE i.type = 'domain' AND i.normalized LIKE 'list-%%'
        ON CONFLICT DO NOTHING
        """,
        [permission(Indicator, "view_indicator").pk],
    )


def check_sample() -> None:
    """The code's own sync functions agree with the rows written above."""
    from cases.models import Case, CaseGroupObjectPermission
    from cases.permissions import sync_case_permissions
    from sharing.models import Indicator, IndicatorGroupObjectPermission
    from sharing.permissions import sync_indicators_permissions

    rng = random.Random(1)
    for model, rows, sync in (
        (Case, CaseGroupObjectPermission, lambda objs: [sync_case_permissions(o) for o in objs]),
        (Indicator, IndicatorGroupObjectPermission, sync_indicators_permissions),
    ):
        last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
        if last is None:
            continue
        ids = [rng.randint(1, last) for _ in range(50)]
        sample = list(model.objects.filter(pk__in=ids).select_related())
        before = sorted(rows.objects.filter(content_object__in=sample).values_list())
        sync(sample)
        after = sorted(rows.objects.filter(content_object__in=sample).values_list())
        assert before == after, f"{model.__name__}: the sync functions changed the rows"
        print(f"{model.__name__}: {len(sample)} sampled, permission rows as the code writes them")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agencies", type=int, default=200)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--indicators", type=int, default=1_000_000)
    parser.add_argument("--sparse", type=int, default=0, help="rows handed to DE-SPARSE")
    args = parser.parse_args()
    harness.setup()
    from django.db import connection

    agency_ids = [a.pk for a in agencies(args.agencies)]
    cases(agency_ids, args.cases)
    if args.indicators:
        indicators(agency_ids, args.indicators)
    if args.sparse:
        sparse(args.sparse)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    check_sample()


if __name__ == "__main__":
    main()
