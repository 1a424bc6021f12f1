"""Fact labels ("owner", "started", "reached SHARE") read with a capital first letter in English; the
msgids are the lowercase field names, shared with forms and the history page."""

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from hosen.initiatives.models import Initiative


@pytest.mark.django_db(transaction=True)
def test_initiative_facts_start_with_a_capital_in_english(site):
    cast = site.cast
    with scopes_disabled():
        initiative = Initiative.objects.create(authority=cast.authority, emergency=cast.emergency,
                                               title="מעבדה ניידת", owner="דנה", shared_at=timezone.now())
    page = site.sign_in(site.context("en"), cast.manager)
    page.goto(site.url(f"/a/{cast.authority.slug}/initiatives/{initiative.pk}/"))
    labels = page.locator("main dt").all_inner_texts()
    assert {"Owner", "Started", "Reached SHARE"} <= set(labels), labels
    assert all(label[:1] == label[:1].upper() for label in labels), labels
    site.assert_clean()
