from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "corrigo.desk"
    label = "desk"
