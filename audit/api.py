"""The transparency log over HTTP: RFC 9162 inclusion and consistency proofs and leaf hashes,
so anyone authenticated can rebuild and check the tree. None of it reveals an event's content;
one entry's content is served only to those who may see the object it records
(``audit.access``), 404 otherwise. (The signed checkpoints are served by ``agencies.api``,
which appends the witnesses' cosignatures.)"""

from __future__ import annotations

import base64
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from audit import access, log
from tools.verify_log import leaf_hash

NO_CHECKPOINT = "No checkpoint has been signed yet."
MAX_ENTRIES = 1000
# API keys that may read the log: a partner's witness needs no access to case data.
LOG_READER_SCOPES = ("read", "witness")


def _int(request: Request, name: str, *, low: int, high: int) -> int:
    """A query parameter as an integer in [low, high], else a 400 naming it."""
    raw = request.query_params.get(name)
    if raw is None or not raw.isdigit():
        raise ValidationError({name: [f"Give {name} as a whole number."]})
    value = int(raw)
    if not low <= value <= high:
        raise ValidationError({name: [f"{name} must be between {low} and {high}."]})
    return value


def _b64(hashes: list[bytes]) -> list[str]:
    return [base64.b64encode(h).decode() for h in hashes]


def _proof_schema(name: str, fields: dict[str, Any]) -> Any:
    return inline_serializer(
        name, {**fields, "hashes": serializers.ListField(child=serializers.CharField())}
    )


class InclusionProofView(APIView):
    key_scope_get = LOG_READER_SCOPES

    @extend_schema(
        summary=(
            "RFC 9162 inclusion proof (audit path) of leaf `index`, or of the entry of audit "
            "event `event` (404 unless its content is yours to read), in the tree of `tree_size`"
        ),
        parameters=[
            OpenApiParameter("index", int),
            OpenApiParameter("event", int),
            OpenApiParameter("tree_size", int, required=True),
        ],
        responses=_proof_schema(
            "InclusionProof",
            {"index": serializers.IntegerField(), "tree_size": serializers.IntegerField()},
        ),
    )
    def get(self, request: Request) -> Response:
        size = log.tree_size()
        tree_size = _int(request, "tree_size", low=1, high=max(size, 1))
        if "event" in request.query_params and "index" not in request.query_params:
            event_id = _int(request, "event", low=1, high=2**63 - 1)
            index = _entry(request, pk=event_id).leaf_index
            if index >= tree_size:
                raise ValidationError({"tree_size": [f"Entry {index} is not in that tree."]})
        else:
            index = _int(request, "index", low=0, high=tree_size - 1)
        hashes = log.inclusion_proof(index, tree_size)
        return Response({"index": index, "tree_size": tree_size, "hashes": _b64(hashes)})


def _entry(request: Request, **lookup: Any) -> Any:
    # The acting agency is the API key's (request.auth), None in the browser.
    agency = getattr(request.auth, "agency", None)
    return access.access_entry(user=request.user, agency=agency, **lookup)


class ConsistencyProofView(APIView):
    key_scope_get = LOG_READER_SCOPES

    @extend_schema(
        summary="RFC 9162 consistency proof between the trees of `first` and `second` entries",
        parameters=[OpenApiParameter("first", int), OpenApiParameter("second", int)],
        responses=_proof_schema(
            "ConsistencyProof",
            {"first": serializers.IntegerField(), "second": serializers.IntegerField()},
        ),
    )
    def get(self, request: Request) -> Response:
        second = _int(request, "second", low=0, high=log.tree_size())
        first = _int(request, "first", low=0, high=second)
        hashes = log.consistency_proof(first, second)
        return Response({"first": first, "second": second, "hashes": _b64(hashes)})


class EntriesView(APIView):
    key_scope_get = LOG_READER_SCOPES

    @extend_schema(
        summary=f"Leaf hashes of entries [start, end), at most {MAX_ENTRIES} per call",
        parameters=[OpenApiParameter("start", int), OpenApiParameter("end", int)],
        responses=inline_serializer(
            "LogEntries",
            {
                "start": serializers.IntegerField(),
                "leaf_hashes": serializers.ListField(child=serializers.CharField()),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        size = log.tree_size()
        start = _int(request, "start", low=0, high=size)
        end = _int(request, "end", low=start, high=min(size, start + MAX_ENTRIES))
        hashes = log.leaf_hashes(start, end)
        return Response({"start": start, "leaf_hashes": _b64(hashes)})


class EntryView(APIView):
    @extend_schema(
        operation_id="v1_transparency_entry_retrieve",
        summary=(
            "One entry's content (its leaf, the event's canonical JSON), if you may see the "
            "object it records; 404 otherwise"
        ),
        responses=inline_serializer(
            "LogEntry",
            {
                "index": serializers.IntegerField(),
                "event": serializers.IntegerField(),
                "leaf": serializers.CharField(),
                "leaf_hash": serializers.CharField(),
            },
        ),
    )
    def get(self, request: Request, index: int) -> Response:
        event = _entry(request, leaf_index=index)
        leaf = event.leaf()
        return Response(
            {
                "index": event.leaf_index,
                "event": event.pk,
                "leaf": leaf.decode(),
                "leaf_hash": _b64([leaf_hash(leaf)])[0],
            }
        )
