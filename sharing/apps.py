"""Sharing's app config: JIT shares follow the JIT's circle (``jit_circle_changed``); signed
checkpoints are pushed to the endpoints that receive them (``checkpoint_signed``); audit
entries and notifications about an indicator, an access request or a partner endpoint are
readable by whoever may see it."""

from __future__ import annotations

from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "sharing"

    def ready(self) -> None:
        # app registry: these import models, which load only after ready() (correlation is
        # imported for its matches on create)
        from audit import access
        from audit.signals import checkpoint_signed
        from cases import timeline
        from cases.signals import jit_circle_changed
        from notifications import access as notification_access
        from sharing import access_requests, correlation, selectors  # noqa: F401
        from sharing.outbox import push_checkpoint
        from sharing.services import resync_jit_shares

        jit_circle_changed.connect(resync_jit_shares, dispatch_uid="sharing.resync_jit_shares")
        checkpoint_signed.connect(push_checkpoint, dispatch_uid="sharing.push_checkpoint")
        access.register("sharing.indicator", selectors.indicators_visible_to)
        access.register("agencies.partnerendpoint", selectors.endpoints_administered_by)
        timeline.register_linked(timeline.Linked("sharing.share", selectors.case_shares_ids))
        # Notifications: access requests to their holders' deciders, their outcome to the
        # requesting agency, failing deliveries to the endpoint's admins.
        notification_access.register("sharing.accessrequesttarget", access_requests.inbox_for)
        notification_access.register("sharing.accessrequest", access_requests.requests_sent)
        notification_access.register(
            "agencies.partnerendpoint", selectors.endpoints_administered_by
        )
