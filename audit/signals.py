"""Audit announcements for the layers above (audit imports none of them).

``checkpoint_signed`` is sent inside ``checkpoint_sign``'s transaction, once per new
``SignedCheckpoint`` (``checkpoint``): a receiver's writes commit or roll back with it.
"""

from __future__ import annotations

from django.dispatch import Signal

checkpoint_signed = Signal()
