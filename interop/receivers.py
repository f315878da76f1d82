"""Keeps TAXII versions and correlation matches in step with sharing's indicator writes."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from interop import services
from sharing.signals import indicators_changed


@receiver(indicators_changed, dispatch_uid="interop.indicators_changed")
def on_indicators_changed(sender: Any, *, indicators: list, action: str, **kwargs: Any) -> None:
    if action == "shared":
        services.versions_republish(indicators)
        return
    services.versions_record(indicators, fresh=action == "created")
    if action == "created":
        services.matches_find(indicators)
