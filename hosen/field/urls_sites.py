"""The sites register: the field board, a site, import and export (under /a/<slug>/, namespace "field")."""

from django.urls import path

from . import views_sites

urlpatterns = [
    path("sites/", views_sites.site_board, name="sites"),
    path("sites/new/", views_sites.site_new, name="site_new"),
    path("sites/import/", views_sites.site_import, name="site_import"),
    path("sites/import/template.<str:fmt>/", views_sites.site_template, name="site_template"),
    path("sites/export.<str:fmt>/", views_sites.site_export, name="site_export"),
    path("sites/<int:site_pk>/", views_sites.site_detail, name="site"),
    path("sites/<int:site_pk>/edit/", views_sites.site_edit, name="site_edit"),
]
