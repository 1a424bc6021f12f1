from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from hosen.tenancy.models import Authority

from .models import Role, User


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=[(Role.TEAM, Role.TEAM.label), (Role.VIEWER, Role.VIEWER.label)])

    def __init__(self, *args, authority=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.authority = authority

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if self.authority and self.authority.memberships.filter(user__email=email).exists():
            raise forms.ValidationError(_("This person is already a member of this authority."))
        return email


class NetworkInviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    authority = forms.ModelChoiceField(label=_("Authority"), queryset=Authority.objects.none())

    def __init__(self, *args, authorities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authority"].queryset = authorities

    def clean(self):
        data = super().clean()
        if data.get("authority") and data.get("email") and data["authority"].memberships.filter(
                user__email=data["email"].lower()).exists():
            raise forms.ValidationError(_("This person is already a member of this authority."))
        return data


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label=_("Password again"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, email="", **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords are not the same."))
        elif data.get("password1"):
            try:
                password_validation.validate_password(data["password1"], User(email=self.email,
                                                                               full_name=data.get("full_name", "")))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data
