from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "corrigo.articles"
    label = "articles"
