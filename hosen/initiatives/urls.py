"""Design-thinking pages, mounted under /a/<slug>/ (see hosen/urls.py)."""

from django.urls import path

from . import views

app_name = "initiatives"

urlpatterns = [
    path("initiatives/", views.board, name="board"),
    path("initiatives/new/", views.initiative_new, name="new"),
    path("initiatives/<int:initiative_pk>/", views.initiative_detail, name="detail"),
    path("initiatives/<int:initiative_pk>/edit/", views.initiative_edit, name="edit"),
    path("initiatives/<int:initiative_pk>/practice/", views.practice_edit, name="practice"),
    path("initiatives/<int:initiative_pk>/practice/print/", views.practice_print, name="practice_print"),
]
