"""Matching, allocations and the donors' needs list: the manager's pages (joined into the "resources"
namespace by urls.py)."""

from django.urls import path

from . import views_donors, views_matching

urlpatterns = [
    path("matching/", views_matching.matching_overview, name="matching"),
    path("matching/plan/", views_matching.plan, name="plan"),
    path("needs/<int:need_pk>/matches/", views_matching.need_matches, name="need_matches"),
    path("people/<int:person_pk>/matches/", views_matching.person_matches, name="person_matches"),
    path("allocations/<int:allocation_pk>/release/", views_matching.allocation_release, name="allocation_release"),
    path("donors/", views_donors.donors, name="donors"),
    path("donors/download.<str:fmt>/", views_donors.donors_download, name="donors_download"),
    path("donors/links/", views_donors.donor_links, name="donor_links"),
    path("donors/links/<int:donor_link_pk>/revoke/", views_donors.donor_link_revoke, name="donor_link_revoke"),
]
