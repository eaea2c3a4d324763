from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "corrigo.demo"
    label = "demo"
