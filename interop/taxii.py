"""A TAXII 2.1 server (OASIS TAXII 2.1, sections 4–5): discovery, one API root, three
collections per agency, objects (get, add, delete), versions, manifest and status resources.

Authentication is an agency API key, as ``Authorization: Bearer <key>`` or HTTP Basic
(username + key as the password). A collection, object or status the caller may not
see answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import json
import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from rest_framework.exceptions import AuthenticationFailed, Throttled

from agencies.authentication import SCOPE_MISSING, authenticate_key_from, key_allows
from agencies.models import APIKey
from common.http import client_ip
from common.parsers import HAS_NUL, has_nul
from common.throttles import spend
from interop import selectors, services
from interop.models import ObjectVersion, TaxiiStatus
from interop.stix import STIX_MEDIA_TYPE
from sharing.stix import modified_stamp

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
API_ROOT = "cybercoop"


class TaxiiError(Exception):
    def __init__(
        self, status: int, title: str, description: str = "", headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(title)
        self.status, self.title, self.description = status, title, description
        self.headers = headers or {}


def timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _response(
    body: str | dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> HttpResponse:
    text = body if isinstance(body, str) else json.dumps(body)
    response = HttpResponse(text, status=status, content_type=TAXII_MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _error(exc: TaxiiError) -> HttpResponse:
    body = {"title": exc.title, "http_status": str(exc.status)}
    if exc.description:
        body["description"] = exc.description
    return _response(body, exc.status, exc.headers)


def _media(value: str) -> tuple[str, dict[str, str]]:
    media, *params = [p.strip() for p in value.split(";")]
    parsed = {}
    for param in params:
        name, _, val = param.partition("=")
        parsed[name.strip().lower()] = val.strip().strip('"')
    return media.lower(), parsed


def _accepts_taxii(accept: str) -> bool:
    if not accept.strip():
        return True
    for part in accept.split(","):
        media, params = _media(part)
        if params.get("q") in ("0", "0.0", "0.00", "0.000"):
            continue
        if media in ("*/*", "application/*"):
            return True
        if media == "application/taxii+json" and params.get("version", "2.1") == "2.1":
            return True
    return False


def _authenticate(request: HttpRequest) -> APIKey:
    challenge = {"WWW-Authenticate": 'Basic realm="CyberCoop TAXII", Bearer'}
    scheme, _, credentials = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    try:
        if scheme.lower() == "bearer" and credentials.strip():
            return authenticate_key_from(credentials.strip(), address=client_ip(request))
        if scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                raise AuthenticationFailed("bad basic credentials") from None
            username, _, password = decoded.partition(":")
            key = authenticate_key_from(password, address=client_ip(request))
            if key.user.get_username() != username:
                raise AuthenticationFailed("bad basic credentials")
            return key
    except AuthenticationFailed:
        raise TaxiiError(
            401, "Authentication failed", "Invalid username, API key or token.", challenge
        ) from None
    except Throttled as exc:
        raise _too_many(getattr(exc, "wait", None)) from None
    raise TaxiiError(
        401, "Authentication required", "Use HTTP Basic (username, API key) or Bearer.", challenge
    )


def _too_many(wait: float | None) -> TaxiiError:
    seconds = math.ceil(wait or 1)
    return TaxiiError(
        429,
        "Too many requests",
        f"Try again in {seconds} s.",
        {"Retry-After": str(seconds)},
    )


def _check_scopes(key: APIKey, method: str | None) -> None:
    """TAXII needs the ``taxii`` scope; adding or deleting objects needs ``ingest`` too."""
    writes = method in ("POST", "DELETE")
    needed = [APIKey.Scope.TAXII] + ([APIKey.Scope.INGEST] if writes else [])
    missing = [scope for scope in needed if not key_allows(key, scope)]
    if missing:
        raise TaxiiError(403, "Forbidden", SCOPE_MISSING.format(scope=missing[0]))


def taxii_view(methods: tuple[str, ...]) -> Callable:
    """Auth, media-type negotiation and TAXII error bodies for one endpoint; the view gets
    the caller's API key after the request."""

    def decorate(view: Callable) -> Callable:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                key = _authenticate(request)
                if key.agency.is_service_provider:  # no collection is theirs to know of
                    raise TaxiiError(404, "Not found")
                if request.method not in methods:
                    raise TaxiiError(
                        405, "Method not allowed", headers={"Allow": ", ".join(methods)}
                    )
                _check_scopes(key, request.method)
                wait = spend("taxii", f"key:{key.pk}")
                if wait is not None:
                    raise _too_many(wait)
                if not _accepts_taxii(request.META.get("HTTP_ACCEPT", "")):
                    raise TaxiiError(
                        406, "Not acceptable", f"This server speaks {TAXII_MEDIA_TYPE}."
                    )
                return view(request, key, *args, **kwargs)
            except TaxiiError as exc:
                return _error(exc)

        return wrapper

    return decorate


def _api_root_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("taxii_api_root"))


def _collection(key: APIKey, collection_id: str) -> selectors.Collection:
    collection = selectors.access_collection(agency=key.agency, pk=collection_id)
    if collection is None:
        raise TaxiiError(404, "Collection not found")
    return collection


def _readable(key: APIKey, collection_id: str) -> selectors.Collection:
    collection = _collection(key, collection_id)
    if not collection.can_read:
        raise TaxiiError(403, "This collection is write-only", "Read 'Shared with' instead.")
    return collection


# --- filters and paging ---------------------------------------------------------------------


def _timestamp_param(name: str, value: str) -> datetime:
    parsed = None
    with contextlib.suppress(ValueError):
        parsed = parse_datetime(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    if parsed is None or parsed.tzinfo is None:
        raise TaxiiError(400, f"Invalid {name}", f"{value!r} is not a STIX timestamp.")
    return parsed


def _list(request: HttpRequest, name: str) -> list[str]:
    raw = request.GET.get(name)
    return [v.strip() for v in raw.split(",") if v.strip()] if raw else []


def _filtered(
    request: HttpRequest, qs: QuerySet[ObjectVersion], *, versions: bool = True
) -> QuerySet[ObjectVersion]:
    if ids := _list(request, "match[id]"):
        qs = qs.filter(stix_id__in=ids)
    if types := _list(request, "match[type]"):
        qs = qs.filter(object_type__in=types)
    spec = _list(request, "match[spec_version]")
    if spec and "2.1" not in spec:
        qs = qs.none()
    wanted = (_list(request, "match[version]") or ["last"]) if versions else ["all"]
    if "all" not in wanted:
        query = Q(pk__in=[])
        for value in wanted:
            if value == "last":
                query |= Q(is_latest=True)
            elif value == "first":
                first = (
                    ObjectVersion.objects.filter(
                        stix_id=OuterRef("stix_id"), owner_id=OuterRef("owner_id")
                    )
                    .order_by("modified")
                    .values("modified")[:1]
                )
                query |= Q(modified=Subquery(first))
            else:
                query |= Q(modified=_timestamp_param("match[version]", value))
        qs = qs.filter(query)
    if added_after := request.GET.get("added_after"):
        qs = qs.filter(date_added__gt=_timestamp_param("added_after", added_after))
    return qs


def _limit(request: HttpRequest) -> int:
    raw = request.GET.get("limit")
    if not raw or raw == "0":
        return settings.TAXII_MAX_PAGE_SIZE
    try:
        limit = int(raw)
    except ValueError:
        raise TaxiiError(400, "Invalid limit", "limit is a positive integer.") from None
    if limit < 1:
        raise TaxiiError(400, "Invalid limit", "limit is a positive integer.")
    return min(limit, settings.TAXII_MAX_PAGE_SIZE)


def _encode_next(version: tuple[int, datetime]) -> str:
    pk, added = version
    raw = f"{timestamp(added)}|{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_next(token: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        added, _, pk = raw.partition("|")
        parsed = parse_datetime(added.replace("Z", "+00:00"))
        if parsed is None:
            raise ValueError
        return parsed, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise TaxiiError(
            400, "Invalid next", "next must be a value this server returned."
        ) from None


def _page(
    request: HttpRequest, qs: QuerySet[ObjectVersion], fields: tuple[str, ...]
) -> tuple[list[tuple[Any, ...]], bool, str]:
    """One page in (date_added, id) order; ``next`` is an opaque cursor after its last row."""
    if token := request.GET.get("next"):
        added, pk = _decode_next(token)
        # The redundant >= bound lets the (date_added, id) index seek to the cursor.
        qs = qs.filter(Q(date_added__gte=added), Q(date_added__gt=added) | Q(pk__gt=pk))
    limit = _limit(request)
    rows = list(
        qs.order_by("date_added", "pk").values_list("pk", "date_added", *fields)[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, more, _encode_next((rows[-1][0], rows[-1][1])) if more else ""


def _date_headers(rows: list[tuple]) -> dict[str, str]:
    if not rows:
        return {}
    return {
        "X-TAXII-Date-Added-First": timestamp(rows[0][1]),
        "X-TAXII-Date-Added-Last": timestamp(rows[-1][1]),
    }


def _visible(key: APIKey, collection: selectors.Collection) -> QuerySet[ObjectVersion]:
    return selectors.collection_versions(user=key.user, collection=collection)


def _envelope(rows: list[tuple], more: bool, token: str) -> str:
    head = '{"more": ' + ("true" if more else "false")
    if more:
        head += ', "next": "' + token + '"'
    if not rows:
        return head + "}"
    return head + ', "objects": [' + ", ".join(row[2] for row in rows) + "]}"


# --- endpoints -------------------------------------------------------------------------------


@taxii_view(("GET",))
def discovery(request: HttpRequest, key: APIKey) -> HttpResponse:
    root = _api_root_url(request)
    return _response(
        {
            "title": "CyberCoop TAXII 2.1",
            "description": "Indicators shared between law-enforcement agencies.",
            "contact": settings.TAXII_CONTACT,
            "default": root,
            "api_roots": [root],
        }
    )


@taxii_view(("GET",))
def api_root(request: HttpRequest, key: APIKey) -> HttpResponse:
    return _response(
        {
            "title": "CyberCoop",
            "description": "What your agency may see, its submissions, and its own objects.",
            "versions": [TAXII_MEDIA_TYPE],
            "max_content_length": settings.TAXII_MAX_CONTENT_LENGTH,
        }
    )


@taxii_view(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))
def not_found(request: HttpRequest, key: APIKey, path: str = "") -> HttpResponse:
    """Any other path under /taxii2/ (an unknown API root included): the TAXII error object,
    after authentication and whatever the path looks like, so it tells nothing of what exists."""
    raise TaxiiError(404, "Not found", "There is no TAXII resource at this URL.")


@taxii_view(("GET",))
def status(request: HttpRequest, key: APIKey, status_id: str) -> HttpResponse:
    found = selectors.access_status(agency=key.agency, pk=status_id)
    if found is None:
        raise TaxiiError(404, "Status not found")
    return _response(status_resource(found))


def status_resource(found: TaxiiStatus) -> dict[str, Any]:
    return {
        "id": str(found.uuid),
        "status": found.status,
        "request_timestamp": timestamp(found.request_timestamp),
        "total_count": found.total_count,
        "success_count": found.success_count,
        "successes": found.successes,
        "failure_count": found.failure_count,
        "failures": found.failures,
        "pending_count": found.pending_count,
        "pendings": found.pendings,
    }


def _description(collection: selectors.Collection) -> str:
    code = collection.agency.code
    if collection.kind == selectors.SHARED:
        return f"Every indicator {code} may see."
    if collection.kind == selectors.SUBMISSIONS:
        return f"Objects posted here are ingested as {code}'s indicators."
    return f"{code}'s own indicators: read, add and delete them."


def _collection_resource(collection: selectors.Collection) -> dict[str, Any]:
    return {
        "id": collection.id,
        "title": collection.title,
        "description": _description(collection),
        "can_read": collection.can_read,
        "can_write": collection.can_write,
        "media_types": [STIX_MEDIA_TYPE],
    }


@taxii_view(("GET",))
def collections(request: HttpRequest, key: APIKey) -> HttpResponse:
    found = selectors.collections_for(agency=key.agency)
    return _response({"collections": [_collection_resource(c) for c in found]})


@taxii_view(("GET",))
def collection(request: HttpRequest, key: APIKey, collection_id: str) -> HttpResponse:
    return _response(_collection_resource(_collection(key, collection_id)))


@taxii_view(("GET", "POST"))
def objects(request: HttpRequest, key: APIKey, collection_id: str) -> HttpResponse:
    if request.method == "POST":
        return _add_objects(request, key, collection_id)
    collection = _readable(key, collection_id)
    qs = _filtered(request, _visible(key, collection))
    rows, more, token = _page(request, qs, ("body",))
    return _response(_envelope(rows, more, token), headers=_date_headers(rows))


def _add_objects(request: HttpRequest, key: APIKey, collection_id: str) -> HttpResponse:
    collection = _collection(key, collection_id)
    media, params = _media(request.META.get("CONTENT_TYPE", ""))
    if media != "application/taxii+json" or params.get("version", "2.1") != "2.1":
        raise TaxiiError(415, "Unsupported media type", f"Send {TAXII_MEDIA_TYPE}.")
    if not collection.can_write:
        raise TaxiiError(403, "This collection is read-only", "Post to 'Submissions from'.")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise TaxiiError(400, "Invalid Content-Length", "Content-Length is a byte count.") from None
    if length > settings.TAXII_MAX_CONTENT_LENGTH:
        raise TaxiiError(
            413, "Request too large", f"max_content_length is {settings.TAXII_MAX_CONTENT_LENGTH}."
        )
    raw = request.read()  # not request.body: an envelope may be over Django's form limit
    if has_nul(raw):
        raise TaxiiError(400, "Invalid JSON", HAS_NUL)
    try:
        envelope = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise TaxiiError(400, "Invalid JSON", "The body is not a JSON envelope.") from None
    if not isinstance(envelope, dict) or not isinstance(envelope.get("objects"), list):
        raise TaxiiError(400, "Invalid envelope", "objects: a list of STIX objects is required.")
    found = services.taxii_objects_add(
        actor=key.user,
        agency=key.agency,
        collection_id=collection.id,
        objects=envelope["objects"],
        api_key=key,
    )
    return _response(status_resource(found), status=202)


@taxii_view(("GET", "DELETE"))
def object_detail(
    request: HttpRequest, key: APIKey, collection_id: str, object_id: str
) -> HttpResponse:
    if request.method == "DELETE":
        return _delete_object(request, key, collection_id, object_id)
    collection = _readable(key, collection_id)
    qs = _visible(key, collection).filter(stix_id=object_id)
    if not qs.exists():
        raise TaxiiError(404, "Object not found")
    rows, more, token = _page(request, _filtered(request, qs), ("body",))
    return _response(_envelope(rows, more, token), headers=_date_headers(rows))


def _delete_object(
    request: HttpRequest, key: APIKey, collection_id: str, object_id: str
) -> HttpResponse:
    """TAXII 2.1 §5.7: delete the versions ``match[version]`` (default: the latest) and
    ``match[spec_version]`` select. Only a collection the caller can read and write (its
    "Objects of"; 403 otherwise), and only its own objects: another agency's object, or
    one it cannot see, answers 404 like an id that does not exist."""
    collection = _collection(key, collection_id)
    if not (collection.can_read and collection.can_write):
        raise TaxiiError(403, "This collection is not read/write", "Delete from 'Objects of'.")
    qs = _visible(key, collection).filter(stix_id=object_id, owner=key.agency, context=False)
    doomed = list(_filtered(request, qs).values_list("pk", flat=True))
    if not doomed:
        raise TaxiiError(404, "Object not found")
    services.taxii_object_delete(
        actor=key.user, agency=key.agency, stix_id=object_id, version_ids=doomed, api_key=key
    )
    return _response("", 200)


def _version(modified: datetime, version: str) -> str:
    """The version string: ``modified`` as the object wrote it (older rows: stix2's format)."""
    return version or modified_stamp(modified)


@taxii_view(("GET",))
def object_versions(
    request: HttpRequest, key: APIKey, collection_id: str, object_id: str
) -> HttpResponse:
    collection = _readable(key, collection_id)
    qs = _visible(key, collection).filter(stix_id=object_id)
    if not qs.exists():
        raise TaxiiError(404, "Object not found")
    rows, more, token = _page(
        request, _filtered(request, qs, versions=False), ("modified", "version")
    )
    body: dict[str, Any] = {"more": more, "versions": [_version(r[2], r[3]) for r in rows]}
    if more:
        body["next"] = token
    return _response(body, headers=_date_headers(rows))


@taxii_view(("GET",))
def manifest(request: HttpRequest, key: APIKey, collection_id: str) -> HttpResponse:
    collection = _readable(key, collection_id)
    qs = _filtered(request, _visible(key, collection))
    rows, more, token = _page(request, qs, ("stix_id", "modified", "version"))
    body: dict[str, Any] = {"more": more}
    if more:
        body["next"] = token
    if rows:
        body["objects"] = [
            {
                "id": stix_id,
                "date_added": timestamp(added),
                "version": _version(modified, version),
                "media_type": STIX_MEDIA_TYPE,
            }
            for _, added, stix_id, modified, version in rows
        ]
    return _response(body, headers=_date_headers(rows))
