"""The project's select.html writes each option itself instead of including select_option.html per option (list
pages draw some fifty options in their filter forms on every request): its HTML must stay Django's own."""

from pathlib import Path

import django.forms
import pytest
from django import forms
from django.template import Context, Engine

DJANGO_FORM_TEMPLATES = Path(django.forms.__file__).parent / "templates"


def stock(widget, name, value, attrs=None):
    """The widget as Django's own templates draw it."""
    engine = Engine(dirs=[DJANGO_FORM_TEMPLATES])
    context = widget.get_context(name, value, attrs)
    # A form renderer strips what the template writes; so does this.
    return engine.get_template(widget.template_name).render(Context(context)).strip()


GROUPED = [("", "All"), ("Fruit", [("a", "Apple & pear"), ("b", 'Banana "ripe"')]), ("c", "כרוב"), (3, "שלוש")]


@pytest.mark.parametrize("widget, value", [
    (forms.Select(choices=GROUPED), "b"),
    (forms.Select(choices=GROUPED, attrs={"dir": "auto", "class": "x"}), ""),
    (forms.Select(choices=GROUPED), 3),
    (forms.SelectMultiple(choices=GROUPED), ["a", "c"]),
    (forms.NullBooleanSelect(), True),
])
def test_the_select_is_drawn_exactly_as_django_draws_it(widget, value):
    drawn = widget.render("field", value, attrs={"id": "id_field"})
    assert drawn == stock(widget, "field", value, attrs={"id": "id_field"})
    assert "&amp;" in drawn or isinstance(widget, forms.NullBooleanSelect)  # labels are escaped


def test_a_widget_with_its_own_option_template_keeps_it():
    class Marked(forms.Select):
        option_template_name = "django/forms/widgets/input.html"  # any other template: it must be the one used

    drawn = Marked(choices=[("a", "A")]).render("field", "a")
    assert "<option" not in drawn and 'name="field"' in drawn
