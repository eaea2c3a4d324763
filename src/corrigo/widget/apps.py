from django.apps import AppConfig


class WidgetConfig(AppConfig):
    name = "corrigo.widget"
    label = "widget"
