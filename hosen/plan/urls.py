"""Stage-4 work plan and KPI pages, mounted under /a/<slug>/ (see hosen/urls.py)."""

from django.urls import path

from . import views, views_kpis

app_name = "plan"

urlpatterns = [
    path("plan/", views.activity_list, name="activities"),
    path("plan/new/", views.activity_new, name="activity_new"),
    path("plan/export.<str:fmt>/", views.activity_export, name="activity_export"),
    path("plan/<int:activity_pk>/", views.activity_detail, name="activity"),
    path("plan/<int:activity_pk>/edit/", views.activity_edit, name="activity_edit"),
    path("plan/kpis/", views_kpis.kpi_list, name="kpis"),
    path("plan/kpis/choose/", views_kpis.kpi_choose, name="kpi_choose"),
    path("plan/kpis/<int:kpi_pk>/", views_kpis.kpi_detail, name="kpi"),
]
