"""The network admin's review of the skills authorities typed: each stays its authority's own until the network
admin adds it to the shared vocabulary, with its names in Hebrew, Arabic and English. The copies of the same
name in several authorities become the one shared skill, and the people who held them hold it.

One form per name. It carries a submission key (sent twice, it adds once) and the version of what the page
showed of that name — which authorities had it, under which names — so that a page loaded before another
admin's change, or before another authority typed the same name, does not act on what it did not show.
"""

import hashlib

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scopes_disabled

from hosen.field.models import NeedCategory
from hosen.integrity.submissions import write_view
from hosen.names import NameField
from hosen.tenancy.views import _network_admin_authorities

from . import skills as vocabulary
from .models import Skill

PER_PAGE = 30


def _name_field(label):
    return NameField(label=label, max_length=vocabulary.NAME_MAX, widget=forms.TextInput(attrs={"dir": "auto"}),
                     error_messages={"required": gettext_lazy("Write the skill's name in each of the three "
                                                              "languages.")})


class SharedSkillForm(forms.Form):
    """A skill an authority typed, as the shared vocabulary will name it."""

    name_key = forms.CharField(widget=forms.HiddenInput, max_length=120)
    version = forms.CharField(widget=forms.HiddenInput, max_length=40, required=False)
    name_he = _name_field(gettext_lazy("Name in Hebrew"))
    name_ar = _name_field(gettext_lazy("Name in Arabic"))
    name_en = _name_field(gettext_lazy("Name in English"))
    categories = forms.MultipleChoiceField(
        label=gettext_lazy("Needs it can answer"), choices=NeedCategory.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("The matching suggests people with this skill for needs of these categories."))

    def names(self):
        return {lang: self.cleaned_data[f"name_{lang}"] for lang in ("he", "ar", "en")}


def group_version(copies) -> str:
    """What the page showed of one name: which authorities' skills, under which names."""
    shown = sorted((skill.pk, skill.authority_id, skill.name_he, skill.name_ar, skill.name_en) for skill in copies)
    return hashlib.blake2b(repr(shown).encode(), digest_size=10).hexdigest()


def _groups(authorities, bound=None):
    """The names typed in these authorities, each with its copies, its version and its form (`bound`: the
    form just sent, shown again in place of its name's)."""
    groups = vocabulary.authorities_skills(authorities)
    for group in groups:
        group["version"] = group_version(group["skills"])
        if bound is not None and bound.data.get("name_key") == group["name_key"]:
            group["form"] = bound
        else:
            name = group["name"]
            group["form"] = SharedSkillForm(initial={
                "name_key": group["name_key"], "version": group["version"], "name_he": name, "name_ar": name,
                "name_en": name}, auto_id=f"id_%s_{group['skills'][0].pk}")
    return groups


def _page(request, authorities, bound=None, status=200):
    groups = _groups(authorities, bound)
    page = Paginator(groups, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "resources/network_skills.html", {"page": page, "groups": page.object_list,
                                                              "count": len(groups)}, status=status)


def _stale(request, authorities, form, copies):
    """The page showed this name otherwise than it is now: nothing is done; the names typed are kept."""
    if not copies:
        if Skill.objects.filter(authority__isnull=True, name_key=form.cleaned_data["name_key"]).exists():
            messages.info(request, _("This skill was added to the shared list meanwhile."))
        else:
            messages.warning(request, _("No authority has this skill any more, so nothing was done."))
        return redirect("tenancy:network_skills")
    data = form.data.copy()
    data["version"] = group_version(copies)
    retry = SharedSkillForm(data)
    retry.full_clean()
    retry.add_error(None, _("This skill changed meanwhile (another authority typed it too, or its names were "
                            "changed), so nothing was done. Check it as it is now and send again."))
    return _page(request, authorities, retry, status=409)


@login_required
@write_view
def network_skills(request):
    authorities = _network_admin_authorities(request)
    if request.method != "POST":
        with scopes_disabled():
            return _page(request, authorities)
    form = SharedSkillForm(request.POST)
    with scopes_disabled():
        if not form.is_valid():
            return _page(request, authorities, form, status=422)
        copies = list(Skill.objects.select_for_update().filter(authority__in=authorities,
                                                                name_key=form.cleaned_data["name_key"])
                      .order_by("pk"))
        if group_version(copies) != form.cleaned_data["version"]:
            return _stale(request, authorities, form, copies)
        try:
            shared = vocabulary.promote(copies, form.names(), form.cleaned_data["categories"])
        except vocabulary.NameTaken as taken:
            form.add_error(None, _("Two skills of the shared list already have these names (“%(one)s” and "
                                   "others): give this skill names of its own.") % {"one": taken.skill.tr("name")})
            return _page(request, authorities, form, status=422)
    if shared.pk in {copy.pk for copy in copies}:
        messages.success(request, _("“%(name)s” is now in the shared list: every authority can choose it.")
                         % {"name": shared.tr("name")})
    else:
        messages.success(request, _("“%(name)s” was already in the shared list: the people who had the "
                                    "authorities' skill now have it.") % {"name": shared.tr("name")})
    return redirect("tenancy:network_skills")
