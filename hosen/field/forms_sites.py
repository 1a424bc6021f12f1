"""Forms of the sites register: a site, its status report, the board's filters and the import file."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from hosen.integrity.versions import VersionedForm
from hosen.names import NameField, normalize_name
from hosen.reports.importer import ImportColumn, Importer, LabelChoiceField, RowError, YesNoField

from .models import Site, SiteKind, SiteState

# Sensible bounds: no site in Israel has more people than this; a typo like 1000000 is caught.
MAX_PEOPLE = 100_000
MAX_NOTE = 2000


def _people(label, required=False):
    return forms.IntegerField(
        label=label, required=required, min_value=0, max_value=MAX_PEOPLE,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": MAX_PEOPLE}),
    )


class SiteForm(VersionedForm, forms.ModelForm):
    """Create or edit a site. Uniqueness per authority is checked here, so a clash is a message, not an
    IntegrityError."""

    students = _people(_("students"))
    staff = _people(_("staff"))
    protected_capacity = _people(_("protected space capacity"))

    class Meta:
        model = Site
        fields = ["name", "kind", "code", "address", "area", "students", "staff", "contact_name", "contact_phone",
                  "contact_email", "has_protected_space", "protected_capacity", "notes"]
        widgets = {
            "name": forms.TextInput(attrs={"dir": "auto"}),
            "address": forms.TextInput(attrs={"dir": "auto"}),
            "area": forms.TextInput(attrs={"dir": "auto", "list": "site-areas"}),
            "contact_name": forms.TextInput(attrs={"dir": "auto"}),
            "contact_phone": forms.TextInput(attrs={"dir": "ltr", "inputmode": "tel", "autocomplete": "off"}),
            "contact_email": forms.EmailInput(attrs={"dir": "ltr"}),
            "code": forms.TextInput(attrs={"dir": "ltr"}),
            "notes": forms.Textarea(attrs={"rows": 3, "dir": "auto"}),
        }

    def __init__(self, *args, authority, **kwargs):
        super().__init__(*args, **kwargs)
        self.authority = authority
        for name in ("students", "staff", "protected_capacity"):
            self.fields[name].label = capfirst(Site._meta.get_field(name).verbose_name)
        self.fields["protected_capacity"].help_text = _("Only for a site that has a protected space.")

    def _others(self):
        sites = Site.objects.filter(authority=self.authority)
        return sites.exclude(pk=self.instance.pk) if self.instance.pk else sites

    def clean_name(self):
        name = normalize_name(self.cleaned_data["name"])
        if self._others().filter(name__iexact=name).exists():
            raise forms.ValidationError(_("There is already a site named “%(name)s” (perhaps archived)."),
                                        params={"name": name}, code="unique")
        return name

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if code and self._others().filter(code__iexact=code).exists():
            raise forms.ValidationError(_("Another site already has the institution code %(code)s."),
                                        params={"code": code}, code="unique")
        return code

    def clean(self):
        data = super().clean()
        if data.get("protected_capacity") and not data.get("has_protected_space"):
            self.add_error("protected_capacity", _("A capacity only makes sense for a site with a protected space: "
                                                   "tick “has a protected space” or leave the capacity empty."))
        return data

    def save(self, commit=True):
        site = super().save(commit=False)
        site.authority = self.authority
        if not site.has_protected_space:
            site.protected_capacity = None
        if commit:
            site.save()
        return site


PROTECTED_CHOICES = [("yes", _("Yes")), ("no", _("No")), ("unknown", _("Don't know"))]
_PROTECTED_VALUES = {"yes": True, "no": False, "unknown": None}


class StatusForm(forms.Form):
    """One screen, one hand: the site's status now and the numbers that matter."""

    status = forms.ChoiceField(label=_("status"), choices=SiteState.choices, widget=forms.RadioSelect,
                               error_messages={"required": _("Choose the site's status.")})
    present = _people(_("present"))
    evacuated = _people(_("evacuated"))
    hosted = _people(_("evacuees hosted"))
    protected_space_available = forms.TypedChoiceField(
        label=_("protected space available"), choices=PROTECTED_CHOICES, widget=forms.RadioSelect,
        coerce=_PROTECTED_VALUES.get, empty_value=None, required=False, initial="unknown",
    )
    note = forms.CharField(label=_("note"), required=False, max_length=MAX_NOTE,
                           widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}))
    submission = forms.UUIDField(required=False, widget=forms.HiddenInput)

    @staticmethod
    def initial_from(status):
        """Start from the last report: the reporter changes only what changed."""
        if status is None:
            return {"protected_space_available": "unknown"}
        protected = {True: "yes", False: "no"}.get(status.protected_space_available, "unknown")
        return {"status": status.status, "present": status.present, "evacuated": status.evacuated,
                "hosted": status.hosted, "protected_space_available": protected}

    def report_fields(self):
        data = self.cleaned_data
        return {name: data[name] for name in ("status", "present", "evacuated", "hosted",
                                              "protected_space_available")} | {"note": data["note"].strip()}


NO_STATUS = "none"
STALE = "stale"


class BoardFilter(forms.Form):
    """The board's filters: GET parameters, so a filtered board is a link to share and works without JS."""

    q = forms.CharField(label=_("search"), required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "dir": "auto"}))
    kind = forms.ChoiceField(label=_("kind"), required=False)
    area = forms.ChoiceField(label=_("area"), required=False)
    status = forms.ChoiceField(label=_("status"), required=False)

    def __init__(self, data, *, areas, with_status=True):
        super().__init__(data)
        self.fields["kind"].choices = [("", _("All kinds"))] + list(SiteKind.choices)
        self.fields["area"].choices = [("", _("All areas"))] + [(a, a) for a in areas]
        if with_status:
            self.fields["status"].choices = [("", _("All statuses"))] + list(SiteState.choices) + [
                (NO_STATUS, _("No status yet")), (STALE, _("Stale (over 48 hours or never)"))]
        else:
            del self.fields["status"]

    def values(self):
        """The valid filters; a value that is not on offer (an old link, a typo) is just ignored."""
        self.is_valid()
        return {name: self.cleaned_data.get(name, "") for name in self.fields}


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel or CSV file"), error_messages={
        "required": _("Choose a file to import."), "empty": _("The file is empty.")},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))


# Common spellings of the kinds in a file, beyond their labels in the three languages.
KIND_ALIASES = {
    "בית ספר": SiteKind.SCHOOL, "בי\"ס": SiteKind.SCHOOL, "ביה\"ס": SiteKind.SCHOOL,
    "مدرسة": SiteKind.SCHOOL,
    "גן": SiteKind.KINDERGARTEN, "גן ילדים": SiteKind.KINDERGARTEN, "روضة": SiteKind.KINDERGARTEN,
    "روضة أطفال": SiteKind.KINDERGARTEN,
    "יחידת נוער": SiteKind.YOUTH_UNIT, "وحدة الشبيبة": SiteKind.YOUTH_UNIT, "وحدة شبيبة": SiteKind.YOUTH_UNIT,
    "מרכז מדעים": SiteKind.STEM_CENTRE, "מרכז STEM": SiteKind.STEM_CENTRE, "מרכז מדע": SiteKind.STEM_CENTRE,
    "مركز علوم": SiteKind.STEM_CENTRE, "مركز STEM": SiteKind.STEM_CENTRE,
    "מתנ\"ס": SiteKind.COMMUNITY_CENTRE, "מרכז קהילתי": SiteKind.COMMUNITY_CENTRE,
    "مركز جماهيري": SiteKind.COMMUNITY_CENTRE,
    "אחר": SiteKind.OTHER, "آخر": SiteKind.OTHER, "أخرى": SiteKind.OTHER,
}


class SiteRowForm(forms.Form):
    """One row of a sites file. Only the columns the file has are in `data`; the importer writes only those."""

    name = NameField(max_length=200)
    kind = LabelChoiceField(choices=SiteKind.choices, aliases=KIND_ALIASES)
    code = forms.CharField(max_length=30, required=False)
    address = forms.CharField(max_length=300, required=False)
    area = forms.CharField(max_length=100, required=False)
    students = forms.IntegerField(min_value=0, max_value=MAX_PEOPLE, required=False)
    staff = forms.IntegerField(min_value=0, max_value=MAX_PEOPLE, required=False)
    contact_name = forms.CharField(max_length=200, required=False)
    contact_phone = forms.CharField(max_length=40, required=False)
    contact_email = forms.EmailField(required=False)
    has_protected_space = YesNoField(required=False)
    protected_capacity = forms.IntegerField(min_value=0, max_value=MAX_PEOPLE, required=False)
    notes = forms.CharField(max_length=5000, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Columns the file does not have are not validated: an update keeps what the site has.
        for name in list(self.fields):
            if name not in self.data:
                del self.fields[name]

    def clean(self):
        data = super().clean()
        # Only when both cells are readable: a bad yes/no has its own message already.
        if "has_protected_space" in data and data.get("protected_capacity") and not data["has_protected_space"]:
            self.add_error("protected_capacity", _("A capacity needs “yes” in the protected space column."))
        return data


def _column(name, *, required=False, he=(), ar=(), en=(), help="", choices=()):
    return ImportColumn(name, Site._meta.get_field(name).verbose_name, required=required,
                        headers={"he": he, "ar": ar, "en": en}, help=help, choices=choices)


class SiteImporter(Importer):
    """Sites from Excel or CSV. A row updates the site with its institution code, else the site with its
    name; any other row adds a new site."""

    sheet_title = "sites"
    form_class = SiteRowForm
    unique = ("name", "code")
    columns = [
        _column("name", required=True, he=("שם המוסד", "שם", "שם האתר"), ar=("اسم المؤسسة", "الاسم", "اسم"),
                en=("site", "site name"), help=_("Required. Unique in the authority.")),
        _column("kind", required=True, he=("סוג", "סוג המוסד"), ar=("النوع", "نوع المؤسسة"), en=("type",),
                help=_("Required. One of:"), choices=SiteKind.labels),
        _column("code", he=("סמל מוסד", "סמל", "קוד מוסד"), ar=("رمز المؤسسة", "الرمز"),
                en=("code", "institution code"), help=_("Optional; when given, a row updates the site with it.")),
        _column("address", he=("כתובת",), ar=("العنوان",)),
        _column("area", he=("אזור", "שכונה", "אזור / שכונה"), ar=("المنطقة", "الحي")),
        _column("students", he=("תלמידים", "מספר תלמידים"), ar=("الطلاب", "عدد الطلاب"),
                help=_("A whole number.")),
        _column("staff", he=("צוות", "אנשי צוות", "מספר אנשי צוות"), ar=("الطاقم", "عدد أفراد الطاقم"),
                help=_("A whole number.")),
        _column("contact_name", he=("איש קשר", "שם איש קשר"), ar=("جهة الاتصال", "اسم جهة الاتصال"),
                en=("contact",)),
        _column("contact_phone", he=("טלפון", "טלפון איש קשר"), ar=("الهاتف", "هاتف جهة الاتصال"), en=("phone",)),
        _column("contact_email", he=("דוא\"ל", "אימייל", "דואר אלקטרוני"), ar=("البريد الإلكتروني",),
                en=("email", "e-mail")),
        _column("has_protected_space", he=("מרחב מוגן", "יש מרחב מוגן"), ar=("حيز محمي", "يوجد حيز محمي"),
                en=("protected space",), help=_("yes or no"), choices=(_("yes"), _("no"))),
        _column("protected_capacity", he=("קיבולת מרחב מוגן", "קיבולת"), ar=("سعة الحيز المحمي", "السعة"),
                en=("capacity",), help=_("How many people the protected space holds.")),
        _column("notes", he=("הערות",), ar=("ملاحظات",)),
    ]

    def match(self, rows, result):
        authority = self.context["authority"]
        existing = list(Site.objects.filter(authority=authority))
        by_code = {s.code.casefold(): s for s in existing if s.code}
        by_name = {s.name.casefold(): s for s in existing}
        claimed: dict[int, int] = {}
        for row in rows:
            name, code = row.values["name"], row.values.get("code", "")
            target = by_code.get(code.casefold()) if code else None
            if target is None:
                target = by_name.get(name.casefold())
                if target is not None and code and target.code:
                    result.errors.append(RowError(row.number, self.header_for("code"), gettext(
                        "The site “%(name)s” has the institution code %(code)s, not this one.") % {
                        "name": target.name, "code": target.code}))
                    continue
            if target is not None:
                if target.pk in claimed:
                    result.errors.append(RowError(row.number, "", gettext(
                        "This row and row %(row)d are the same site (“%(name)s”).") % {
                        "row": claimed[target.pk], "name": target.name}))
                    continue
                other = by_name.get(name.casefold())
                if other is not None and other.pk != target.pk:
                    result.errors.append(RowError(row.number, self.header_for("name"), gettext(
                        "Another site is already named “%(name)s”.") % {"name": other.name}))
                    continue
                claimed[target.pk] = row.number
            has_space = row.values.get("has_protected_space", target.has_protected_space if target else False)
            capacity = row.values.get("protected_capacity", target.protected_capacity if target else None)
            if capacity and not has_space:
                result.errors.append(RowError(row.number, self.header_for("protected_capacity"), gettext(
                    "A capacity only makes sense for a site with a protected space.")))
                continue
            row.target = target

    def write(self, rows):
        authority = self.context["authority"]
        created, changed = [], []
        fields = {name for row in rows for name in row.values}
        for row in rows:
            values = dict(row.values)
            if values.get("has_protected_space") is False:
                values["protected_capacity"] = None
            if row.target is None:
                created.append(Site(authority=authority, **values))
                continue
            site = row.target
            if any(getattr(site, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(site, name, value)
                changed.append(site)
        if "has_protected_space" in fields:
            fields.add("protected_capacity")
        if created:
            bulk_create_with_history(created, Site, batch_size=500, default_user=self.user)
        if changed:
            bulk_update_with_history(changed, Site, sorted(fields), batch_size=500, default_user=self.user)
        return {"created": len(created), "updated": len(changed), "unchanged": len(rows) - len(created) - len(changed)}
