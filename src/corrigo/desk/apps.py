from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "corrigo.desk"
    label = "desk"

    def ready(self) -> None:
        from corrigo.desk import rollup  # noqa: F401 (registers the metrics' periodic roll-up)
