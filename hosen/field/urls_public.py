"""The token forms for people without an account, at the site root: short links that fit in a message."""

from django.urls import path

from . import views_public

app_name = "field_public"

urlpatterns = [
    path("r/<str:link_token>/", views_public.report, name="report"),
    path("p/<str:pulse_token>/", views_public.pulse, name="pulse"),
]
