"""The stage-3 registers: people and skills, channels, facilities, funding, and the volunteer sign-up links
(under /a/<slug>/, namespace "resources")."""

from django.urls import path

from . import views_channels, views_facilities, views_funding, views_people, views_volunteers

urlpatterns = [
    path("people/", views_people.people, name="people"),
    path("people/new/", views_people.person_new, name="person_new"),
    path("people/import/", views_people.people_import, name="people_import"),
    path("people/import/template.<str:fmt>/", views_people.people_template, name="people_template"),
    path("people/export.<str:fmt>/", views_people.people_export, name="people_export"),
    path("people/<int:person_pk>/", views_people.person_detail, name="person"),
    path("people/<int:person_pk>/edit/", views_people.person_edit, name="person_edit"),
    path("people/<int:person_pk>/availability/", views_people.person_availability, name="person_availability"),
    path("channels/", views_channels.channels, name="channels"),
    path("channels/new/", views_channels.channel_new, name="channel_new"),
    path("channels/export.<str:fmt>/", views_channels.channels_export, name="channels_export"),
    path("channels/<int:channel_pk>/edit/", views_channels.channel_edit, name="channel_edit"),
    path("channels/<int:channel_pk>/active/", views_channels.channel_active, name="channel_active"),
    path("facilities/", views_facilities.facilities, name="facilities"),
    path("facilities/new/", views_facilities.facility_new, name="facility_new"),
    path("facilities/import/", views_facilities.facilities_import, name="facilities_import"),
    path("facilities/import/template.<str:fmt>/", views_facilities.facilities_template, name="facilities_template"),
    path("facilities/export.<str:fmt>/", views_facilities.facilities_export, name="facilities_export"),
    path("facilities/<int:facility_pk>/", views_facilities.facility_detail, name="facility"),
    path("facilities/<int:facility_pk>/edit/", views_facilities.facility_edit, name="facility_edit"),
    path("funding/", views_funding.funding, name="funding"),
    path("funding/new/", views_funding.funding_new, name="funding_new"),
    path("funding/export.<str:fmt>/", views_funding.funding_export, name="funding_export"),
    path("funding/<int:funding_pk>/edit/", views_funding.funding_edit, name="funding_edit"),
    path("volunteers/links/", views_volunteers.volunteer_links, name="volunteer_links"),
    path("volunteers/links/<int:volunteer_link_pk>/revoke/", views_volunteers.volunteer_link_revoke,
         name="volunteer_link_revoke"),
]
