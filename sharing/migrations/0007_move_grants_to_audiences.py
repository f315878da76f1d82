"""Issue 13 §1: what a share lets others see moves from one row per indicator × recipient
(``IndicatorGroupObjectPermission`` / ``IndicatorUserObjectPermission``) to one row per share ×
recipient (``ShareGroupObjectPermission`` / ``ShareUserObjectPermission``), reached through the
link table ``Share.indicators``. Each indicator keeps its owner's row only."""

from django.db import migrations
from django.db.models import Count, F

KEPT_HOME = ["AMBER+STRICT", "RED"]


def _permission(apps, model, codename):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    content_type, _ = ContentType.objects.get_or_create(app_label="sharing", model=model)
    perm, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": f"Can view {model}"}
    )
    return perm


def _audience_groups(apps, share, view_indicator):
    """The groups an active share grants to, as ``sync_share_permissions`` computes them: its
    agencies, jurisdictions and JIT circle from the share's own state; its community (which
    depends on agreements at the last sync) from the rows that sync left on its indicators —
    the agency groups every indicator of the share that passes to groups carries."""
    Agency = apps.get_model("agencies", "Agency")
    JITMembership = apps.get_model("cases", "JITMembership")
    Link = apps.get_model("sharing", "Share").indicators.through
    IndicatorGroupObjectPermission = apps.get_model("sharing", "IndicatorGroupObjectPermission")
    groups = {a.group_id for a in share.agencies.all()}
    groups |= {j.group_id for j in share.jurisdictions.all()}
    agency_ids = set()
    if share.jit_id is not None and share.jit.status != "closed":
        agency_ids |= set(
            JITMembership.objects.filter(jit_id=share.jit_id, status="accepted").values_list(
                "agency_id", flat=True
            )
        )
        agency_ids.add(share.jit.leader_id)
    if agency_ids:
        groups |= set(Agency.objects.filter(pk__in=agency_ids).values_list("group_id", flat=True))
    if share.community:
        eligible = Link.objects.filter(share_id=share.pk, indicator__revoked=False).exclude(
            indicator__tlp__in=KEPT_HOME
        )
        count = eligible.count()
        if count:
            groups |= set(
                IndicatorGroupObjectPermission.objects.filter(
                    content_object_id__in=eligible.values("indicator_id"),
                    permission_id=view_indicator.pk,
                    group_id__in=Agency.objects.exclude(pk=share.owner_id).values("group_id"),
                )
                .values("group_id")
                .annotate(n=Count("id"))
                .filter(n=count)
                .values_list("group_id", flat=True)
            )
    return groups


def forwards(apps, schema_editor):
    Share = apps.get_model("sharing", "Share")
    ShareGroupObjectPermission = apps.get_model("sharing", "ShareGroupObjectPermission")
    ShareUserObjectPermission = apps.get_model("sharing", "ShareUserObjectPermission")
    IndicatorGroupObjectPermission = apps.get_model("sharing", "IndicatorGroupObjectPermission")
    view_share = _permission(apps, "share", "view_share")
    view_indicator = _permission(apps, "indicator", "view_indicator")
    groups, users = [], []
    active = Share.objects.filter(withdrawn_at__isnull=True).select_related("jit")
    for share in active.prefetch_related("agencies", "jurisdictions", "users"):
        for group_id in sorted(_audience_groups(apps, share, view_indicator)):
            groups.append(
                ShareGroupObjectPermission(
                    content_object_id=share.pk, group_id=group_id, permission_id=view_share.pk
                )
            )
        for user in share.users.all():
            users.append(
                ShareUserObjectPermission(
                    content_object_id=share.pk, user_id=user.pk, permission_id=view_share.pk
                )
            )
    ShareGroupObjectPermission.objects.bulk_create(groups, batch_size=5000, ignore_conflicts=True)
    ShareUserObjectPermission.objects.bulk_create(users, batch_size=5000, ignore_conflicts=True)
    # The per-indicator rows shares wrote; each indicator keeps its owner's. (The named users'
    # per-indicator table goes in the next migration.)
    IndicatorGroupObjectPermission.objects.exclude(
        group_id=F("content_object__owner__group_id")
    ).delete()


def backwards(apps, schema_editor):
    """Back to one row per indicator × recipient, for the code before this migration."""
    Link = apps.get_model("sharing", "Share").indicators.through
    ShareGroupObjectPermission = apps.get_model("sharing", "ShareGroupObjectPermission")
    ShareUserObjectPermission = apps.get_model("sharing", "ShareUserObjectPermission")
    IndicatorGroupObjectPermission = apps.get_model("sharing", "IndicatorGroupObjectPermission")
    IndicatorUserObjectPermission = apps.get_model("sharing", "IndicatorUserObjectPermission")
    view_indicator = _permission(apps, "indicator", "view_indicator")
    for audience, target, field, tlp in (
        (ShareGroupObjectPermission, IndicatorGroupObjectPermission, "group_id", None),
        (ShareUserObjectPermission, IndicatorUserObjectPermission, "user_id", "RED"),
    ):
        rows = []
        for share_id, principal in audience.objects.values_list("content_object_id", field):
            links = Link.objects.filter(share_id=share_id, indicator__revoked=False)
            if tlp:
                links = links.filter(indicator__tlp=tlp)
            else:
                links = links.exclude(indicator__tlp__in=KEPT_HOME)
            rows += [
                target(content_object_id=i, permission_id=view_indicator.pk, **{field: principal})
                for i in links.values_list("indicator_id", flat=True)
            ]
        target.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0003_custody_audit_event"),
        ("sharing", "0006_share_audience"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
