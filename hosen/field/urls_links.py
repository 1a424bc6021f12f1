"""Quick-report links and the team pulse, the manager's pages (under /a/<slug>/, namespace "field")."""

from django.urls import path

from . import views_links, views_pulse

urlpatterns = [
    path("links/", views_links.links, name="links"),
    path("links/<int:link_pk>/revoke/", views_links.link_revoke, name="link_revoke"),
    path("pulses/", views_pulse.pulses, name="pulses"),
    path("pulses/<int:pulse_pk>/", views_pulse.pulse_detail, name="pulse"),
]
