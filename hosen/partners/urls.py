"""The accompanying axis's pages, mounted under /a/<slug>/ (see hosen/urls.py)."""

from django.urls import path

from . import views

app_name = "partners"

urlpatterns = [
    path("partners/", views.partner_list, name="list"),
    path("partners/new/", views.partner_new, name="new"),
    path("partners/reminders/", views.reminders, name="reminders"),
    path("partners/export.<str:fmt>/", views.partner_export, name="export"),
    path("partners/<int:partner_pk>/", views.partner_detail, name="detail"),
    path("partners/<int:partner_pk>/edit/", views.partner_edit, name="edit"),
    path("partners/<int:partner_pk>/contacts/new/", views.contact_new, name="contact_new"),
    path("axis/achievements/", views.achievements, name="achievements"),
    path("axis/achievements/<int:achievement_pk>/status/", views.achievement_status, name="achievement_status"),
]
