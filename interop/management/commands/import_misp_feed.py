"""Import a MISP feed (a directory with manifest.json and <uuid>.json events) or one MISP
event file as an agency's objects, and print the report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from agencies.models import Agency
from interop.misp import events_from, misp_events_import
from sharing.selectors import managing_agencies


def _load(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise CommandError(f"{path}: not readable as JSON ({exc}).") from exc


def feed_events(path: Path) -> list[Any]:
    """The events of a feed directory (in manifest order) or of one file."""
    if not path.exists():
        raise CommandError(f"{path}: no such file or directory.")
    if path.is_file():
        try:
            return events_from(_load(path))
        except ValidationError as exc:
            raise CommandError(f"{path}: {' '.join(exc.messages)}") from exc
    manifest_path = path / "manifest.json"
    if not manifest_path.is_file():
        raise CommandError(f"{path}: a MISP feed directory holds a manifest.json.")
    manifest = _load(manifest_path)
    if not isinstance(manifest, dict):
        raise CommandError(f"{manifest_path}: an object of event uuids is required.")
    events = []
    for event_uuid in manifest:
        event_path = path / f"{Path(str(event_uuid)).name}.json"
        if not event_path.is_file():
            raise CommandError(f"{event_path}: listed in manifest.json but missing.")
        events.append(_load(event_path))
    return events


class Command(BaseCommand):
    help = "Import a MISP feed directory (manifest.json + events) or one MISP event file."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="A MISP feed directory or a MISP event JSON file")
        parser.add_argument("--agency", required=True, help="Agency code, e.g. DE-BKA")
        parser.add_argument("--user", required=True, help="Username of an active member")

    def handle(self, *args, **options) -> None:
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            raise CommandError(f"No agency with code {options['agency']!r}.")
        if agency.is_service_provider:
            raise CommandError(f"{agency.code} is a service provider: it holds no indicators.")
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user {options['user']!r}.")
        if not managing_agencies(user=user).filter(pk=agency.pk).exists():
            raise CommandError(f"{user.username} is not an active member of {agency.code}.")
        events = feed_events(Path(options["path"]))
        try:
            report = misp_events_import(
                actor=user, agency=agency, events=events, source="misp-feed"
            )
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{field}: {' '.join(m)}" for field, m in exc.message_dict.items())
            ) from exc
        for event in report.as_dict()["events"]:
            counts = ", ".join(f"{k} {v}" for k, v in event["counts"].items() if v)
            self.stdout.write(f"{event['uuid']} {event['info']}: {counts or 'nothing'}")
            for line in event["rejected"]:
                self.stdout.write(f"  rejected {line['id']}: {line['reason']}")
            for line in event["warnings"]:
                self.stdout.write(f"  warning {line['id'] or ''}: {line['reason']}")
        total = ", ".join(f"{k} {v}" for k, v in report.counts.items() if v)
        self.stdout.write(f"{len(report.events)} events imported for {agency.code}: {total}.")
