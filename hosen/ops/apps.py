from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Running Hosen: backup and restore, and dumpdata/loaddata that see every authority's rows."""

    name = "hosen.ops"
    label = "ops"
