from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "corrigo.articles"
    label = "articles"

    def ready(self) -> None:
        # Registers the job that fetches an article's page.
        from corrigo.articles import fetching  # noqa: F401
