"""Indicator writes, announced (interop keeps TAXII versions, correlation finds matches).

``indicators_changed`` is sent inside the writing transaction with ``indicators`` (a list
of ``Indicator`` with ``owner`` loaded) and ``action``: created, updated, revoked or shared.
"""

from __future__ import annotations

from django.dispatch import Signal

indicators_changed = Signal()
