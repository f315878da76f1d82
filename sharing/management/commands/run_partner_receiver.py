"""``manage.py run_partner_receiver --port P --secret S``: the reference partner receiver."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from sharing.receiver import serve


class Command(BaseCommand):
    help = "Receive signed indicator webhooks: verify, dedupe on webhook-id, store in SQLite."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", type=int, required=True)
        parser.add_argument("--secret", required=True, help="The endpoint's whsec_… secret")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--db", default="partner-receiver.sqlite3")
        parser.add_argument("--fail-rate", type=float, default=0.0, help="0.3 = fail 30%%")
        parser.add_argument("--timeout-sleep", type=float, default=3.0)
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args, **options) -> None:
        server = serve(
            host=options["host"],
            port=options["port"],
            secret=options["secret"],
            db=options["db"],
            fail_rate=options["fail_rate"],
            timeout_sleep=options["timeout_sleep"],
            seed=options["seed"],
            out=self.stdout,
        )
        self.stdout.write(
            f"Partner receiver on http://{options['host']}:{options['port']}/ "
            f"storing in {options['db']} (fail rate {options['fail_rate']:.0%})"
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
