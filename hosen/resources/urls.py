"""Stage-3 pages, mounted under /a/<slug>/ (see hosen/urls.py); each area keeps its own URL list."""

from . import urls_matching, urls_registers

app_name = "resources"

urlpatterns = urls_registers.urlpatterns + urls_matching.urlpatterns
