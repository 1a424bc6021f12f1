from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "hosen.tenancy"
    label = "tenancy"
