from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "corrigo.jobs"
    label = "jobs"
    verbose_name = "Jobs"
