"""Notice notifications move to the notification centre (``notifications.Notification``): each
row is copied, its text kept as the ``message`` parameter, then the old table goes."""

from __future__ import annotations

from django.db import migrations

KINDS = {
    "expiry_reminder": "notice_expiry_reminder",
    "expired": "notice_expired",
    "review": "notice_review",
}


def copy(apps, schema_editor):
    Old = apps.get_model("notices", "Notification")
    New = apps.get_model("notifications", "Notification")
    batch = []
    for row in Old.objects.select_related("notice").order_by("pk").iterator(chunk_size=1000):
        notice = row.notice
        name = " ".join(p for p in (notice.forenames, notice.family_name.upper()) if p)
        batch.append(
            New(
                user_id=row.user_id,
                kind=KINDS.get(row.kind, "notice_review"),
                subject=f"#{notice.pk} {name or notice.title}".strip()[:200],
                link=f"/notices/{notice.pk}/",
                params={"message": row.message},
                object_type="notices.notice",
                object_id=notice.pk,
                created_at=row.created_at,
                read_at=row.read_at,
                digested_at=row.created_at,  # older than the digest: never mailed by it
            )
        )
        if len(batch) >= 1000:
            New.objects.bulk_create(batch)
            batch = []
    New.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("notices", "0002_search_extensions"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(copy, migrations.RunPython.noop),
        migrations.DeleteModel(name="Notification"),
    ]
