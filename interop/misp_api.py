"""REST API for MISP: import events (misp-stix → STIX 2.1 → ``bundle_import``) and the MISP
feed (manifest, events, hashes) of everything the caller may see."""

from __future__ import annotations

import csv
import io
import uuid

from django.http import Http404, HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.authentication import acting_agency
from agencies.models import APIKey
from common.parsers import JSONParser
from interop import misp, misp_feed
from interop.serializers import MispImportReportSerializer
from sharing.api import one_agency
from sharing.selectors import managing_agencies


class MispEventsImportView(APIView):
    key_scope = "ingest"
    parser_classes = [JSONParser]
    throttle_scope = "stix_import"

    @extend_schema(
        summary="Import MISP events as your agency's objects",
        description='One MISP event (bare or `{"Event": {...}}`), `{"events": [...]}`, '
        'MISP\'s `{"response": [...]}` or a list. misp-stix converts each to STIX 2.1; '
        "distribution levels and `tlp:*` tags become TLP markings. The report counts each "
        "outcome per event, lists rejected objects and, as warnings by MISP uuid, what could "
        "not be mapped (sharing groups, attributes misp-stix does not convert).",
        request=dict,
        responses={201: MispImportReportSerializer},
    )
    def post(self, request: Request) -> Response:
        events = misp.events_from(request.data)
        agency = one_agency(request, managing_agencies(user=request.user), data={})
        key = request.auth if isinstance(request.auth, APIKey) else None
        report = misp.misp_events_import(
            actor=request.user, agency=agency, events=events, api_key=key
        )
        return Response(report.as_dict(), status=201)


class MispFeedManifestView(APIView):
    @extend_schema(summary="MISP feed manifest of everything you may see", responses=dict)
    def get(self, request: Request) -> Response:
        return Response(misp_feed.feed_manifest(user=request.user, agency=acting_agency(request)))


class MispFeedEventView(APIView):
    @extend_schema(summary="One event of your MISP feed", responses=dict)
    def get(self, request: Request, event_uuid: uuid.UUID) -> Response:
        events = misp_feed.feed_events(user=request.user, agency=acting_agency(request))
        event = events.get(str(event_uuid))
        if event is None:
            raise Http404
        return Response(misp_feed.feed_event_json(event))


class MispFeedHashesView(APIView):
    @extend_schema(summary="MISP feed hashes.csv (md5 of a value, event uuid)", responses=str)
    def get(self, request: Request) -> HttpResponse:
        out = io.StringIO()
        rows = misp_feed.feed_hashes(user=request.user, agency=acting_agency(request))
        csv.writer(out, lineterminator="\n").writerows(rows)
        return HttpResponse(out.getvalue(), content_type="text/csv")
