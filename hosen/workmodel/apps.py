from django.apps import AppConfig


class WorkmodelConfig(AppConfig):
    name = "hosen.workmodel"
    label = "workmodel"

    def ready(self):
        from . import evidence  # noqa: F401  registers the evidence providers
