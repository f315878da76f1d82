"""Assistance notifications move to the notification centre (``notifications.Notification``):
each row is copied, its text kept as the ``message`` parameter, then the old table goes."""

from __future__ import annotations

from django.db import migrations

KINDS = {
    "new": "assistance_new",
    "status": "assistance_status",
    "deadline": "assistance_deadline",
    "overdue": "assistance_overdue",
}


def copy(apps, schema_editor):
    Old = apps.get_model("assistance", "Notification")
    New = apps.get_model("notifications", "Notification")
    batch = []
    rows = Old.objects.select_related(
        "request__requesting_agency", "request__addressee"
    ).order_by("pk")
    for row in rows.iterator(chunk_size=1000):
        request = row.request
        batch.append(
            New(
                user_id=row.user_id,
                kind=KINDS.get(row.kind, "assistance_status"),
                subject=(
                    f"#{request.pk} {request.requesting_agency.code} → {request.addressee.code}"
                ),
                link=f"/assistance/{request.pk}/",
                params={"message": row.message},
                object_type="assistance.assistancerequest",
                object_id=request.pk,
                created_at=row.created_at,
                read_at=row.read_at,
                digested_at=row.created_at,  # mailed when it was made: not again by the digest
            )
        )
        if len(batch) >= 1000:
            New.objects.bulk_create(batch)
            batch = []
    New.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("assistance", "0003_enforcing_authority"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(copy, migrations.RunPython.noop),
        migrations.DeleteModel(name="Notification"),
    ]
