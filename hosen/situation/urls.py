"""The situation room's pages, mounted under /a/<slug>/ (see hosen/urls.py)."""

from django.urls import path

from . import views

app_name = "situation"

urlpatterns = [
    path("room/", views.room, name="room"),
    path("room/<int:entry_pk>/edit/", views.entry_edit, name="entry_edit"),
    path("room/<int:entry_pk>/done/", views.task_done, name="task_done"),
    path("room/updates/", views.updates, name="updates"),
    path("room/updates/new/", views.update_new, name="update_new"),
]
