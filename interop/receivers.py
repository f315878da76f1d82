"""Keeps TAXII object versions in step with sharing's writes to indicators and STIX objects,
and writes STIX objects into sharing's webhook pushes as TAXII serves them."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from interop import stix, versions
from sharing.models import Indicator, StixObject
from sharing.signals import indicators_changed, stix_objects_changed


@receiver(indicators_changed, dispatch_uid="interop.indicators_changed")
def on_indicators_changed(
    sender: Any, *, indicators: list[Indicator], action: str, **kwargs: Any
) -> None:
    if action == "shared":
        versions.versions_republish(indicators)
        return
    if action == "revalued":  # its "updated" announcement recorded the version
        return
    versions.versions_record(indicators, fresh=action == "created")


@receiver(stix_objects_changed, dispatch_uid="interop.stix_objects_changed")
def on_stix_objects_changed(
    sender: Any, *, objects: list[StixObject], action: str, **kwargs: Any
) -> None:
    if action == "shared":
        versions.object_versions_republish(objects)
        return
    versions.object_versions_record([versions.object_current_version(o) for o in objects])


def delivery_body(stix_object: StixObject) -> dict[str, Any]:
    """The object's newest version as TAXII serves it (``versions.object_current_version``),
    for ``sharing.delivery`` (registered in ``InteropConfig.ready``)."""
    return stix.stix_object_stix(stix_object, stix_object.owner.code)
