"""Forms of the quick-report links and the team pulse: the manager's side and the public token forms."""

import re
from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from hosen.accounts.models import Role, User

from .models import Availability, NeedCategory, Site, SiteKind, SiteState, Urgency

MAX_LINK_AGE = timedelta(days=60)
MAX_PULSE_HOURS = 14 * 24
MAX_RECIPIENTS = 300
PHONE = re.compile(r"^\+?[\d\s\-().]{7,25}$")


def is_phone(text):
    return bool(PHONE.match(text)) and sum(c.isdigit() for c in text) >= 7


# ---- the manager's side ------------------------------------------------------------------------


class LinkForm(forms.Form):
    """A quick-report link for one site, or for a group of sites by kind and/or area."""

    site = forms.ModelChoiceField(label=_("One site"), queryset=Site.objects.none(), required=False,
                                  empty_label=_("— a group of sites —"))
    group_kind = forms.ChoiceField(label=_("Or a group: kind of site"), required=False,
                                   choices=[("", _("every kind"))] + list(SiteKind.choices))
    group_area = forms.ChoiceField(label=_("and area"), required=False)
    label = forms.CharField(label=_("Label (for you)"), max_length=200, required=False,
                            help_text=_("For example: principals of the north. The people who report do not see it."),
                            widget=forms.TextInput(attrs={"dir": "auto"}))
    valid_for = forms.IntegerField(label=_("Valid for"), min_value=1, initial=7)
    unit = forms.ChoiceField(label=_("unit"), choices=[("days", _("days")), ("hours", _("hours"))], initial="days")

    def __init__(self, *args, authority, **kwargs):
        super().__init__(*args, **kwargs)
        sites = Site.objects.filter(authority=authority, is_active=True)
        self.sites = sites
        self.fields["site"].queryset = sites
        areas = sites.exclude(area="").order_by("area").values_list("area", flat=True).distinct()
        self.fields["group_area"].choices = [("", _("every area"))] + [(a, a) for a in areas]

    def clean(self):
        data = super().clean()
        number, unit = data.get("valid_for"), data.get("unit")
        if number and unit:
            try:
                data["valid_for_delta"] = timedelta(**{unit: number})
            except OverflowError:
                data["valid_for_delta"] = MAX_LINK_AGE * 2
            if data["valid_for_delta"] > MAX_LINK_AGE:
                self.add_error("valid_for", _("A link can be valid for at most 60 days."))
        site, kind, area = data.get("site"), data.get("group_kind"), data.get("group_area")
        if site and (kind or area):
            raise ValidationError(_("Choose one site, or a group of sites: not both."))
        if not site and "group_kind" in data and "group_area" in data:
            group = self.sites
            if kind:
                group = group.filter(kind=kind)
            if area:
                group = group.filter(area=area)
            if not group.exists():
                raise ValidationError(_("No active site belongs to this group."))
        return data


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class PulseForm(forms.Form):
    """A team availability pulse: the message, how long it stays open, and who gets it."""

    title = forms.CharField(label=_("Title"), max_length=200, initial=_("Who can work in the coming days?"),
                            widget=forms.TextInput(attrs={"dir": "auto"}))
    message = forms.CharField(label=_("Message to the team"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}))
    valid_hours = forms.IntegerField(label=_("Valid for (hours)"), min_value=1, max_value=MAX_PULSE_HOURS,
                                     initial=48)
    members = MemberChoiceField(label=_("Members of the authority"), queryset=User.objects.none(), required=False,
                                widget=forms.CheckboxSelectMultiple)
    others = forms.CharField(
        label=_("More people, one a line"), required=False, max_length=20000,
        help_text=_("Name, phone or e-mail — for example: Dana Levi, 050-1234567"),
        widget=forms.Textarea(attrs={"rows": 4, "dir": "auto"}),
    )

    def __init__(self, *args, authority, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = (
            User.objects.filter(memberships__authority=authority, memberships__role__in=[Role.MANAGER, Role.TEAM],
                                is_active=True).distinct().order_by("full_name", "email")
        )

    def clean_others(self):
        people, errors = [], []
        for number, line in enumerate(self.cleaned_data["others"].splitlines(), start=1):
            line = line.strip().replace("،", ",")  # Arabic keyboards type the Arabic comma
            if not line:
                continue
            name, _comma, contact = line.rpartition(",") if "," in line else (line, "", "")
            name, contact = name.strip(), contact.strip()
            if not name:
                errors.append(_("Line %(n)d: write the person's name before the comma.") % {"n": number})
            elif len(name) > 200 or len(contact) > 200:
                errors.append(_("Line %(n)d is too long.") % {"n": number})
            elif not contact and (is_phone(name) or "@" in name):
                errors.append(_("Line %(n)d: write the person's name, then a comma, then the phone or e-mail.")
                              % {"n": number})
            elif contact and "@" in contact:
                try:
                    validate_email(contact)
                except ValidationError:
                    errors.append(_("Line %(n)d: %(contact)s is not a valid e-mail address.")
                                  % {"n": number, "contact": contact})
                else:
                    people.append((name, contact.lower()))
            elif contact and not is_phone(contact):
                errors.append(_("Line %(n)d: %(contact)s is neither a phone number nor an e-mail address.")
                              % {"n": number, "contact": contact})
            else:
                people.append((name, contact))
        if errors:
            raise ValidationError(errors)
        return people

    def clean(self):
        data = super().clean()
        members, others = data.get("members"), data.get("others")
        if members is not None and others is not None:
            if not members and not others:
                raise ValidationError(_("Choose at least one person to send the pulse to."))
            if len(members) + len(others) > MAX_RECIPIENTS:
                raise ValidationError(ngettext("A pulse can go to at most %(n)d person.",
                                               "A pulse can go to at most %(n)d people.", MAX_RECIPIENTS)
                                      % {"n": MAX_RECIPIENTS})
        return data


# ---- the public token forms --------------------------------------------------------------------


class SubmissionForm(forms.Form):
    """A form sent from a phone: it carries a key made when it was shown, so sending it twice stores it once."""

    submission = forms.UUIDField(widget=forms.HiddenInput(attrs={"data-keep-field": ""}),
                                 error_messages={"required": _("This form is out of date: check it and send again."),
                                                 "invalid": _("This form is out of date: check it and send again.")})


def _yes_no(value):
    return {"yes": True, "no": False}.get(value)


class QuickReportForm(SubmissionForm):
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none(), empty_label=_("Choose the site"),
                                  error_messages={"required": _("Choose the site you are reporting on."),
                                                  "invalid_choice": _("Choose one of the sites in the list.")})
    status = forms.ChoiceField(label=_("The site's status"), choices=SiteState.choices, widget=forms.RadioSelect,
                               error_messages={"required": _("Choose the site's status.")})
    present = forms.IntegerField(label=_("Present"), min_value=0, max_value=100000, required=False,
                                 widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    evacuated = forms.IntegerField(label=_("Evacuated"), min_value=0, max_value=100000, required=False,
                                   widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    hosted = forms.IntegerField(label=_("Evacuees hosted"), min_value=0, max_value=100000, required=False,
                                widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    protected_space = forms.TypedChoiceField(
        label=_("Is the protected space available?"), required=False, coerce=_yes_no, empty_value=None,
        choices=[("yes", _("Yes")), ("no", _("No")), ("", _("Don't know"))], widget=forms.RadioSelect, initial="",
    )
    need_categories = forms.MultipleChoiceField(label=_("Urgent needs"), choices=NeedCategory.choices,
                                                required=False, widget=forms.CheckboxSelectMultiple)
    need_description = forms.CharField(label=_("What is needed, in a few words"), max_length=300, required=False,
                                       widget=forms.TextInput(attrs={"dir": "auto"}))
    urgency = forms.TypedChoiceField(label=_("Urgency"), coerce=int, required=False, empty_value=Urgency.HIGH,
                                     choices=[(Urgency.HIGH, _("High")), (Urgency.CRITICAL, _("Critical"))],
                                     widget=forms.RadioSelect, initial=Urgency.HIGH)
    is_emerging = forms.BooleanField(label=_("New since the emergency began"), required=False)
    note = forms.CharField(label=_("Note"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}))
    # A name: 100 characters are plenty, and the needs register's source ("quick report: <name>") stays
    # within its 200 without cutting the name.
    reporter_name = forms.CharField(label=_("Your name (optional)"), max_length=100, required=False,
                                    widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "name"}))

    def __init__(self, *args, link, **kwargs):
        super().__init__(*args, **kwargs)
        self.link = link
        if link.site_id:
            # A site link reports on its one site: nothing to choose, and nothing to forge.
            del self.fields["site"]
        else:
            self.fields["site"].queryset = link.sites().order_by("name")

    def clean(self):
        data = super().clean()
        categories, description = data.get("need_categories"), (data.get("need_description") or "").strip()
        if categories and not description:
            self.add_error("need_description", _("Write in a few words what is needed."))
        elif description and categories == []:
            self.add_error("need_categories", _("Tick what kind of need it is (or “Other”)."))
        data["need_description"] = description
        return data


class PulseAnswerForm(SubmissionForm):
    availability = forms.ChoiceField(label=_("Can you work?"), choices=Availability.choices,
                                     widget=forms.RadioSelect,
                                     error_messages={"required": _("Choose whether you can work.")})
    where = forms.CharField(label=_("Where"), max_length=200, required=False,
                            help_text=_("For example: at my school, from home, anywhere in town"),
                            widget=forms.TextInput(attrs={"dir": "auto"}))
    how = forms.CharField(label=_("How"), max_length=200, required=False,
                          help_text=_("For example: mornings only, online, two days a week"),
                          widget=forms.TextInput(attrs={"dir": "auto"}))
    needs = forms.CharField(label=_("What I need to be able to work"), max_length=2000, required=False,
                            widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}))
