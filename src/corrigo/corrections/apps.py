from django.apps import AppConfig


class CorrectionsConfig(AppConfig):
    name = "corrigo.corrections"
    label = "corrections"
    verbose_name = "Corrections"

    def ready(self) -> None:
        # Registers what notice events say (webhooks) and the notice a reader's thank-you mentions.
        from corrigo.corrections import hooks  # noqa: F401
