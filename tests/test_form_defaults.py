"""Every form speaks in Hosen's words by default: no "---------", a choice left empty asks to choose, a number
out of range says what to enter (Django's Hebrew read "יש לוודא שערך זה גדול מ או שווה ל־1").

The Hebrew and Arabic of these messages come from Hosen's catalog; these tests check the English and that
every field class gets them (hosen/form_defaults.py), and one real form through the real stack."""

from datetime import timedelta

import pytest
from django import forms
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from hosen.field.models import PulseRecipient, Site, SiteState, SiteStatus


class Sample(forms.Form):
    status = forms.ChoiceField(choices=SiteState.choices)
    statuses = forms.MultipleChoiceField(choices=SiteState.choices)
    typed = forms.TypedChoiceField(choices=[(1, "one")], coerce=int)
    site = forms.ModelChoiceField(queryset=Site.objects.none())
    optional_site = forms.ModelChoiceField(queryset=Site.objects.none(), required=False)
    count = forms.IntegerField(min_value=1, max_value=100)
    note = forms.CharField()


def errors(data):
    with translation.override("en"):
        form = Sample(data)
        form.is_valid()
        return {name: " ".join(messages) for name, messages in form.errors.items()}


@pytest.mark.django_db
def test_an_empty_choice_asks_to_choose_and_an_empty_text_to_fill_in():
    found = errors({})
    for name in ("status", "typed", "site"):
        assert found[name] == "Choose one of the options.", name
    assert found["statuses"] == "Choose at least one of the options."
    assert found["note"] == "This field is required."
    assert "optional_site" not in found


@pytest.mark.django_db
def test_a_choice_not_offered_and_a_number_out_of_range_say_what_to_do():
    found = errors({"status": "flooded", "statuses": ["open", "flooded"], "typed": "2", "site": "999",
                    "count": "0", "note": "x"})
    assert found["status"] == "Select a valid choice. “flooded” is not one of the options."
    assert found["statuses"] == "Select a valid choice. “flooded” is not one of the options."
    assert found["site"] == "Select a valid choice. That one is no longer among the options: choose again."
    assert found["count"] == "Enter 1 or more."
    assert errors({"count": "101"})["count"] == "Enter 100 or less."
    assert errors({"count": "many"})["count"] == "Enter a whole number."


def test_a_form_that_names_its_own_message_keeps_it():
    field = forms.ChoiceField(choices=SiteState.choices, error_messages={"required": "Pick a status."})
    with pytest.raises(forms.ValidationError) as raised:
        field.clean("")
    assert raised.value.messages == ["Pick a status."]


@pytest.mark.django_db
def test_no_form_shows_dashes_as_the_empty_choice():
    class Recipient(forms.ModelForm):
        class Meta:
            model = PulseRecipient
            fields = ["availability"]

    with translation.override("en"):
        select = str(Sample()["optional_site"])
        model_select = str(Recipient()["availability"])
        radios = forms.ChoiceField(choices=[("", "---------"), ("a", "A")], widget=forms.RadioSelect,
                                   required=False).widget.render("x", "")
        own = forms.Select(choices=[("", "All sites")]).render("s", "")
    assert "---------" not in select + model_select + radios
    assert '<option value="" selected>Choose…</option>' in select
    assert '<option value="" selected>Choose…</option>' in model_select
    assert "Not stated" in radios
    assert "All sites" in own  # a label a form chose itself stays


@pytest.mark.django_db
def test_the_site_status_form_keeps_its_own_message_and_says_what_number_to_enter(cast, client_for):
    with scopes_disabled():
        site = Site.objects.create(authority=cast.authority, name="בית ספר אלון", kind="school")
        SiteStatus.objects.create(authority=cast.authority, emergency=cast.emergency, site=site,
                                  status=SiteState.OPEN, reported_at=timezone.now() - timedelta(hours=1))
    response = client_for(cast.team).post(f"/a/{cast.authority.slug}/sites/{site.pk}/", {"present": "-1"},
                                          HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    body = response.content.decode()
    assert "Choose the site&#x27;s status." in body and "Enter 0 or more." in body
    assert "Ensure this value" not in body
    with scopes_disabled():
        assert SiteStatus.objects.filter(site=site).count() == 1
