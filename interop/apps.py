from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "interop"
    verbose_name = "STIX/TAXII interop and correlation"

    def ready(self) -> None:
        from interop import receivers  # noqa: F401  (connects to sharing's change signal)
