"""Indicator writes, announced (interop keeps TAXII versions, correlation finds matches).

``indicators_changed`` is sent with ``indicators`` (a list of ``Indicator`` with ``owner``
loaded) and ``action``: created, updated, revoked, shared, or revalued (a newer version changed
the value: sent besides "updated", for correlation). It is sent inside the writing
transaction, except for a large ingest's created and updated indicators: those are announced
after its commit, in chunks, each chunk in its own transaction (``sharing/announce.py``).

``stix_objects_changed`` is sent with ``objects`` (a list of ``StixObject``) and ``action``
(shared, revoked) for writes sharing makes to other STIX objects (an import's are recorded by
interop itself).
"""

from __future__ import annotations

from django.dispatch import Signal

indicators_changed = Signal()
stix_objects_changed = Signal()
