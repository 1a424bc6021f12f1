from django.apps import AppConfig


class WorkmodelConfig(AppConfig):
    name = "hosen.workmodel"
    label = "workmodel"

    def ready(self):
        from hosen import form_defaults

        from . import evidence  # noqa: F401  registers the evidence providers

        form_defaults.install()
