"""The access primitives every app builds on: principal groups, permission rows, 404s.

Visibility is django-guardian object permissions granted to agency and jurisdiction
groups (and, for TLP:RED, to named users). Each protected model has one
``sync_<model>_permissions`` function that computes *who* may do *what* and hands
the result to ``replace_object_permissions``; nothing else writes permission rows.
Selectors filter with ``visible_filter``, one SQL subquery per query. Objects shared in
bulk are granted to an audience instead (sharing: one row per share and recipient, and a
link table from the share to its objects), so N objects for R recipients cost N + R rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404

from common.bulk import copy_rows

if TYPE_CHECKING:
    from agencies.models import Agency


_PERMISSIONS: dict[tuple[str, str], Permission] = {}


def permission(model: type[models.Model], codename: str) -> Permission:
    """The Permission row for ``codename`` on ``model``, cached (cleared after migrations):
    the first miss reads all of the model's app's rows at once."""
    key = (model._meta.label_lower, codename)
    if key not in _PERMISSIONS:
        app_label = model._meta.app_label
        for row in Permission.objects.filter(content_type__app_label=app_label).select_related(
            "content_type"
        ):
            _PERMISSIONS.setdefault((f"{app_label}.{row.content_type.model}", row.codename), row)
    if key not in _PERMISSIONS:
        _PERMISSIONS[key] = Permission.objects.get(
            content_type__app_label=model._meta.app_label, codename=codename
        )
    return _PERMISSIONS[key]


def forget_permissions(**kwargs: Any) -> None:
    """post_migrate receiver: permission rows may have been recreated with new ids."""
    _PERMISSIONS.clear()


def replace_object_permissions(
    obj: models.Model,
    *,
    group_model: type[models.Model],
    user_model: type[models.Model] | None = None,
    groups: Mapping[str, Iterable[Group]],
    users: Mapping[str, Iterable[Any]] | None = None,
) -> None:
    """Make obj's guardian rows equal exactly ``groups`` (and ``users``) per codename.

    Only the difference is written, so repeated syncs are cheap and idempotent.
    """
    model = type(obj)
    for target_model, grants, field in (
        (group_model, groups, "group_id"),
        (user_model, users or {}, "user_id"),
    ):
        if target_model is None:
            continue
        wanted: set[tuple[int, int]] = set()
        for codename, principals in grants.items():
            perm_id = permission(model, codename).pk
            wanted |= {(perm_id, principal.pk) for principal in principals}
        existing = dict(
            ((perm_id, principal_id), row_id)
            for row_id, perm_id, principal_id in target_model._default_manager.filter(
                content_object=obj
            ).values_list("pk", "permission_id", field)
        )
        stale = [row_id for key, row_id in existing.items() if key not in wanted]
        if stale:
            target_model._default_manager.filter(pk__in=stale).delete()
        missing = wanted - existing.keys()
        if missing:
            target_model._default_manager.bulk_create(
                [
                    target_model(content_object=obj, permission_id=perm_id, **{field: principal_id})
                    for perm_id, principal_id in missing
                ]
            )


def principal_group_ids(user: Any, agency: Agency | None = None) -> QuerySet[Group, Any]:
    """The groups through which ``user`` sees objects.

    In the browser that is every group the user is in (all their active memberships).
    With an API key, only the key's agency, that agency's jurisdictions (none for a service
    provider) and, for a secretariat's reviewer, its reviewer group count.
    """
    if agency is None:
        return Group.objects.filter(user=user).values("pk")
    jurisdiction_groups = [j.group_id for j in agency.principal_jurisdictions()]
    return Group.objects.filter(
        Q(pk__in=[agency.group_id, *jurisdiction_groups]) | Q(name=agency.reviewer_group_name),
        user=user,
    ).values("pk")


def _protected_model(permission_model: type[models.Model]) -> type[models.Model]:
    """The model whose objects a guardian direct-FK permission model protects."""
    model = permission_model._meta.get_field("content_object").related_model
    assert isinstance(model, type) and issubclass(model, models.Model)
    return model


def visible_filter(
    *,
    user: Any,
    codename: str,
    group_model: type[models.Model],
    user_model: type[models.Model] | None = None,
    agency: Agency | None = None,
    field: str = "pk",
) -> Q:
    """A Q matching objects on which ``user`` holds ``codename``, as SQL subqueries."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    model = _protected_model(group_model)
    perm = permission(model, codename)
    query = Q(
        **{
            f"{field}__in": group_model._default_manager.filter(
                permission=perm, group__in=principal_group_ids(user, agency)
            ).values("content_object")
        }
    )
    if user_model is not None:
        query |= Q(
            **{
                f"{field}__in": user_model._default_manager.filter(
                    permission=perm, user=user
                ).values("content_object")
            }
        )
    return query


def get_visible_or_404(queryset: QuerySet, **lookup: Any) -> Any:
    """One answer for "does not exist" and "not yours": 404."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc


def replace_many_object_permissions(
    grants: Mapping[int, tuple[Iterable[int], Iterable[int]]],
    *,
    codename: str,
    group_model: type[models.Model],
    user_model: type[models.Model] | None = None,
    fresh: bool = False,
) -> None:
    """The bulk form of ``replace_object_permissions`` for one codename.

    ``grants`` maps object pk -> (group ids, user ids). A few queries for any number of
    objects (bulk share, ingest); ``fresh=True`` skips reading rows of objects just created.
    """
    model = _protected_model(group_model)
    perm_id = permission(model, codename).pk
    ids = list(grants)
    for target_model, position, field in ((group_model, 0, "group_id"), (user_model, 1, "user_id")):
        if target_model is None:
            continue
        wanted = {(pk, principal) for pk, pair in grants.items() for principal in pair[position]}
        existing: dict[tuple[int, int], int] = {}
        if not fresh:
            for start in range(0, len(ids), 20000):
                existing.update(
                    ((obj_id, principal), row_id)
                    for row_id, obj_id, principal in target_model._default_manager.filter(
                        content_object_id__in=ids[start : start + 20000], permission_id=perm_id
                    ).values_list("pk", "content_object_id", field)
                )
        stale = [row_id for key, row_id in existing.items() if key not in wanted]
        if stale:
            target_model._default_manager.filter(pk__in=stale).delete()
        missing = wanted - existing.keys()
        if missing:
            copy_rows(
                target_model,
                ["content_object_id", "permission_id", field.removesuffix("_id")],
                [(obj_id, perm_id, principal) for obj_id, principal in missing],
            )
