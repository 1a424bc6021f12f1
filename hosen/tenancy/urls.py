from django.urls import path

from . import views

app_name = "tenancy"

urlpatterns = [
    path("network/", views.network_dashboard, name="network"),
    path("network/emergencies/new/", views.network_open_emergency, name="network_emergency_new"),
    path("network/invite/", views.network_invite, name="network_invite"),
]

authority_urlpatterns = [
    path("history/", views.history, name="history"),
]
