"""A dead delivery is a kind of its own (``delivery_dead``), held back only by an unread dead
one, never by an unread "failing": the rows stored as ``delivery_failing`` with the variant
``dead`` move to it, and neither kind keeps a variant (each has one sentence)."""

from __future__ import annotations

from django.db import migrations, models
from django.utils import timezone


def split(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    rows = Notification.objects.filter(kind__in=["delivery_failing", "delivery_dead"])
    for row in rows.iterator(chunk_size=1000):
        variant = row.params.pop("variant", "")
        if variant == "dead":
            row.kind = "delivery_dead"
        row.save(update_fields=["kind", "params"])


def join(apps, schema_editor):
    """Back to one kind: where a user has both unread about one endpoint, the dead one stays."""
    Notification = apps.get_model("notifications", "Notification")
    dead = Notification.objects.filter(kind="delivery_dead", read_at__isnull=True)
    for user_id, object_type, object_id in dead.values_list("user_id", "object_type", "object_id"):
        Notification.objects.filter(
            kind="delivery_failing",
            read_at__isnull=True,
            user_id=user_id,
            object_type=object_type,
            object_id=object_id,
        ).update(read_at=timezone.now())
    rows = Notification.objects.filter(kind__in=["delivery_failing", "delivery_dead"])
    for row in rows.iterator(chunk_size=1000):
        row.params["variant"] = "dead" if row.kind == "delivery_dead" else "failing"
        row.kind = "delivery_failing"
        row.save(update_fields=["kind", "params"])


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="notification",
            name="notification_once_while_unread",
        ),
        migrations.AlterField(
            model_name="notification",
            name="kind",
            field=models.CharField(
                choices=[
                    ("notice_expiry_reminder", "Notice expiry reminder"),
                    ("notice_expired", "Notice expired"),
                    ("notice_review", "Notice review decision"),
                    ("assistance_new", "New assistance request"),
                    ("assistance_status", "Assistance request status change"),
                    ("assistance_deadline", "Assistance deadline approaching"),
                    ("assistance_overdue", "Assistance request overdue"),
                    ("jit_invitation", "JIT invitation"),
                    ("access_request", "Access request"),
                    ("access_decision", "Access request decision"),
                    ("delivery_failing", "Deliveries failing"),
                    ("delivery_dead", "Delivery dead"),
                ],
                max_length=32,
                verbose_name="kind",
            ),
        ),
        migrations.RunPython(split, join),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("kind__in", ["delivery_failing", "delivery_dead"]), ("read_at__isnull", True)
                ),
                fields=("user", "kind", "object_type", "object_id"),
                name="notification_once_while_unread",
            ),
        ),
    ]
