from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "corrigo.notify"
    label = "notify"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from corrigo.notify import describe, events  # noqa: F401  (registers the dispatch job and describers)
