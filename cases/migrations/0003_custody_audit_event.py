"""Each custody event points at the audit event (log leaf) written with it. Existing rows are
matched per evidence item, in order, by action, actor and agency."""

import django.db.models.deletion
from django.db import migrations, models

ACTIONS = {"collected": "evidence.added"}  # every other kind k was audited as evidence.<k>


def link_existing(apps, schema_editor):
    CustodyEvent = apps.get_model("cases", "CustodyEvent")
    AuditEvent = apps.get_model("audit", "AuditEvent")
    by_evidence = {}
    for custody in CustodyEvent.objects.order_by("evidence_id", "id").select_related("agency"):
        by_evidence.setdefault(custody.evidence_id, []).append(custody)
    for evidence_id, history in by_evidence.items():
        unused = list(
            AuditEvent.objects.filter(
                object_type="cases.evidence", object_id=str(evidence_id)
            ).order_by("leaf_index")
        )
        for custody in history:
            action = ACTIONS.get(custody.kind, f"evidence.{custody.kind}")
            agency = custody.agency.code if custody.agency_id else ""
            wanted = (action, custody.actor_id, agency)
            for event in unused:
                if (event.action, event.actor_id, event.agency_code) == wanted:
                    custody.audit_event_id = event.pk
                    custody.save(update_fields=["audit_event"])
                    unused.remove(event)
                    break


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0004_log_without_chain"),
        ("cases", "0002_custody_purpose_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="custodyevent",
            name="audit_event",
            field=models.OneToOneField(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="audit.auditevent",
            ),
        ),
        migrations.RunPython(link_existing, migrations.RunPython.noop),
    ]
