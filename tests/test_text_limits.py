"""Every free text has a limit that forms, the admin and imports share. A text over it is refused with a
message that names the limit and the length typed, in the user's language, and nothing changes; no text
is ever cut; and no page hands the browser a `maxlength`, at which a browser cuts a paste without a word."""

import importlib
import inspect
import pkgutil
import re
from html.parser import HTMLParser

import pytest
from django import forms
from django.apps import apps
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse
from django_scopes import scopes_disabled

import hosen

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
PLAIN_MAXLENGTH = re.compile(r"(?<![\w-])maxlength\s*=", re.IGNORECASE)


class FormReader(HTMLParser):
    """The fields of each <form> of a page, as a browser would send them untouched."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._form, self._textarea, self._select, self._chosen = [], None, None, None, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {}
            self.forms.append(self._form)
        elif self._form is None or "disabled" in a:
            return
        elif tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form.setdefault(a["name"], []).append(a.get("value", "on"))
            elif kind not in ("submit", "button", "file", "image", "reset"):
                self._form[a["name"]] = [a.get("value", "")]
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            self._form[self._textarea] = [""]
        elif tag == "select" and a.get("name"):
            self._select, self._chosen = a["name"], False
            self._form.pop(self._select, None)
        elif tag == "option" and self._select:
            # The selected option, else the first one.
            if "selected" in a and not self._chosen:
                self._form[self._select], self._chosen = [a.get("value", "")], True
            elif self._select not in self._form:
                self._form[self._select] = [a.get("value", "")]

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form[self._textarea][0] += data


def form_on(page, field):
    """The data of the page's form that has `field`, as its browser would send it."""
    reader = FormReader()
    reader.feed(page)
    found = [form for form in reader.forms if field in form]
    assert found, f"no form with {field}"
    return {name: values if len(values) > 1 else values[0] for name, values in found[0].items()}


def url(cast, name, **kwargs):
    return reverse(name, kwargs={"authority_slug": cast.authority.slug, **kwargs})


def too_long_message(limit, length):
    return f"Ensure this value has at most {limit} characters (it has {length})."


# ---- the limits, through the real pages --------------------------------------------------------


@pytest.mark.django_db
def test_work_plan_notes_have_a_limit_on_the_new_and_the_edit_page(cast, client_for):
    from hosen.plan.models import Activity

    client = client_for(cast.manager)
    new = url(cast, "plan:activity_new")
    data = {**form_on(client.get(new, **EN).content.decode(), "notes"),
            "name": "Robotics in the shelter", "kind": "programme", "audience": "students", "notes": "נ" * 2001}
    response = client.post(new, data, **EN)
    assert response.status_code in (200, 422)
    assert too_long_message(2000, 2001) in response.content.decode()
    assert "נ" * 2001 in response.content.decode()  # the whole text is back in the form, not cut
    with scopes_disabled():
        assert not Activity.objects.exists()

    data["notes"] = "נ" * 2000
    assert client.post(new, data, **EN).status_code == 302
    with scopes_disabled():
        activity = Activity.objects.get()
    assert activity.notes == "נ" * 2000

    edit = url(cast, "plan:activity_edit", activity_pk=activity.pk)
    data = {**form_on(client.get(edit, **EN).content.decode(), "notes"), "notes": "נ" * 1999 + "\r\n" + "x"}
    response = client.post(edit, data, **EN)  # a line break is two characters, as the browser sends it
    assert too_long_message(2000, 2002) in response.content.decode()
    with scopes_disabled():
        activity.refresh_from_db()
    assert activity.notes == "נ" * 2000

    hebrew = client.post(edit, data, HTTP_ACCEPT_LANGUAGE="he").content.decode()
    assert "נא לוודא שערך זה מכיל 2000 תווים לכל היותר (מכיל 2002)." in hebrew
    arabic = client.post(edit, data, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert "تأكد أن هذه القيمة تحتوي على 2000 حرف أو رمز على الأكثر (هي تحتوي حالياً على 2002)." in arabic


@pytest.mark.django_db
@pytest.mark.parametrize(("page", "field", "filled", "limit"), [
    ("field:site_new", "notes", {"name": "Alon School", "kind": "school"}, 5000),
    ("partners:new", "notes", {"name": "Science Museum", "kind": "ngo"}, 5000),
    ("initiatives:new", "summary", {"title": "Science at the shelters"}, 4000),
    ("field:need_new", "description", {"audience": "students", "category": "equipment", "urgency": "3"}, 2000),
])
def test_a_text_over_its_limit_is_refused_with_the_limit_and_nothing_is_stored(cast, client_for, page, field,
                                                                                filled, limit):
    client = client_for(cast.manager)
    target = url(cast, page)
    model = {"field:site_new": "field.Site", "partners:new": "partners.Partner",
             "initiatives:new": "initiatives.Initiative", "field:need_new": "field.Need"}[page]
    data = {**form_on(client.get(target, **EN).content.decode(), field), **filled, field: "a" * (limit + 1)}
    response = client.post(target, data, **EN)
    assert response.status_code in (200, 422)
    assert too_long_message(limit, limit + 1) in response.content.decode()
    with scopes_disabled():
        assert not apps.get_model(model).objects.filter(authority=cast.authority).exists()


@pytest.mark.django_db
def test_the_checklist_note_and_the_practice_write_up_keep_their_limits():
    """Limits that used to be set on a form's field after it was built, where they checked nothing."""
    from hosen.initiatives.forms import PracticeForm
    from hosen.workmodel.forms import AnswerForm

    form = AnswerForm(data={"status": "yes", "note": "x" * 5001})
    assert form.errors["note"] == [too_long_message(5000, 5001)]
    form = PracticeForm(data={"title": "t", "problem": "p" * 4001, "what_we_did": "w", "stage": "4"})
    assert form.errors["problem"] == [too_long_message(4000, 4001)]


# ---- nothing is cut ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_allocation_note_over_its_limit_is_refused_not_cut(cast):
    from hosen.field.models import Need
    from hosen.resources import allocation
    from hosen.resources.models import Allocation, Person

    with scopes_disabled():
        need = Need.objects.create(authority=cast.authority, emergency=cast.emergency, audience="students",
                                   category="equipment", description="Laptops")
        person = Person.objects.create(authority=cast.authority, name="Dana", kind="volunteer")
        with pytest.raises(allocation.AllocationError, match=re.escape(too_long_message(300, 301))):
            allocation.allocate(need, "person", person, user=cast.manager, note="x" * 301)
        assert not Allocation.objects.exists()
        need.refresh_from_db()
        assert need.status == "open"
        made = allocation.allocate(need, "person", person, user=cast.manager, note="x" * 300)
        assert Allocation.objects.get(pk=made.pk).note == "x" * 300


@pytest.mark.django_db
def test_a_new_skills_name_is_never_cut(cast):
    from hosen.resources import skills

    with scopes_disabled(), pytest.raises(ValueError, match="121"):
        skills.add_skill("x" * 121, cast.authority)


# ---- every field has a limit, and no page says maxlength --------------------------------------


def test_every_text_of_every_model_has_a_limit():
    missing = [
        f"{model.__name__}.{field.name}"
        for model in apps.get_models() if model.__module__.startswith("hosen.")
        # The ledger of what was sent (hosen/integrity) is written by the system, as are change reasons.
        and model._meta.app_label != "integrity"
        for field in model._meta.get_fields()
        if isinstance(field, models.CharField | models.TextField) and field.max_length is None
        and field.name != "history_change_reason"
    ]
    assert not missing, f"free text without a limit: {missing}"


def _form_classes():
    for module_info in pkgutil.walk_packages(hosen.__path__, "hosen."):
        if module_info.name.rsplit(".", 1)[-1].startswith("forms"):
            module = importlib.import_module(module_info.name)
            for _name, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                    yield cls


def test_every_text_field_of_every_form_checks_its_limit():
    classes = list(_form_classes())
    assert len(classes) > 30
    missing = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in classes for name, field in cls.base_fields.items()
        if isinstance(field, forms.CharField) and not isinstance(field, forms.UUIDField)
        and not isinstance(field.widget, forms.HiddenInput | forms.PasswordInput)
        and not any(isinstance(v, MaxLengthValidator) for v in field.validators)
    ]
    assert not missing, f"text fields without a limit: {missing}"


@pytest.mark.django_db
def test_pages_say_data_maxlength_never_maxlength(cast, client_for, client):
    from hosen.field.tests.matrix_links import make_link, make_site

    site = make_site(cast.authority, "Alon School")
    link = make_link(cast.authority, cast.emergency, site=site)
    manager = client_for(cast.manager)
    pages = [url(cast, name) for name in ("plan:activity_new", "field:site_new", "field:need_new", "partners:new",
                                          "initiatives:new", "resources:person_new", "resources:channel_new")]
    for page in pages:
        html = manager.get(page, **EN).content.decode()
        assert 'data-maxlength="' in html, page
        assert not PLAIN_MAXLENGTH.search(html), page
    manager.logout()
    public = client.get(reverse("field_public:report", kwargs={"link_token": link.token}), **EN).content.decode()
    assert 'name="note"' in public and 'data-maxlength="2000"' in public and not PLAIN_MAXLENGTH.search(public)
    # The counter's words come from the page, in the page's language.
    assert 'data-chars-left="Characters left: {n}"' in public
    assert 'data-chars-over="Too long. Characters to remove: {n}"' in public
