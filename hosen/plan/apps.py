from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanConfig(AppConfig):
    name = "hosen.plan"
    label = "plan"

    def ready(self):
        from hosen.workmodel import registers

        from . import evidence  # noqa: F401  registers the stage-4 work-plan evidence providers

        registers.add("4", "plan:activities", _("Work plan"))
        registers.add("4", "plan:kpis", _("KPIs"))
