from django.urls import path

from . import two_step_views, views

app_name = "accounts"

urlpatterns = [
    path("invite/<str:token>/", views.accept_invitation, name="accept"),
    path("two-step/", two_step_views.two_step_required, name="two_step"),
    path("network/two-step/", two_step_views.network_two_step, name="two_step_network"),
]

authority_urlpatterns = [
    path("team/", views.members, name="members"),
]
