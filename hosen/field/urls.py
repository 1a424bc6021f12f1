"""Stage-2 pages, mounted under /a/<slug>/ (see hosen/urls.py); each area keeps its own URL list."""

from . import urls_links, urls_needs, urls_sites

app_name = "field"

urlpatterns = urls_sites.urlpatterns + urls_needs.urlpatterns + urls_links.urlpatterns
