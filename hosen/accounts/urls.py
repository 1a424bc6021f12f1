from django.urls import path

from . import email_change, two_step_views, views

app_name = "accounts"

urlpatterns = [
    path("invite/<str:token>/", views.accept_invitation, name="accept"),
    # allauth's e-mail page (the same address), changing the login only through verification.
    path("accounts/email/", email_change.email_change, name="email"),
    path("two-step/", two_step_views.two_step_required, name="two_step"),
    path("network/two-step/", two_step_views.network_two_step, name="two_step_network"),
]

authority_urlpatterns = [
    path("team/", views.members, name="members"),
]
