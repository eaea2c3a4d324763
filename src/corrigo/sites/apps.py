from django.apps import AppConfig


class SitesConfig(AppConfig):
    name = "corrigo.sites"
    label = "corrigo_sites"
    verbose_name = "Sites"
