"""What people and the network type reaches every page only escaped, and every export only as text.

One database for the whole sweep: the demo authority with every register filled, plus the objects the
permission matrix points its URLs at; then markup is planted in every free-text field of every row (names,
titles, notes, the model's texts the network edits), saved so the history page shows it too. Every page
the permission matrix knows is then opened by the users who see the most, as a full page and as the htmx
partial, with every export format and the public token pages, and every form is sent back filled with
markup; no page may carry the markup as markup, no spreadsheet cell may be a formula, no e-mail is HTML.
"""

import csv
import io
import re
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.urls import NoReverseMatch, reverse
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from tests import test_permissions as matrix

SCRIPT = "<script>x1</script>"
REST = '<img src=x onerror=alert(1)><meta http-equiv="refresh" content="0;url=https://evil.example">"><b>'
# What must never reach a page as markup; the escaped form of SCRIPT is what must reach it.
RAW = ("<script>x1", "<img src=x", "<meta http-equiv")
ESCAPED = "&lt;script&gt;x1&lt;/script&gt;"

# Keys, codes and secrets: written by the code, never typed as free text.
NOT_FREE_TEXT = {"password", "token", "key", "style_key", "source", "language", "team_readiness"}
SKIPPED_MODELS = {"integrity.Submission"}

# The names the issue names: each must be seen escaped somewhere, so the sweep cannot pass by showing nothing.
MUST_SHOW = [("workmodel.Emergency", "name"), ("tenancy.Authority", "name"), ("field.Site", "name"),
             ("resources.Person", "name"), ("partners.Partner", "name"), ("plan.Kpi", "name"),
             ("initiatives.Initiative", "title")]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def free_text_fields(model):
    return [f for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField)) and not f.choices
            and not isinstance(f, (models.SlugField, models.EmailField, models.URLField))
            and f.name not in NOT_FREE_TEXT and not f.primary_key]


def planted_value(tag, row, max_length):
    """The longest payload that fits the field; the tag first, so a shortened name still names its field, and
    the row's key, so that names stay unique. It starts with "=" so that the same data tests the exports'
    formula guard."""
    for value in (f"={tag}.{row}{SCRIPT}{REST}", f"={tag}.{row}{SCRIPT}"):
        if max_length is None or len(value) <= max_length:
            return value
    return None


def plant_everywhere():
    """Markup in every free-text field of every row; {(model label, field name): tag}."""
    tags = {}
    for model in apps.get_models():
        label = model._meta.label
        if not model.__module__.startswith("hosen.") or label in SKIPPED_MODELS or label.startswith(
                tuple(f"{a}.Historical" for a in ("accounts", "tenancy", "workmodel", "field", "resources", "plan",
                                                  "situation", "partners", "initiatives"))):
            continue
        fields = [f for f in free_text_fields(model) if planted_value("q000", 99999, f.max_length)]
        for field in fields:
            tags[(label, field.name)] = f"q{len(tags):03d}"
        for row in model._base_manager.all():
            for field in fields:
                setattr(row, field.name, planted_value(tags[(label, field.name)], row.pk, field.max_length))
            if fields:
                # save(), not update(): the history page shows the change, markup and all.
                row.save(update_fields=[f.name for f in fields])
    return tags


def demo_cast():
    """The permission matrix's cast, made of the demo network's people and places."""
    from hosen.accounts.models import User
    from hosen.tenancy.models import Authority
    from hosen.workmodel.models import Emergency

    users = {u.email: u for u in User.objects.all()}
    authority = Authority.objects.get(slug="neve-hadgama")
    other = Authority.objects.get(slug="kiryat-nisayon")
    emergency = Emergency.objects.exclude(phase="closed").get(authority=authority)
    cast = SimpleNamespace(
        network=authority.cluster.network, cluster=authority.cluster, other_cluster=other.cluster,
        authority=authority, other_authority=other, network_admin=users["network@example.org"],
        coordinator=users["coordinator@example.org"], manager=users["manager@example.org"],
        team=users["team@example.org"], viewer=users["viewer@example.org"], outsider=users["manager2@example.org"],
        emergency=emergency, round=emergency.rounds.order_by("number").last())
    cast.user = lambda role: None if role == "anonymous" else getattr(cast, role)
    return cast


# Filters and searches echo what was asked for; the same markup goes into every parameter a list reads.
ECHOED = {name: f"={name}{SCRIPT}{REST}" for name in ("q", "area", "kind", "status", "category", "site", "audience",
                                                      "sort", "stage", "phase", "page", "emergency", "skill")}


def page_urls(cast, names):
    """(name, url) for every page of `names`, each export in every format it may be asked in."""
    for name in sorted(names):
        kwargs = matrix._kwargs(cast, name)
        for fmt in (("csv", "xlsx", "pdf") if "fmt" in kwargs else (None,)):
            try:
                yield name, reverse(name, kwargs={**kwargs, "fmt": fmt} if fmt else kwargs)
            except NoReverseMatch:
                continue


class FormFields(HTMLParser):
    """The POST forms of a page, filled in as a person who types markup into every box would fill them: the
    hidden fields (submission key, version) as given, every text box and text area with markup, the first
    option of every list, every box ticked."""

    def __init__(self, markup):
        super().__init__()
        self.markup, self.forms, self.data, self.select = markup, [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.data = {}
            self.forms.append(self.data)
        if self.data is None:
            return
        if tag == "option" and self.select and self.select not in self.data and attrs.get("value"):
            self.data[self.select] = attrs["value"]
        if not attrs.get("name"):
            return
        name, kind = attrs["name"], (attrs.get("type") or "text").lower()
        if tag == "textarea" or (tag == "input" and kind in ("text", "search", "tel")):
            self.data[name] = self.markup
        elif tag == "input" and kind in ("hidden", "number", "date", "datetime-local", "email"):
            self.data.setdefault(name, attrs.get("value") or {"number": "1", "date": "2026-10-08",
                                                               "email": "a@example.org"}.get(kind, ""))
        elif tag == "input" and kind in ("checkbox", "radio"):
            self.data.setdefault(name, attrs.get("value", "on"))
        elif tag == "select":
            self.select = name

    def handle_endtag(self, tag):
        if tag == "form":
            self.data = None
        elif tag == "select":
            self.select = None


def filled_form(page, markup):
    """The page's form with the most boxes to type into, filled; None when it has none (sign-out only)."""
    parser = FormFields(markup)
    parser.feed(page)
    typed = [(sum(value == markup for value in form.values()), form) for form in parser.forms]
    count, form = max(typed, key=lambda pair: pair[0], default=(0, None))
    return form if count else None


def body_of(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


class Sweep:
    """What every response showed: markup that got through, escaped names seen, 5xx answers."""

    def __init__(self, tags):
        self.fields = {tag: field for field, tag in tags.items()}
        self.problems = []
        self.seen = set()
        self.pages = 0

    def check(self, response, what):
        if response.status_code >= 500:
            self.problems.append(f"{response.status_code}: {what}")
        if response.status_code != 200:
            return
        self.pages += 1
        kind = response.get("Content-Type", "")
        body = body_of(response)
        if kind.startswith("text/csv"):
            self._check_csv(body, what)
        elif kind.startswith("application/vnd.openxmlformats"):
            self._check_xlsx(body, what)
        elif kind.startswith("text/html"):
            self.check_html(body.decode(), what)

    def check_html(self, text, what):
        for raw in RAW:
            if raw in text:
                at = text.index(raw)
                self.problems.append(f"{raw!r} unescaped in {what}: …{text[max(0, at - 120):at + 40]}…")
        self.seen.update(re.findall(r"=(q\d{3})\.\d+" + re.escape(ESCAPED), text))

    def _check_csv(self, body, what):
        for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))):
            for cell in row:
                if cell.startswith(FORMULA_STARTS):
                    self.problems.append(f"CSV cell {cell[:40]!r} would run as a formula: {what}")

    def _check_xlsx(self, body, what):
        workbook = load_workbook(io.BytesIO(body))
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        self.problems.append(f"Excel cell {sheet.title}!{cell.coordinate} is a formula "
                                             f"({str(cell.value)[:40]!r}): {what}")


def rows_the_demo_lacks(cast):
    """A private check-in and a site report where the sweep opens them (the matrix's site)."""
    from hosen.field.models import Site, SiteStatus
    from hosen.workmodel.models import CheckIn

    CheckIn.objects.create(author=cast.manager, authority=cast.authority, emergency=cast.emergency, feeling="x")
    site = Site.objects.get(pk=cast._url_kwargs["site_pk"])
    SiteStatus.objects.create(authority=cast.authority, emergency=cast.emergency, site=site, status="open",
                              note="x", reporter_name="x")


@pytest.fixture
def planted(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for command in ["load_model_content", "load_skills", "load_kpi_templates", "load_demo"]:
        call_command(command, verbosity=0)
    with scopes_disabled():
        cast = demo_cast()
        matrix._kwargs(cast, "home")  # the matrix's objects, made before the markup goes in, get it too
        rows_the_demo_lacks(cast)
        tags = plant_everywhere()
    return cast, tags


@pytest.fixture
def printed_html(monkeypatch):
    """Every HTML page WeasyPrint is given to print (the donors' list as PDF)."""
    weasyprint = pytest.importorskip("weasyprint")
    pages = []
    real = weasyprint.HTML

    def capture(*args, string=None, **kwargs):
        pages.append(string)
        return real(*args, string=string, **kwargs)

    monkeypatch.setattr(weasyprint, "HTML", capture)
    return pages


# Each reader in another language, so the model's texts in Hebrew and Arabic are shown too.
READERS = {"manager": "en", "network_admin": "he", "coordinator": "ar", "viewer": "he"}


def read_as(client, user, language):
    from django.conf import settings

    client.logout()
    if user is not None:
        client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.django_db
def test_no_page_export_or_public_form_carries_planted_markup(planted, printed_html, client):
    cast, tags = planted
    sweep = Sweep(tags)
    authority_pages = list(page_urls(cast, matrix.AUTHORITY_PAGES))
    other_pages = list(page_urls(cast, matrix.OTHER_PAGES))
    for role, language in READERS.items():
        read_as(client, cast.user(role), language)
        for _name, url in authority_pages + other_pages:
            sweep.check(client.get(url), f"GET {url} as {role}")
    read_as(client, cast.manager, "en")
    for _name, url in authority_pages:
        sweep.check(client.get(url, headers={"HX-Request": "true"}), f"htmx GET {url}")
        if not url.rstrip("/").rsplit("/", 1)[-1].startswith(("export", "template", "download")):
            sweep.check(client.get(url, ECHOED), f"GET {url} with markup in its filters")
    read_as(client, None, "ar")
    for _name, url in other_pages:
        sweep.check(client.get(url), f"GET {url} signed out")
    # What people type into the forms comes back on the page that refuses or shows it, escaped too.
    read_as(client, cast.manager, "en")
    posted = 0
    for name, url in authority_pages:
        if matrix.AUTHORITY_PAGES[name][1] is None or any(word in name for word in ("close", "revoke", "release")):
            continue
        page = client.get(url)
        if page.status_code == 200 and page.get("Content-Type", "").startswith("text/html"):
            data = filled_form(page.content.decode(), f"={name}{SCRIPT}{REST}")
            if data:
                sweep.check(client.post(url, data), f"POST {url} {sorted(data)}")
                posted += 1
    for number, html in enumerate(printed_html):
        sweep.check_html(html, f"PDF {number}")

    assert not sweep.problems, "\n".join(sweep.problems)
    missing = [field for field in MUST_SHOW if tags[field] not in sweep.seen]
    assert not missing, f"planted names never shown (escaped) on any page: {missing}"
    assert printed_html and sweep.pages > 500 and posted > 30



@pytest.mark.django_db
def test_emails_that_carry_planted_names_are_plain_text(planted, client):
    """A pulse, an update by e-mail and an invitation name the authority, the emergency, the people: plain text
    only, so markup is text in every mail client; and not turned into &lt; either (a name with an apostrophe
    must not arrive as &#x27;)."""
    from django.core import mail

    from hosen.resources.models import Channel

    cast, _tags = planted
    with scopes_disabled():
        channel = Channel.objects.filter(authority=cast.authority).first()
        channel.email_recipients = "parents@example.org"
        channel.save(update_fields=["email_recipients"])
    client.force_login(cast.manager)
    slug = {"authority_slug": cast.authority.slug}
    response = client.post(reverse("field:pulses", kwargs=slug), {
        "title": f"Who {SCRIPT}", "message": f"Today {REST}", "valid_hours": "48", "members": [str(cast.team.pk)],
        "others": f"Dana {SCRIPT}, dana@example.org"})
    assert response.status_code == 302
    response = client.post(reverse("situation:update_new", kwargs=slug),
                           {"channel": channel.pk, "text": f"Stay home {SCRIPT}", "send": "email"})
    assert response.status_code == 302
    client.force_login(cast.network_admin)
    response = client.post(reverse("tenancy:network_invite"),
                           {"email": "new.manager@example.org", "authority": cast.authority.pk})
    assert response.status_code == 302
    assert len(mail.outbox) == 4
    for message in mail.outbox:
        assert message.content_subtype == "plain" and not getattr(message, "alternatives", [])
        assert SCRIPT in message.subject + message.body and "&lt;" not in message.body + message.subject


META = '<meta http-equiv="refresh" content="0;url=https://evil.example">'


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["resources:person_new", "resources:funding_new"])
def test_the_emergency_name_in_a_form_help_text_is_escaped(cast, client_for, page):
    """The forms name the open emergency in a help text, which Django's own field template does not escape."""
    with scopes_disabled():
        cast.emergency.name = f"War {META}<script>x1</script>"
        cast.emergency.save(update_fields=["name"])
    response = client_for(cast.team).get(reverse(page, kwargs={"authority_slug": cast.authority.slug}))
    assert response.status_code == 200
    text = response.content.decode()
    assert "<meta http-equiv" not in text and "<script>x1" not in text
    # Isolated, so that its direction leaves the sentence's quotes and full stop in place.
    assert "“<bdi>War &lt;meta http-equiv=&quot;refresh&quot;" in text


def test_a_help_text_meant_as_markup_keeps_it():
    """format_html's help texts (Django's password rules) are already safe and stay markup."""
    from django import forms
    from django.utils.html import format_html

    class Form(forms.Form):
        name = forms.CharField(help_text=format_html("<em>{}</em>", "<b>"))

    assert '<div class="helptext" id="id_name_helptext"><em>&lt;b&gt;</em></div>' in str(Form())


@pytest.mark.django_db
def test_the_content_security_policy_allows_no_plugins(cast, client_for):
    response = client_for(cast.manager).get(reverse("workmodel:home", kwargs={"authority_slug": cast.authority.slug}))
    assert response.status_code == 200
    directives = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if part)
    assert directives["object-src"] == "'none'"
    assert directives["script-src"] == "'self'"


def test_text_that_looks_like_a_formula_stays_text_in_every_sheet():
    from openpyxl import Workbook

    from hosen.reports.tabular import never_formulas

    workbook = Workbook()
    workbook.active.append(["=HYPERLINK(\"https://evil.example\",\"x\")", "+1", 3])
    workbook.create_sheet("Skills").append(["=1+1"])
    never_formulas(workbook)
    saved = io.BytesIO()
    workbook.save(saved)
    again = load_workbook(saved)
    cells = [cell for sheet in again.worksheets for row in sheet.iter_rows() for cell in row]
    assert [(c.value, c.data_type) for c in cells] == [
        ('=HYPERLINK("https://evil.example","x")', "s"), ("+1", "s"), (3, "n"), ("=1+1", "s")]
