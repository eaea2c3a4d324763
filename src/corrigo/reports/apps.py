from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "corrigo.reports"
    label = "reports"
