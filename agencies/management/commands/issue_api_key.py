"""Issue an API key for a user acting for an agency; the key is the last line printed."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from agencies import services
from agencies.models import Agency, APIKey


class Command(BaseCommand):
    help = "Issue an API key. The plaintext key is printed once, as the last line."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--agency", required=True, help="Agency code, e.g. DE-BKA")
        parser.add_argument("--user", required=True, help="Username of an active member")
        parser.add_argument("--name", default="cli", help="A label for the key")
        parser.add_argument("--days", type=int, default=None, help="Expire after this many days")
        parser.add_argument(
            "--scope",
            action="append",
            choices=APIKey.Scope.values,
            help="What the key may do; repeat for several (default: read)",
        )
        parser.add_argument(
            "--network",
            action="append",
            default=[],
            help="A client network (CIDR) the key may be used from; repeat for several",
        )

    def handle(self, *args, **options) -> None:
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            raise CommandError(f"No agency with code {options['agency']!r}.")
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user {options['user']!r}.")
        expires_at = timezone.now() + timedelta(days=options["days"]) if options["days"] else None
        try:
            key, plaintext = services.api_key_issue(
                actor=None,
                agency=agency,
                user=user,
                name=options["name"],
                expires_at=expires_at,
                scopes=options["scope"] or [APIKey.Scope.READ],
                allowed_networks=options["network"],
            )
        except ValidationError as error:
            raise CommandError(
                "; ".join(
                    f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items()
                )
            ) from error
        scopes = ", ".join(key.scopes)
        self.stdout.write(
            f"API key {key.name!r} for {user.username} acting for {agency.code} ({scopes}):"
        )
        self.stdout.write(plaintext)
