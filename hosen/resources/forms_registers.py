"""Forms of the stage-3 registers: people, channels, facilities and funding; their list filters; the
volunteer links and the public sign-up form; and the people and facilities importers."""

import re
from datetime import timedelta
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from hosen.field.models import NeedCategory, Site
from hosen.integrity.versions import VersionedForm, conflict_rows, locked
from hosen.named_text import naming
from hosen.names import NameField
from hosen.reports.importer import ImportColumn, Importer, LabelChoiceField, RowError, YesNoField, normalize_header

from . import skills as vocabulary
from .models import (
    LANGUAGE_CHOICES,
    Availability,
    Channel,
    ChannelKind,
    Facility,
    FacilityKind,
    FundingKind,
    FundingSource,
    FundingStatus,
    Person,
    PersonKind,
    Skill,
)

TEXT_MAX = 5000
NOTE_MAX = 300
MAX_PEOPLE = 1_000_000  # the reach of a channel, the capacity of a facility: a typo like 10000000 is caught
MAX_AMOUNT = Decimal("9999999999.99")  # the model's 12 digits
MAX_NEW_SKILLS = 10
MAX_RECIPIENTS = 500
MAX_LINK_AGE = timedelta(days=90)

# The `source` of a person, stored as a key and shown in the reader's language.
SOURCE_SIGNUP = "volunteer sign-up"
SOURCE_IMPORT = "import"
SOURCE_LABELS = {SOURCE_SIGNUP: _("volunteer sign-up"), SOURCE_IMPORT: _("import from a file")}


# ---- phones --------------------------------------------------------------------------------------

PHONE_CHARACTERS = re.compile(r"^\+?[\d\s\-().]+$")
PHONE_MESSAGE = _("“%(value)s” is not a phone number we can call. Write it like 050-1234567 or 02-6123456; a "
                  "number from abroad with + and its country code.")


def normalize_phone(text: str) -> str:
    """An Israeli phone as people write it, in one way: 050-1234567, 02-6123456, 1-800-123-456; a foreign
    number as +<digits>. Raises ValidationError with a message that says how to write it."""
    text = (text or "").strip()
    if not text:
        return ""
    if not PHONE_CHARACTERS.match(text):
        raise ValidationError(PHONE_MESSAGE, code="phone", params={"value": text})
    digits = "".join(c for c in text if c.isdigit())
    international = text.startswith("+") or digits.startswith("00")
    if digits.startswith("00"):
        digits = digits[2:]
    if international or (digits.startswith("972") and len(digits) in (11, 12)):
        if not digits.startswith("972"):
            if 8 <= len(digits) <= 15:
                return "+" + digits
            raise ValidationError(PHONE_MESSAGE, code="phone", params={"value": text})
        digits = "0" + digits[3:]
    if len(digits) == 10 and digits[:2] in ("05", "07"):
        return f"{digits[:3]}-{digits[3:]}"
    if len(digits) == 9 and digits[:2] in ("02", "03", "04", "08", "09"):
        return f"{digits[:2]}-{digits[2:]}"
    if len(digits) == 10 and digits[:4] in ("1800", "1700", "1599"):
        return f"{digits[0]}-{digits[1:4]}-{digits[4:7]}-{digits[7:]}"
    raise ValidationError(PHONE_MESSAGE, code="phone", params={"value": text})


def phone_digits(phone: str) -> str:
    """The digits that identify a phone however it was written (for finding the same person twice)."""
    try:
        phone = normalize_phone(phone)
    except ValidationError:
        pass
    return "".join(c for c in phone or "" if c.isdigit())


class PhoneField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "dir": "ltr",
                                                           "inputmode": "tel"}))
        super().__init__(**kwargs)

    def clean(self, value):
        return normalize_phone(super().clean(value))


def _email_field(label, **kwargs):
    return forms.EmailField(
        label=label, required=False, max_length=254,
        error_messages={"invalid": _("Write a whole e-mail address, like name@example.org.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "dir": "ltr"}), **kwargs)


def _count(label, **kwargs):
    return forms.IntegerField(
        label=label, required=False, min_value=0, max_value=MAX_PEOPLE,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
        error_messages={"min_value": _("The number cannot be negative."),
                        "max_value": _("That is more than %(limit_value)s: check the number."),
                        "invalid": _("Write a whole number.")}, **kwargs)


def _text(label, rows=3, max_length=TEXT_MAX, **kwargs):
    return forms.CharField(label=label, required=False, max_length=max_length,
                           widget=forms.Textarea(attrs={"rows": rows, "dir": "auto"}), **kwargs)


def _line(label, max_length=200, required=False, **kwargs):
    return forms.CharField(label=label, required=required, max_length=max_length,
                           widget=forms.TextInput(attrs={"dir": "auto"}), **kwargs)


def _name(max_length=200):
    """A record's name as people type it (pasted from WhatsApp too): trimmed, spaces collapsed, invisible
    direction marks removed, so that it compares and imports as the same name."""
    return NameField(label=_("name"), required=True, max_length=max_length,
                     widget=forms.TextInput(attrs={"dir": "auto"}))


def _capfirst_labels(form):
    for field in form.fields.values():
        field.label = capfirst(field.label)


# ---- skills and languages ------------------------------------------------------------------------


class SkillChoiceField(forms.ModelMultipleChoiceField):
    """The vocabulary as checkboxes, each named in the active language."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        kwargs.setdefault("required", False)
        super().__init__(queryset=Skill.objects.none(), **kwargs)

    def label_from_instance(self, obj):
        return obj.tr("name")


def skills_in_language(queryset=None):
    """The skills queryset ordered by their name in the active language."""
    lang = (get_language() or "he")[:2]
    lang = lang if lang in ("he", "ar", "en") else "he"
    return (queryset if queryset is not None else Skill.objects.all()).order_by(f"name_{lang}", "key")


def language_label(code):
    return dict(LANGUAGE_CHOICES).get(code, code)


def ordered_languages(codes):
    wanted = set(codes or [])
    return [code for code, _label in LANGUAGE_CHOICES if code in wanted]


AVAILABILITY_NOW = [(value, label) for value, label in Availability.choices]


# ---- people --------------------------------------------------------------------------------------


class PersonForm(VersionedForm, forms.ModelForm):
    """A person of the ecosystem or its partners, a volunteer or an activist. Availability belongs to the
    current emergency: it is asked only while one is open, and a new emergency starts from "unknown"."""

    name = _name()
    kind = forms.ChoiceField(label=_("kind"), choices=PersonKind.choices, widget=forms.RadioSelect,
                             error_messages={"required": _("Choose who this is: staff, partner, volunteer or "
                                                           "activist.")})
    organisation = _line(_("organisation"))
    role = _line(_("role"))
    skills = SkillChoiceField(label=_("skills"))
    new_skills = forms.CharField(
        label=_("Add a skill that is not in the list"), required=False, max_length=500,
        help_text=_("Write it in a few words; several skills separated by commas. It is added to your authority's "
                    "list; the network may add it to the shared list."),
        widget=forms.TextInput(attrs={"dir": "auto"}))
    languages = forms.MultipleChoiceField(label=_("languages"), choices=LANGUAGE_CHOICES, required=False,
                                          widget=forms.CheckboxSelectMultiple)
    area = _line(_("area"), max_length=100)
    phone = PhoneField(label=_("phone"))
    email = _email_field(_("e-mail"))
    availability = forms.ChoiceField(label=_("availability in this emergency"), choices=AVAILABILITY_NOW,
                                     widget=forms.RadioSelect, required=False)
    availability_note = _line(_("availability note"), max_length=NOTE_MAX,
                              help_text=_("For example: mornings only, from home, until Thursday."))
    notes = _text(_("notes"))

    field_order = ["name", "kind", "organisation", "role", "skills", "new_skills", "languages", "area", "phone",
                   "email", "availability", "availability_note", "notes"]
    versioned_m2m = ("skills",)

    class Meta:
        model = Person
        fields = ["name", "kind", "organisation", "role", "skills", "languages", "area", "phone", "email",
                  "availability_note", "notes"]

    def __init__(self, *args, authority, emergency, **kwargs):
        super().__init__(*args, **kwargs)
        self.authority = authority
        self.emergency = emergency
        self.fields["skills"].queryset = skills_in_language(vocabulary.offered_to(authority))
        self.fields["area"].widget.attrs["list"] = "person-areas"
        if emergency is None:
            del self.fields["availability"]
        else:
            self.fields["availability"].help_text = naming(_("In the emergency “%(name)s”."), name=emergency.name)
            if not self.is_bound:
                self.initial["availability"] = self.instance.availability_in(emergency)
        self.initial.setdefault("languages", self.instance.languages or [])
        _capfirst_labels(self)

    def clean_new_skills(self):
        names = vocabulary.split_names(self.cleaned_data["new_skills"])
        if len(names) > MAX_NEW_SKILLS:
            raise ValidationError(_("Add at most %(n)d new skills at a time.") % {"n": MAX_NEW_SKILLS})
        long = [name for name in names if len(name) > vocabulary.NAME_MAX]
        if long:
            raise ValidationError(_("A skill's name can be at most %(n)d characters.") % {"n": vocabulary.NAME_MAX})
        return names

    def clean_languages(self):
        return ordered_languages(self.cleaned_data["languages"])

    def _check_version(self):
        super()._check_version()
        if self.conflict is None:
            return
        # The side by side shows the record as this form shows it: the skills in the order of the list (the
        # same skills in another order are no difference), and the availability in this emergency, not the
        # stored value, which may belong to an emergency that is over.
        current = locked(Person, self.instance.pk)
        prefetch_related_objects([current], Prefetch("skills", queryset=skills_in_language()))
        if "availability" in self.fields:
            current.availability = current.availability_in(self.emergency)
        self.conflict.rows = conflict_rows(self, current)

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def save(self, commit=True):
        person = super().save(commit=False)
        person.authority = self.authority
        if self.emergency is not None and "availability" in self.cleaned_data:
            chosen = self.cleaned_data["availability"] or Availability.UNKNOWN
            if chosen != person.availability_in(self.emergency) or person.availability_emergency_id is None:
                person.availability = chosen
                person.availability_emergency = self.emergency
        person.save()
        self.save_m2m()
        added = [vocabulary.add_skill(name, self.authority) for name in self.cleaned_data.get("new_skills", [])]
        if added:
            person.skills.add(*added)
        self.added_skills = added
        return person


class AvailabilityForm(forms.Form):
    availability = forms.ChoiceField(choices=Availability.choices)


def _choices(choices, blank):
    return [("", blank)] + [(str(value), label) for value, label in choices]


class FilterForm(forms.Form):
    """A list's filters, read from the query string: a value that does not fit is ignored, never an error."""

    def values(self) -> dict:
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "", [])}

    @property
    def active(self):
        return bool(self.values())

    def summary(self):
        """The filters that are on, in words, for the folded filter box."""
        texts = []
        for name, value in self.values().items():
            field = self.fields[name]
            if isinstance(field, forms.ModelChoiceField):
                shown = field.label_from_instance(value)
            elif getattr(field, "choices", None):
                shown = dict((str(k), v) for k, v in field.choices).get(str(value), value)
            else:
                shown = value
            texts.append(f"{field.label}: {shown}")
        return texts


def _search():
    return forms.CharField(label=_("Search"), required=False, max_length=100,
                           widget=forms.TextInput(attrs={"type": "search", "dir": "auto"}))


class PeopleFilter(FilterForm):
    q = _search()
    kind = forms.ChoiceField(label=_("kind"), required=False, choices=_choices(PersonKind.choices, _("Everyone")))
    skill = forms.ModelChoiceField(label=_("skill"), required=False, queryset=Skill.objects.none(),
                                   to_field_name="key", empty_label=_("Any skill"))
    language = forms.ChoiceField(label=_("language"), required=False,
                                 choices=_choices(LANGUAGE_CHOICES, _("Any language")))
    area = forms.ChoiceField(label=_("area"), required=False)
    availability = forms.ChoiceField(label=_("availability"), required=False,
                                     choices=_choices(Availability.choices, _("Any availability")))

    def __init__(self, data, *, authority, areas, emergency):
        super().__init__(data)
        self.fields["skill"].queryset = skills_in_language(vocabulary.offered_to(authority))
        self.fields["skill"].label_from_instance = lambda skill: skill.tr("name")
        self.fields["area"].choices = [("", _("All areas"))] + [(a, a) for a in areas]
        if emergency is None:
            del self.fields["availability"]
        _capfirst_labels(self)


class ChannelFilter(FilterForm):
    q = _search()
    kind = forms.ChoiceField(label=_("kind"), required=False, choices=_choices(ChannelKind.choices, _("All kinds")))
    active = forms.ChoiceField(label=_("active in this emergency"), required=False, choices=[
        ("", _("Active or not")), ("1", _("Active now")), ("0", _("Not active"))])

    def __init__(self, data, *, emergency):
        super().__init__(data)
        if emergency is None:
            del self.fields["active"]
        _capfirst_labels(self)


class FacilityFilter(FilterForm):
    q = _search()
    kind = forms.ChoiceField(label=_("kind"), required=False, choices=_choices(FacilityKind.choices, _("All kinds")))
    area = forms.ChoiceField(label=_("area"), required=False)
    protected = forms.ChoiceField(label=_("protected space"), required=False, choices=[
        ("", _("Protected or not")), ("1", _("Protected spaces only")), ("0", _("Not protected"))])
    capacity = forms.IntegerField(label=_("capacity at least"), required=False, min_value=1, max_value=MAX_PEOPLE,
                                  widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1}))
    availability = forms.ChoiceField(label=_("availability"), required=False,
                                     choices=_choices(Availability.choices, _("Any availability")))

    def __init__(self, data, *, areas):
        super().__init__(data)
        self.fields["area"].choices = [("", _("All areas"))] + [(a, a) for a in areas]
        _capfirst_labels(self)


class FundingFilter(FilterForm):
    q = _search()
    status = forms.ChoiceField(label=_("status"), required=False,
                               choices=_choices(FundingStatus.choices, _("Any status")))
    kind = forms.ChoiceField(label=_("kind"), required=False, choices=_choices(FundingKind.choices, _("All kinds")))
    category = forms.ChoiceField(label=_("can fund"), required=False,
                                 choices=_choices(NeedCategory.choices, _("Any need")))

    def __init__(self, data):
        super().__init__(data)
        _capfirst_labels(self)


def json_list_has(field, value):
    """Rows whose JSON list field holds `value` (a code without quotes), on SQLite and PostgreSQL alike."""
    return Q(**{f"{field}__icontains": f'"{value}"'})


# ---- channels ------------------------------------------------------------------------------------


def parse_recipients(text):
    """E-mail addresses one a line → (addresses, errors); an error names the line and what is wrong."""
    addresses, errors, seen = [], [], set()
    for number, line in enumerate((text or "").splitlines(), start=1):
        address = line.strip()
        if not address:
            continue
        if re.search(r"[,;\s]", address):
            errors.append(gettext("Line %(n)d: “%(line)s” — write one address a line.")
                          % {"n": number, "line": address[:80]})
            continue
        try:
            validate_email(address)
        except ValidationError:
            errors.append(gettext("Line %(n)d: “%(line)s” is not an e-mail address.")
                          % {"n": number, "line": address[:80]})
            continue
        if address.lower() not in seen:
            seen.add(address.lower())
            addresses.append(address)
    return addresses, errors


class ChannelForm(VersionedForm, forms.ModelForm):
    name = _name()
    kind = forms.ChoiceField(label=_("kind"), choices=ChannelKind.choices, widget=forms.RadioSelect,
                             error_messages={"required": _("Choose the kind of channel.")})
    audience = _line(_("audience"), help_text=_("Who it reaches: parents of the north, principals, teachers…"))
    reach = _count(_("reach (people)"), help_text=_("About how many people it reaches."))
    owner = _line(_("owner"), help_text=_("Who runs it, and can post in it."))
    address = forms.CharField(label=_("link or address"), required=False, max_length=500,
                              widget=forms.TextInput(attrs={"dir": "ltr"}),
                              help_text=_("An invitation link, a page's address, a frequency…"))
    email_recipients = forms.CharField(
        label=_("e-mail recipients"), required=False, max_length=60_000,
        widget=forms.Textarea(attrs={"rows": 4, "dir": "ltr", "autocomplete": "off"}),
        help_text=_("For a mailing list: the addresses updates are sent to, one a line."))
    active = forms.BooleanField(label=_("Active in this emergency"), required=False)
    notes = _text(_("notes"))

    field_order = ["name", "kind", "active", "audience", "reach", "owner", "address", "email_recipients", "notes"]

    class Meta:
        model = Channel
        fields = ["name", "kind", "audience", "reach", "owner", "address", "email_recipients", "notes"]

    def __init__(self, *args, authority, emergency, **kwargs):
        super().__init__(*args, **kwargs)
        self.authority = authority
        self.emergency = emergency
        if emergency is None:
            del self.fields["active"]
        elif not self.is_bound or self.instance.pk:  # a conflict view compares with the stored state
            self.initial["active"] = self.instance.is_active_in(emergency) if self.instance.pk else True
        _capfirst_labels(self)

    def clean_email_recipients(self):
        addresses, errors = parse_recipients(self.cleaned_data["email_recipients"])
        if errors:
            raise ValidationError(errors)
        if len(addresses) > MAX_RECIPIENTS:
            raise ValidationError(_("A channel can have at most %(n)d e-mail recipients.") % {"n": MAX_RECIPIENTS})
        return "\n".join(addresses)

    def clean_address(self):
        address = self.cleaned_data["address"].strip()
        if re.match(r"^\s*(javascript|data|vbscript):", address, re.IGNORECASE):
            raise ValidationError(_("Write a web link (https://…), a phone number or another address."))
        return address

    def save(self, commit=True):
        channel = super().save(commit=False)
        channel.authority = self.authority
        if self.emergency is not None and "active" in self.cleaned_data:
            set_channel_active(channel, self.emergency, self.cleaned_data["active"], save=False)
        channel.save()
        return channel


def set_channel_active(channel, emergency, active, save=True):
    """Mark the channel active in this emergency (from now) or not; nothing changes when it already is."""
    from django.utils import timezone

    if active == channel.is_active_in(emergency):
        return False
    channel.active_in = emergency if active else None
    channel.activated_at = timezone.now() if active else None
    if save:
        channel.save(update_fields=["active_in", "activated_at"])
    return True


def channel_href(channel):
    """A safe link for the channel's address: a web link, an e-mail or a phone; else nothing."""
    address = (channel.address or "").strip()
    if re.match(r"^https?://\S+$", address, re.IGNORECASE):
        return address
    if re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", address):
        return f"mailto:{address}"
    return ""


# ---- facilities ----------------------------------------------------------------------------------


class FacilityForm(VersionedForm, forms.ModelForm):
    name = _name()
    kind = forms.ChoiceField(label=_("kind"), choices=FacilityKind.choices, widget=forms.RadioSelect,
                             error_messages={"required": _("Choose the kind of facility.")})
    site = forms.ModelChoiceField(label=_("site"), required=False, queryset=None, empty_label="—",
                                  help_text=_("The school or centre it belongs to, if any."))
    address = _line(_("address"), max_length=300)
    area = _line(_("area"), max_length=100)
    is_protected = forms.BooleanField(label=_("A protected space"), required=False)
    capacity = _count(_("capacity (people)"))
    equipment = _text(_("equipment"), rows=2, help_text=_("Screens, computers, a kitchen, a maker lab…"))
    key_holder = _line(_("key holder"))
    key_holder_phone = PhoneField(label=_("key holder phone"))
    availability = forms.ChoiceField(label=_("availability"), choices=Availability.choices, widget=forms.RadioSelect,
                                     initial=Availability.UNKNOWN)
    notes = _text(_("notes"))

    class Meta:
        model = Facility
        fields = ["name", "kind", "site", "address", "area", "is_protected", "capacity", "equipment", "key_holder",
                  "key_holder_phone", "availability", "notes"]

    def __init__(self, *args, authority, **kwargs):
        super().__init__(*args, **kwargs)
        self.authority = authority
        sites = Site.objects.filter(authority=authority)
        current = self.instance.site_id if self.instance.pk else None
        self.fields["site"].queryset = (sites.filter(Q(is_active=True) | Q(pk=current)) if current
                                        else sites.filter(is_active=True)).only("pk", "name").order_by("name")
        self.fields["site"].error_messages["invalid_choice"] = _("Choose one of this authority's sites.")
        self.fields["area"].widget.attrs["list"] = "facility-areas"
        _capfirst_labels(self)

    def save(self, commit=True):
        facility = super().save(commit=False)
        facility.authority = self.authority
        facility.save()
        return facility


# ---- funding -------------------------------------------------------------------------------------


def _amount(label):
    return forms.DecimalField(
        label=label, required=False, min_value=0, max_value=MAX_AMOUNT, max_digits=12, decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "min": 0, "step": "any", "dir": "ltr"}),
        error_messages={"min_value": _("An amount cannot be negative."),
                        "max_value": _("That amount is too large: check the number."),
                        "invalid": _("Write an amount in shekels, in digits (for example 25000)."),
                        "max_decimal_places": _("Shekels and agorot: at most 2 digits after the point."),
                        "max_digits": _("That amount is too large: check the number."),
                        "max_whole_digits": _("That amount is too large: check the number.")})


class FundingForm(VersionedForm, forms.ModelForm):
    name = _name()
    kind = forms.ChoiceField(label=_("kind"), choices=FundingKind.choices, widget=forms.RadioSelect,
                             error_messages={"required": _("Choose the kind of source.")})
    contact = _line(_("contact"))
    status = forms.ChoiceField(label=_("status"), choices=FundingStatus.choices, widget=forms.RadioSelect,
                               initial=FundingStatus.IDENTIFIED)
    requested = _amount(_("requested (₪)"))
    approved = _amount(_("approved (₪)"))
    received = _amount(_("received (₪)"))
    deadline = forms.DateField(label=_("deadline"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                               error_messages={"invalid": _("Write a date, like 2026-12-31.")},
                               help_text=_("The date to apply or report by."))
    categories = forms.MultipleChoiceField(label=_("need categories it can fund"), choices=NeedCategory.choices,
                                           required=False, widget=forms.CheckboxSelectMultiple)
    restrictions = _text(_("restrictions"), rows=2, help_text=_("What it may not be used for, conditions, reports."))
    for_emergency = forms.BooleanField(label=_("For this emergency"), required=False)
    notes = _text(_("notes"))

    field_order = ["name", "kind", "status", "for_emergency", "contact", "requested", "approved", "received",
                   "deadline", "categories", "restrictions", "notes"]

    class Meta:
        model = FundingSource
        fields = ["name", "kind", "contact", "status", "requested", "approved", "received", "deadline", "categories",
                  "restrictions", "notes"]

    def __init__(self, *args, authority, emergency, **kwargs):
        super().__init__(*args, **kwargs)
        self.authority = authority
        self.emergency = emergency
        for name in ("requested", "approved", "received"):
            self.fields[name].widget.attrs["dir"] = "ltr"
            # Amounts people paste from a spreadsheet or an e-mail: "25,000" or "₪25,000".
            if self.is_bound and self.data.get(self.add_prefix(name)):
                data = self.data.copy()
                data[self.add_prefix(name)] = re.sub(r"[₪,\s]|ש\"ח|ש״ח|NIS", "", data[self.add_prefix(name)])
                self.data = data
        if emergency is None:
            del self.fields["for_emergency"]
        else:
            self.fields["for_emergency"].help_text = naming(
                _("Found for “%(name)s”: it counts in this emergency's checklist."), name=emergency.name)
            if not self.is_bound or self.instance.pk:  # a conflict view compares with the stored state
                self.initial["for_emergency"] = (self.instance.emergency_id == emergency.pk
                                                 if self.instance.pk else True)
        self.initial.setdefault("categories", self.instance.categories or [])
        _capfirst_labels(self)

    def clean_categories(self):
        wanted = set(self.cleaned_data["categories"])
        return [value for value in NeedCategory.values if value in wanted]

    def warnings(self):
        """What is odd but allowed (it happens): said after saving, never blocking."""
        data = self.cleaned_data
        requested, approved, received = data.get("requested"), data.get("approved"), data.get("received")
        notes = []
        if approved is not None and requested is not None and approved > requested:
            notes.append(gettext("The approved amount is more than was requested — saved as written."))
        if received is not None and approved is not None and received > approved:
            notes.append(gettext("More was received than approved — saved as written."))
        if data.get("status") == FundingStatus.RECEIVED and not received:
            notes.append(gettext("The status is “received” but no amount received is written."))
        return notes

    def save(self, commit=True):
        funding = super().save(commit=False)
        funding.authority = self.authority
        if self.emergency is not None and "for_emergency" in self.cleaned_data:
            if self.cleaned_data["for_emergency"]:
                funding.emergency = self.emergency
            elif funding.emergency_id == self.emergency.pk:
                funding.emergency = None
        funding.save()
        return funding


# ---- volunteer links and the public sign-up -------------------------------------------------------


class VolunteerLinkForm(forms.Form):
    label = forms.CharField(label=_("Label (for you)"), max_length=200, required=False,
                            help_text=_("For example: the parents' WhatsApp group. Volunteers do not see it."),
                            widget=forms.TextInput(attrs={"dir": "auto"}))
    valid_days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=MAX_LINK_AGE.days, initial=30,
                                    widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 1}),
                                    error_messages={"max_value": _("A link can be valid for at most %(limit_value)s "
                                                                   "days."),
                                                    "min_value": _("A link must be valid for at least one day."),
                                                    "required": _("Write for how many days the link is valid.")})


class VolunteerForm(forms.Form):
    """The public sign-up: one screen, one hand. Carries a key made when it was shown (see SubmissionForm)."""

    submission = forms.UUIDField(widget=forms.HiddenInput(attrs={"data-keep-field": ""}),
                                 error_messages={"required": _("This form is out of date: check it and send again."),
                                                 "invalid": _("This form is out of date: check it and send again.")})
    name = NameField(label=_("Your name"), max_length=200,
                     widget=forms.TextInput(attrs={"dir": "auto", "autocomplete": "name"}),
                     error_messages={"required": _("Write your name.")})
    phone = PhoneField(label=_("Phone"))
    email = _email_field(_("E-mail"))
    area = forms.CharField(label=_("Where do you live?"), max_length=100, required=False,
                           help_text=_("Neighbourhood or part of town."),
                           widget=forms.TextInput(attrs={"dir": "auto"}))
    languages = forms.MultipleChoiceField(label=_("Languages you speak"), choices=LANGUAGE_CHOICES, required=False,
                                          widget=forms.CheckboxSelectMultiple)
    skills = SkillChoiceField(label=_("What can you help with?"))
    other_skills = forms.CharField(label=_("Anything else you can do"), max_length=300, required=False,
                                   widget=forms.TextInput(attrs={"dir": "auto"}))
    availability = forms.ChoiceField(
        label=_("When can you help?"), widget=forms.RadioSelect,
        choices=[(Availability.AVAILABLE, _("Now")), (Availability.PARTLY, _("Partly, some hours or days")),
                 (Availability.UNAVAILABLE, _("Not now, later"))],
        error_messages={"required": _("Choose when you can help.")})
    note = forms.CharField(label=_("Anything we should know"), max_length=1000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}))

    def __init__(self, *args, with_availability=True, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the shared vocabulary: skills an authority added would tell a stranger about it.
        self.fields["skills"].queryset = skills_in_language(vocabulary.shared_vocabulary())
        if not with_availability:
            del self.fields["availability"]

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean(self):
        data = super().clean()
        if not data.get("phone") and not data.get("email") and "phone" not in self.errors and \
                "email" not in self.errors:
            self.add_error("phone", _("Write a phone number or an e-mail address, so that we can call you back."))
        return data


# ---- import --------------------------------------------------------------------------------------


KIND_ALIASES = {
    "צוות": PersonKind.STAFF, "איש צוות": PersonKind.STAFF, "אשת צוות": PersonKind.STAFF,
    "צוות האקוסיסטם": PersonKind.STAFF,
    "עובד": PersonKind.STAFF, "עובדת": PersonKind.STAFF, "طاقم": PersonKind.STAFF, "طاقم المنظومة": PersonKind.STAFF,
    "שותף": PersonKind.PARTNER, "שותפה": PersonKind.PARTNER, "צוות שותף": PersonKind.PARTNER,
    "شريك": PersonKind.PARTNER, "شريكة": PersonKind.PARTNER, "طاقم شريك": PersonKind.PARTNER,
    "מתנדב": PersonKind.VOLUNTEER, "מתנדבת": PersonKind.VOLUNTEER, "متطوع": PersonKind.VOLUNTEER,
    "متطوعة": PersonKind.VOLUNTEER,
    "פעיל": PersonKind.ACTIVIST, "פעילה": PersonKind.ACTIVIST, "פעיל קהילתי": PersonKind.ACTIVIST,
    "פעילה קהילתית": PersonKind.ACTIVIST, "ناشط": PersonKind.ACTIVIST, "ناشطة": PersonKind.ACTIVIST,
    "ناشط مجتمعي": PersonKind.ACTIVIST, "ناشطة مجتمعية": PersonKind.ACTIVIST, "activist": PersonKind.ACTIVIST,
}
AVAILABILITY_ALIASES = {
    "זמין": Availability.AVAILABLE, "זמינה": Availability.AVAILABLE, "כן": Availability.AVAILABLE,
    "متاح": Availability.AVAILABLE, "متاحة": Availability.AVAILABLE, "yes": Availability.AVAILABLE,
    "חלקית": Availability.PARTLY, "זמין חלקית": Availability.PARTLY, "זמינה חלקית": Availability.PARTLY,
    "جزئيا": Availability.PARTLY, "متاح جزئيا": Availability.PARTLY, "partly": Availability.PARTLY,
    "לא זמין": Availability.UNAVAILABLE, "לא זמינה": Availability.UNAVAILABLE, "לא": Availability.UNAVAILABLE,
    "غير متاح": Availability.UNAVAILABLE, "غير متاحة": Availability.UNAVAILABLE, "no": Availability.UNAVAILABLE,
    "לא ידוע": Availability.UNKNOWN, "غير معروف": Availability.UNKNOWN,
}
FACILITY_ALIASES = {
    "מבנה": FacilityKind.BUILDING, "בניין": FacilityKind.BUILDING, "مبنى": FacilityKind.BUILDING,
    "אולם": FacilityKind.HALL, "قاعة": FacilityKind.HALL,
    "כיתה": FacilityKind.CLASSROOM, "صف": FacilityKind.CLASSROOM, "غرفة صف": FacilityKind.CLASSROOM,
    "מעבדה": FacilityKind.LAB, "מייקרספייס": FacilityKind.LAB, "مختبر": FacilityKind.LAB,
    "מקלט": FacilityKind.SHELTER, "מקלט ציבורי": FacilityKind.SHELTER, "ملجأ": FacilityKind.SHELTER,
    "ملجأ عام": FacilityKind.SHELTER,
    "שטח פתוח": FacilityKind.OUTDOOR, "חצר": FacilityKind.OUTDOOR, "ساحة": FacilityKind.OUTDOOR,
    "مساحة مفتوحة": FacilityKind.OUTDOOR,
    "אחר": FacilityKind.OTHER, "آخر": FacilityKind.OTHER, "أخرى": FacilityKind.OTHER,
}
# Language names in a cell, beyond their labels in the three interface languages.
LANGUAGE_ALIASES = {
    "עברית": "he", "ערבית": "ar", "אנגלית": "en", "רוסית": "ru", "אמהרית": "am", "צרפתית": "fr", "ספרדית": "es",
    "אחר": "other", "العبرية": "he", "عبري": "he", "العربية": "ar", "عربي": "ar", "الإنجليزية": "en",
    "الانجليزية": "en", "انجليزي": "en", "الروسية": "ru", "الأمهرية": "am", "الفرنسية": "fr", "الإسبانية": "es",
    "أخرى": "other",
}


class ListCellField(forms.CharField):
    """A cell of names separated by commas, each found in a table in any language; unknown names are one
    error that lists them all."""

    unknown_message = ""

    def __init__(self, *, table=None, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.table = table or {}

    def lookup(self, name):
        return self.table.get(vocabulary.normalize(name))

    def clean(self, value):
        text = super().clean(value)
        found, unknown = [], []
        for name in vocabulary.split_names(text):
            item = self.lookup(name)
            if item is None:
                unknown.append(name)
            elif item not in found:
                found.append(item)
        if unknown:
            raise ValidationError(self.unknown_message % {"names": ", ".join(f"“{n}”" for n in unknown)})
        return found if text else None


class SkillsCellField(ListCellField):
    unknown_message = _("Unknown skills: %(names)s. Use the names of the skills list (in Hebrew, Arabic or "
                        "English), separated by commas, or add the skill from a person's form first.")


class LanguagesCellField(ListCellField):
    unknown_message = _("Unknown languages: %(names)s. Write languages like Hebrew, Arabic, English, Russian, "
                        "Amharic, separated by commas.")

    def lookup(self, name):
        return self.table.get(normalize_header(name))


def languages_table():
    from django.conf import settings
    from django.utils import translation

    table = {normalize_header(k): v for k, v in LANGUAGE_ALIASES.items()}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for value, label in LANGUAGE_CHOICES:
                table.setdefault(normalize_header(str(label)), value)
    for value, _label in LANGUAGE_CHOICES:
        table[normalize_header(value)] = value
    return table


class PersonRowForm(forms.Form):
    """One row of a people file. Only the columns the file has are validated and written."""

    name = NameField(max_length=200)
    kind = LabelChoiceField(choices=PersonKind.choices, aliases=KIND_ALIASES)
    organisation = forms.CharField(max_length=200, required=False)
    role = forms.CharField(max_length=200, required=False)
    skills = SkillsCellField(max_length=2000)
    languages = LanguagesCellField(max_length=500)
    area = forms.CharField(max_length=100, required=False)
    phone = PhoneField()
    email = forms.EmailField(required=False, error_messages={"invalid": _("Write a whole e-mail address, like "
                                                                          "name@example.org.")})
    availability = LabelChoiceField(choices=Availability.choices, aliases=AVAILABILITY_ALIASES, required=False)
    availability_note = forms.CharField(max_length=NOTE_MAX, required=False)
    notes = forms.CharField(max_length=TEXT_MAX, required=False)

    def __init__(self, *args, skills_table, languages, emergency, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in self.data:
                del self.fields[name]
        if "skills" in self.fields:
            self.fields["skills"].table = skills_table
        if "languages" in self.fields:
            self.fields["languages"].table = languages
        self.emergency = emergency

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_availability(self):
        value = self.cleaned_data["availability"]
        if value and value != Availability.UNKNOWN and self.emergency is None:
            raise ValidationError(_("Availability belongs to an emergency, and none is open: leave the cell empty."))
        return value


def _person_column(name, *, required=False, he=(), ar=(), en=(), help="", choices=()):
    return ImportColumn(name, Person._meta.get_field(name).verbose_name, required=required,
                        headers={"he": he, "ar": ar, "en": en}, help=help, choices=choices)


class PersonImporter(Importer):
    """People from Excel or CSV. A row updates the person with the same e-mail, else the same phone, else —
    when the row has neither — the one person of that name; any other row adds a person."""

    sheet_title = "people"
    form_class = PersonRowForm
    unique = ("email",)
    columns = [
        _person_column("name", required=True, he=("שם", "שם מלא"), ar=("الاسم", "الاسم الكامل"),
                       en=("full name",), help=_("Required.")),
        _person_column("kind", required=True, he=("סוג",), ar=("النوع",), en=("type",),
                       help=_("Required. One of:"), choices=PersonKind.labels),
        _person_column("organisation", he=("ארגון",), ar=("المؤسسة", "الجهة"), en=("organization",)),
        _person_column("role", he=("תפקיד",), ar=("الوظيفة", "الدور")),
        _person_column("skills", he=("מיומנויות", "כישורים"), ar=("المهارات",),
                       help=_("Names from the skills list, in Hebrew, Arabic or English, separated by commas. "
                              "Empty: the person's skills stay as they are.")),
        _person_column("languages", he=("שפות",), ar=("اللغات",),
                       help=_("Separated by commas, e.g. Hebrew, Arabic, Russian. Empty: kept as they are.")),
        _person_column("area", he=("אזור", "שכונה", "יישוב"), ar=("المنطقة", "الحي")),
        _person_column("phone", he=("טלפון", "נייד", "טלפון נייד"), ar=("الهاتف", "رقم الهاتف"), en=("mobile",),
                       help=_("For example 050-1234567.")),
        _person_column("email", he=("דוא\"ל", "אימייל", "דואר אלקטרוני", "מייל"), ar=("البريد الإلكتروني",),
                       en=("email", "e-mail address")),
        _person_column("availability", he=("זמינות",), ar=("التوفر", "الجاهزية"),
                       en=("availability in this emergency", _("availability in this emergency")),
                       help=_("Availability in the current emergency. Empty: kept as it is."),
                       choices=Availability.labels),
        _person_column("availability_note", he=("הערת זמינות",), ar=("ملاحظة التوفر",)),
        _person_column("notes", he=("הערות",), ar=("ملاحظات",)),
    ]

    def form_kwargs(self):
        if not hasattr(self, "_form_kwargs"):
            skills = vocabulary.offered_to(self.context["authority"])
            self._form_kwargs = {"skills_table": vocabulary.lookup_table(skills), "languages": languages_table(),
                                 "emergency": self.context.get("emergency")}
        return self._form_kwargs

    def template(self, fmt):
        content, content_type = super().template(fmt)
        if fmt != "xlsx":
            return content, content_type
        # A sheet with the skills list, so that the names are at hand while filling the file.
        import io

        from openpyxl import load_workbook

        workbook = load_workbook(io.BytesIO(content))
        sheet = workbook.create_sheet(gettext("Skills")[:31])
        from django.utils import translation

        sheet.sheet_view.rightToLeft = translation.get_language_bidi()
        sheet.append([gettext("skill"), gettext("can answer")])
        categories = dict(NeedCategory.choices)
        for skill in vocabulary.sorted_skills(vocabulary.offered_to(self.context["authority"])):
            sheet.append([skill.tr("name"), ", ".join(str(categories.get(c, c)) for c in skill.categories)])
        sheet.column_dimensions["A"].width = 40
        sheet.column_dimensions["B"].width = 60
        from hosen.reports.tabular import never_formulas

        never_formulas(workbook)  # skill names are typed by people: "=…" must stay a name
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue(), content_type

    def match(self, rows, result):
        authority = self.context["authority"]
        existing = list(Person.objects.filter(authority=authority))
        by_email = {p.email.casefold(): p for p in existing if p.email}
        by_phone = {}
        for person in existing:
            if person.phone:
                by_phone.setdefault(phone_digits(person.phone), person)
        by_name: dict[str, list] = {}
        for person in existing:
            by_name.setdefault(vocabulary.normalize(person.name), []).append(person)
        claimed: dict[int, int] = {}
        for row in rows:
            email, phone = row.values.get("email") or "", row.values.get("phone") or ""
            target = by_email.get(email.casefold()) if email else None
            if target is None and phone:
                target = by_phone.get(phone_digits(phone))
            if target is None and not email and not phone:
                namesakes = by_name.get(vocabulary.normalize(row.values["name"]), [])
                if len(namesakes) == 1:
                    target = namesakes[0]
            if target is not None:
                if target.pk in claimed:
                    result.errors.append(RowError(row.number, "", gettext(
                        "This row and row %(row)d are the same person (“%(name)s”).") % {
                        "row": claimed[target.pk], "name": target.name}))
                    continue
                claimed[target.pk] = row.number
            row.target = target

    def write(self, rows):
        authority, emergency, user = self.context["authority"], self.context.get("emergency"), self.user
        created, changed, skills_of = [], [], []
        plain = {name for row in rows for name in row.values} - {"skills", "languages", "availability"}
        fields = set(plain)
        for row in rows:
            values = {name: row.values[name] for name in plain if name in row.values}
            if row.values.get("languages"):
                values["languages"] = ordered_languages(row.values["languages"])
                fields.add("languages")
            availability = row.values.get("availability")
            if availability and emergency is not None:
                values["availability"], values["availability_emergency_id"] = availability, emergency.pk
                fields.update({"availability", "availability_emergency"})
            if row.target is None:
                person = Person(authority=authority, source=SOURCE_IMPORT, **values)
                created.append(person)
            else:
                person = row.target
                if any(getattr(person, name) != value for name, value in values.items()):
                    for name, value in values.items():
                        setattr(person, name, value)
                    changed.append(person)
            if row.values.get("skills"):
                skills_of.append((person, row.values["skills"]))
        if created:
            bulk_create_with_history(created, Person, batch_size=500, default_user=user)
        if changed:
            bulk_update_with_history(changed, Person, sorted(fields), batch_size=500, default_user=user)
        new = {person.pk for person in created}
        updated = {person.pk for person in changed} | (_set_skills(skills_of) - new)
        return {"created": len(created), "updated": len(updated),
                "unchanged": len(rows) - len(created) - len(updated)}


def _set_skills(pairs):
    """Give each person exactly these skills, in three queries for the whole file; returns the pks of the
    people whose skills changed."""
    if not pairs:
        return set()
    through = Person.skills.through
    people = [person.pk for person, _skills in pairs]
    current: dict[int, set[int]] = {}
    for person_id, skill_id in through.objects.filter(person_id__in=people).values_list("person_id", "skill_id"):
        current.setdefault(person_id, set()).add(skill_id)
    changed, rows = set(), []
    for person, wanted in pairs:
        ids = {skill.pk for skill in wanted}
        if ids != current.get(person.pk, set()):
            changed.add(person.pk)
            rows.extend(through(person_id=person.pk, skill_id=skill_id) for skill_id in ids)
    if changed:
        through.objects.filter(person_id__in=changed).delete()
        through.objects.bulk_create(rows, batch_size=1000)
    return changed


class SiteCellField(forms.CharField):
    """A site written by its name or its institution code (this authority's sites only)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.sites = {}

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        site = self.sites.get(vocabulary.normalize(text))
        if site is None:
            raise ValidationError(_("No site of this authority is called “%(name)s” (write its name or its "
                                    "institution code).") % {"name": text})
        return site


class FacilityRowForm(forms.Form):
    name = NameField(max_length=200)
    kind = LabelChoiceField(choices=FacilityKind.choices, aliases=FACILITY_ALIASES)
    site = SiteCellField(max_length=200)
    address = forms.CharField(max_length=300, required=False)
    area = forms.CharField(max_length=100, required=False)
    is_protected = YesNoField(required=False)
    capacity = forms.IntegerField(min_value=0, max_value=MAX_PEOPLE, required=False)
    equipment = forms.CharField(max_length=TEXT_MAX, required=False)
    key_holder = forms.CharField(max_length=200, required=False)
    key_holder_phone = PhoneField()
    availability = LabelChoiceField(choices=Availability.choices, aliases=AVAILABILITY_ALIASES, required=False)
    notes = forms.CharField(max_length=TEXT_MAX, required=False)

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in self.data:
                del self.fields[name]
        if "site" in self.fields:
            self.fields["site"].sites = sites

    def clean_availability(self):
        return self.cleaned_data["availability"] or Availability.UNKNOWN


def _facility_column(name, *, required=False, he=(), ar=(), en=(), help="", choices=()):
    return ImportColumn(name, Facility._meta.get_field(name).verbose_name, required=required,
                        headers={"he": he, "ar": ar, "en": en}, help=help, choices=choices)


class FacilityImporter(Importer):
    """Facilities from Excel or CSV. A row updates the facility of the same name; any other row adds one."""

    sheet_title = "facilities"
    form_class = FacilityRowForm
    unique = ("name",)
    columns = [
        _facility_column("name", required=True, he=("שם", "שם המתקן"), ar=("الاسم", "اسم المنشأة"),
                         en=("facility",), help=_("Required. A row with the name of a facility on record updates it.")),
        _facility_column("kind", required=True, he=("סוג",), ar=("النوع",), en=("type",), help=_("Required. One of:"),
                         choices=FacilityKind.labels),
        _facility_column("site", he=("מוסד", "אתר", "שם המוסד"), ar=("المؤسسة", "الموقع"),
                         help=_("The name or institution code of one of the authority's sites.")),
        _facility_column("address", he=("כתובת",), ar=("العنوان",)),
        _facility_column("area", he=("אזור", "שכונה"), ar=("المنطقة", "الحي")),
        _facility_column("is_protected", he=("מרחב מוגן", "ממוגן"), ar=("حيز محمي", "محمي"), en=("protected",),
                         help=_("yes or no"), choices=(_("yes"), _("no"))),
        _facility_column("capacity", he=("קיבולת", "מספר אנשים"), ar=("السعة", "عدد الأشخاص"),
                         help=_("How many people it holds.")),
        _facility_column("equipment", he=("ציוד",), ar=("المعدات", "التجهيزات")),
        _facility_column("key_holder", he=("מחזיק המפתח", "מחזיק/ת המפתח", "אחראי מפתח"), ar=("حامل المفتاح",)),
        _facility_column("key_holder_phone", he=("טלפון מחזיק המפתח", "טלפון"), ar=("هاتف حامل المفتاح", "الهاتف"),
                         en=("phone",)),
        _facility_column("availability", he=("זמינות",), ar=("التوفر",), choices=Availability.labels),
        _facility_column("notes", he=("הערות",), ar=("ملاحظات",)),
    ]

    def form_kwargs(self):
        if not hasattr(self, "_form_kwargs"):
            sites = {}
            for site in Site.objects.filter(authority=self.context["authority"], is_active=True).only(
                    "pk", "name", "code"):
                sites.setdefault(vocabulary.normalize(site.name), site)
                if site.code:
                    sites.setdefault(vocabulary.normalize(site.code), site)
            self._form_kwargs = {"sites": sites}
        return self._form_kwargs

    def match(self, rows, result):
        by_name: dict[str, list] = {}
        for facility in Facility.objects.filter(authority=self.context["authority"]):
            by_name.setdefault(vocabulary.normalize(facility.name), []).append(facility)
        for row in rows:
            namesakes = by_name.get(vocabulary.normalize(row.values["name"]), [])
            if len(namesakes) > 1:
                result.errors.append(RowError(row.number, self.header_for("name"), ngettext(
                    "%(n)d facility is named “%(name)s”: rename it on its page first.",
                    "%(n)d facilities are named “%(name)s”: give them different names on their pages first.",
                    len(namesakes)) % {"n": len(namesakes), "name": row.values["name"]}))
                continue
            row.target = namesakes[0] if namesakes else None

    def write(self, rows):
        authority = self.context["authority"]
        created, changed = [], []
        fields = {name for row in rows for name in row.values}
        for row in rows:
            values = dict(row.values)
            if "site" in values:  # compared and set by id: no query per row for the site on record
                site = values.pop("site")
                values["site_id"] = site.pk if site is not None else None
            if row.target is None:
                created.append(Facility(authority=authority, **values))
                continue
            facility = row.target
            if any(getattr(facility, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(facility, name, value)
                changed.append(facility)
        if created:
            bulk_create_with_history(created, Facility, batch_size=500, default_user=self.user)
        if changed:
            bulk_update_with_history(changed, Facility, sorted(fields), batch_size=500, default_user=self.user)
        return {"created": len(created), "updated": len(changed),
                "unchanged": len(rows) - len(created) - len(changed)}
