"""Keeps TAXII object versions in step with sharing's indicator writes."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from interop import versions
from sharing.models import Indicator
from sharing.signals import indicators_changed


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
