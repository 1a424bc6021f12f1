from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "hosen.partners"
    label = "partners"
    verbose_name = _("Partners and decision makers")

    def ready(self):
        from hosen.workmodel import registers

        from . import evidence  # noqa: F401  registers the axis's evidence providers

        registers.add("X", "partners:list", _("Partners and decision makers"))
        registers.add("X", "partners:achievements", _("Achievements and STEM continuity"))
