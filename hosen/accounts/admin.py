from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from hosen.workmodel.admin_privacy import HidePrivateOnDelete

from .models import Invitation, Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(User)
class UserAdmin(HidePrivateOnDelete, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password", "full_name", "language"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "role", "authority", "created_at", "accepted_at"]
    exclude = ["token"]
