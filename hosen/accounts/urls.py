from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("invite/<str:token>/", views.accept_invitation, name="accept"),
]

authority_urlpatterns = [
    path("team/", views.members, name="members"),
]
