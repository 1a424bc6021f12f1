from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "hosen.resources"
    label = "resources"

    def ready(self):
        from hosen.workmodel import registers

        from . import evidence, evidence_matching  # noqa: F401  the stage-3 evidence providers

        registers.add("3", "resources:people", _("People and skills"))
        registers.add("3", "resources:channels", _("Communication channels"))
        registers.add("3", "resources:facilities", _("Facilities"))
        registers.add("3", "resources:funding", _("Funding and support"))
        registers.add("3", "resources:matching", _("Matching resources to needs"))
        registers.add("3", "resources:donors", _("Donors' needs list"))
