from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SituationConfig(AppConfig):
    name = "hosen.situation"
    label = "situation"
    verbose_name = _("Situation room")

    def ready(self):
        from hosen.workmodel import registers

        from . import evidence  # noqa: F401  registers the situation room's evidence providers

        registers.add("4", "situation:room", _("Situation room"))
        registers.add("4", "situation:updates", _("Outgoing updates"))
