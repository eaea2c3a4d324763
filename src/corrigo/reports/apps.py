from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "corrigo.reports"
    label = "reports"

    def ready(self) -> None:
        from corrigo.reports import privacy  # noqa: F401 (registers the hourly erasure of old addresses)
