from django.urls import path

from hosen.resources import views_vocabulary

from . import views

app_name = "tenancy"

urlpatterns = [
    path("network/", views.network_dashboard, name="network"),
    path("network/emergencies/new/", views.network_open_emergency, name="network_emergency_new"),
    path("network/invite/", views.network_invite, name="network_invite"),
    path("network/skills/", views_vocabulary.network_skills, name="network_skills"),
]

authority_urlpatterns = [
    path("history/", views.history, name="history"),
]
