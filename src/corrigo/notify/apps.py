from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "corrigo.notify"
    label = "notify"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # Registers the dispatch job, the describers, the subscribers (editors' mail, thanks,
        # webhooks) and the jobs that deliver.
        from corrigo.notify import describe, editors, events, mail, thanks, webhooks  # noqa: F401
