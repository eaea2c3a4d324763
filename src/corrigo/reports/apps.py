from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "corrigo.reports"
    label = "reports"

    def ready(self) -> None:
        from corrigo.reports import limits, privacy, search  # noqa: F401 (register the hourly erasure of old addresses and counters, the search index)
