from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "hosen.api"
    label = "api"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import audit  # noqa: F401  (API writes are named in the history by their token)
