"""Import a MISP feed (a directory with manifest.json and <uuid>.json events) or one MISP
event file as an agency's objects, and print the report event by event (on a terminal under
a progress bar)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, cast

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from agencies.models import Agency
from interop.misp import EventReport, events_from, misp_events_import
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


def event_lines(event: EventReport) -> list[str]:
    """What the report says of one imported event."""
    data = event.as_dict()
    counts = ", ".join(f"{k} {v}" for k, v in data["counts"].items() if v)
    lines = [f"{data['uuid']} {data['info']}: {counts or 'nothing'}"]
    lines += [f"  rejected {line['id']}: {line['reason']}" for line in data["rejected"]]
    lines += [f"  warning {line['id'] or ''}: {line['reason']}" for line in data["warnings"]]
    return lines


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
        with self.progress(len(events)) as on_event:
            try:
                report = misp_events_import(
                    actor=user,
                    agency=agency,
                    events=events,
                    source="misp-feed",
                    on_event=on_event,
                )
            except ValidationError as exc:
                raise CommandError(
                    "; ".join(f"{field}: {' '.join(m)}" for field, m in exc.message_dict.items())
                ) from exc
        total = ", ".join(f"{k} {v}" for k, v in report.counts.items() if v)
        self.stdout.write(f"{len(report.events)} events imported for {agency.code}: {total}.")

    @contextmanager
    def progress(self, total: int) -> Iterator[Callable[[EventReport], None]]:
        """Each event's lines as it is imported: under a rich progress bar on a terminal, as
        plain lines otherwise (a log, a pipe)."""
        if not self.stdout.isatty():

            def plain(event: EventReport) -> None:
                for line in event_lines(event):
                    self.stdout.write(line)

            yield plain
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        console = Console(file=cast(IO[str], self.stdout._out), highlight=False)
        columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console) as bar:
            task = bar.add_task("MISP events", total=total)

            def advance(event: EventReport) -> None:
                for line in event_lines(event):
                    bar.console.print(line, markup=False)
                bar.advance(task)

            yield advance
