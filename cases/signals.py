"""Signals other apps listen to, so they can follow a case without cases importing them.

``jit_circle_changed`` is sent inside the writing transaction with ``jit`` whenever the set of
agencies in a JIT's circle may have changed (accept, decline, leave, close). Apps that grant
access through a JIT (sharing) re-sync their permission rows from it.
"""

from __future__ import annotations

from django.dispatch import Signal

jit_circle_changed = Signal()
