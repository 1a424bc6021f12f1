from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    name = "hosen.integrity"
    label = "integrity"
