"""The donors' needs list behind a shared read-only link (joined into "resources_public" by urls_public.py)."""

from django.urls import path

from . import views_donors

urlpatterns = [
    path("d/<str:donor_token>/", views_donors.public_donors, name="donors"),
    path("d/<str:donor_token>/download.<str:fmt>/", views_donors.public_donors_download, name="donors_download"),
]
