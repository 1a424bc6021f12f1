from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldConfig(AppConfig):
    name = "hosen.field"
    label = "field"

    def ready(self):
        from hosen.workmodel import registers

        from . import evidence  # noqa: F401  registers the stage-2 evidence providers

        registers.add("2", "field:sites", _("Sites and their status"))
        registers.add("2", "field:needs", _("Needs register"))
        registers.add("2", "field:pulses", _("Team availability pulse"))
        registers.add("2", "field:links", _("Quick-report links"))
