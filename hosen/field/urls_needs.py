"""The needs register's pages (joined into the "field" namespace by urls.py)."""

from django.urls import path

from . import views_needs

urlpatterns = [
    path("needs/", views_needs.need_list, name="needs"),
    path("needs/new/", views_needs.need_new, name="need_new"),
    path("needs/export.<str:fmt>/", views_needs.need_export, name="need_export"),
    path("needs/<int:need_pk>/", views_needs.need_detail, name="need"),
    path("needs/<int:need_pk>/edit/", views_needs.need_edit, name="need_edit"),
    path("needs/<int:need_pk>/status/", views_needs.need_status, name="need_status"),
]
