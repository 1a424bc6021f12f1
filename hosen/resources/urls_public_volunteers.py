"""The volunteer sign-up form for people without an account, at the site root: a short link for a message."""

from django.urls import path

from . import views_volunteers

urlpatterns = [
    path("v/<str:volunteer_token>/", views_volunteers.volunteer, name="volunteer"),
]
