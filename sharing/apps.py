"""Sharing's app config: JIT shares follow the JIT's circle (``jit_circle_changed``); signed
checkpoints are pushed to the endpoints that receive them (``checkpoint_signed``); audit
entries about an indicator or a partner endpoint are readable by whoever may see it."""

from __future__ import annotations

from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "sharing"

    def ready(self) -> None:
        # app registry: these import models, which load only after ready()
        from audit import access
        from audit.signals import checkpoint_signed
        from cases import timeline
        from cases.signals import jit_circle_changed
        from sharing import correlation, selectors  # noqa: F401  (correlation matches on create)
        from sharing.outbox import push_checkpoint
        from sharing.services import resync_jit_shares

        jit_circle_changed.connect(resync_jit_shares, dispatch_uid="sharing.resync_jit_shares")
        checkpoint_signed.connect(push_checkpoint, dispatch_uid="sharing.push_checkpoint")
        access.register("sharing.indicator", selectors.indicators_visible_to)
        access.register("agencies.partnerendpoint", selectors.endpoints_administered_by)
        timeline.register_linked(timeline.Linked("sharing.share", selectors.case_shares_ids))
