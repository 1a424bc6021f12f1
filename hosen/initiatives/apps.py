from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InitiativesConfig(AppConfig):
    name = "hosen.initiatives"
    label = "initiatives"
    verbose_name = _("Design thinking")

    def ready(self):
        from hosen.workmodel import registers

        from . import evidence  # noqa: F401  registers the evidence providers of items 29 and 32

        registers.add("4", "initiatives:board", _("Design thinking: new responses"))
