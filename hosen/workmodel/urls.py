from django.urls import path

from . import views

app_name = "workmodel"

# Mounted under /a/<slug:authority_slug>/ — see hosen/urls.py.
urlpatterns = [
    path("", views.authority_home, name="home"),
    path("emergencies/", views.emergency_list, name="emergencies"),
    path("emergencies/new/", views.emergency_new, name="emergency_new"),
    path("emergencies/<int:pk>/", views.emergency_detail, name="emergency"),
    path("emergencies/<int:pk>/close/", views.emergency_close, name="emergency_close"),
    path("stages/<str:key>/", views.stage_detail, name="stage"),
    path("checklist/", views.checklist, name="checklist"),
    path("checklist/evidence/", views.checklist_evidence, name="checklist_evidence"),
    path("checklist/<int:number>/", views.answer_item, name="answer"),
    path("rounds/", views.rounds, name="rounds"),
    path("rounds/<int:number>/", views.round_detail, name="round"),
    path("checkin/", views.checkin, name="checkin"),
]
