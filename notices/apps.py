"""Notices' app config: audit entries and notifications about a notice are readable by
whoever may see it."""

from __future__ import annotations

from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "notices"

    def ready(self) -> None:
        # app registry: selectors import models, which load only after ready()
        from audit import access
        from cases import timeline
        from notices.selectors import case_notice_ids, notices_visible_to
        from notifications import access as notification_access

        access.register("notices.notice", notices_visible_to)
        notification_access.register("notices.notice", notices_visible_to)
        timeline.register_linked(
            timeline.Linked("notices.notice", case_notice_ids, url_name="notice_detail")
        )
