from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "corrigo.audit"
    label = "audit"
    verbose_name = "Site log"
