from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("accounts/tokens/", views.token_list, name="tokens"),
    path("accounts/tokens/<int:token_pk>/revoke/", views.revoke, name="revoke"),
    path("network/tokens/", views.network_tokens, name="network_tokens"),
]
