"""A need's labels (category, audience, urgency, status) are read from their enums: the same words as Django's
get_<field>_display, in every language, for one translation each instead of one per choice."""

from unittest import mock

import pytest
from django.db import models
from django.utils import translation

from hosen.field.models import Audience, Need, NeedCategory, NeedStatus, Urgency

FIELDS = {"category": NeedCategory, "audience": Audience, "urgency": Urgency, "status": NeedStatus}


def django_label(need, name):
    """What Django's own get_<field>_display answers."""
    return models.Model._get_FIELD_display(need, Need._meta.get_field(name))


@pytest.mark.parametrize("language", ["he", "ar", "en"])
@pytest.mark.parametrize("name", FIELDS)
def test_every_label_is_djangos_own_in_every_language(name, language):
    with translation.override(language):
        for value, _label in FIELDS[name].choices:
            need = Need(**{name: value})
            assert getattr(need, f"get_{name}_display")() == django_label(need, name)


def test_a_value_that_is_no_choice_is_shown_as_it_is():
    need = Need(category="gone", urgency=99, status="")
    assert need.get_category_display() == "gone" == django_label(need, "category")
    assert need.get_urgency_display() == 99 == django_label(need, "urgency")
    assert need.get_status_display() == "" == django_label(need, "status")


def test_a_label_costs_one_translation_not_one_per_choice():
    need = Need(category=NeedCategory.choices[-1][0], audience=Audience.choices[-1][0], urgency=Urgency.LOW,
                status=NeedStatus.CANNOT)
    translation.activate("he")
    translation.gettext("warm up")
    calls = []
    real = translation._trans.gettext
    with mock.patch.object(translation._trans, "gettext", side_effect=lambda m: calls.append(m) or real(m)):
        for name in FIELDS:
            getattr(need, f"get_{name}_display")()
    translation.deactivate()
    assert len(calls) == len(FIELDS), calls
