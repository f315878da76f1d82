"""Generate the transparency log's Ed25519 signing key and print its public verifier key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit.checkpoints import generate_key, key_path


class Command(BaseCommand):
    help = (
        "Create the checkpoint signing key at TRANSPARENCY_SIGNING_KEY_FILE (or --out) and print "
        "the verifier key partners and courts use. Never overwrites a key."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", help="Where to write the key (default: the setting)")
        parser.add_argument(
            "--if-missing", action="store_true", help="Do nothing when the key already exists"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["out"]) if options["out"] else key_path()
        if path.exists():
            if options["if_missing"]:
                return
            raise CommandError(f"{path} exists: a signing key is never overwritten.")
        verifier = generate_key(path)
        self.stdout.write(f"Signing key written to {path} (keep it secret, outside the database).")
        self.stdout.write("Verifier key (publish it):")
        self.stdout.write(str(verifier))
