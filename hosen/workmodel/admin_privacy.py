"""The admin never shows that private records exist: not registered, and not in a delete confirmation.

Django's delete confirmation (and the "delete selected" action) lists, and counts by kind, every record the
deletion cascades to. Deleting a user, an authority, a cluster or a network cascades to the private check-ins
of the people there, so the page would say how many check-ins someone wrote. Every admin of a model whose
deletion reaches a private model uses `HidePrivateOnDelete` (tests/test_checkin_admin.py finds them all);
the check-ins are still deleted, only not shown.
"""

from django.contrib.admin.utils import NestedObjects, quote
from django.db import router
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import capfirst

from .models import CheckIn

PRIVATE_MODELS = (CheckIn,)


class _CollectorWithoutPrivate(NestedObjects):
    """Django's collector for the confirmation page, not descending into private models."""

    def related_objects(self, related_model, related_fields, objs):
        if issubclass(related_model, PRIVATE_MODELS):
            return related_model._base_manager.none()
        return super().related_objects(related_model, related_fields, objs)


def deleted_objects_without_private(objs, request, admin_site):
    """django.contrib.admin.utils.get_deleted_objects (Django 5.2), with the collector above."""
    try:
        obj = objs[0]
    except IndexError:
        return [], {}, set(), []
    collector = _CollectorWithoutPrivate(using=router.db_for_write(obj._meta.model), origin=objs)
    collector.collect(objs)
    perms_needed = set()

    def format_callback(obj):
        opts = obj._meta
        no_edit_link = f"{capfirst(opts.verbose_name)}: {obj}"
        if not admin_site.is_registered(obj.__class__):
            return no_edit_link
        if not admin_site.get_model_admin(obj.__class__).has_delete_permission(request, obj):
            perms_needed.add(opts.verbose_name)
        try:
            url = reverse(f"{admin_site.name}:{opts.app_label}_{opts.model_name}_change", None, (quote(obj.pk),))
        except NoReverseMatch:
            return no_edit_link
        return format_html('{}: <a href="{}">{}</a>', capfirst(opts.verbose_name), url, obj)

    to_delete = collector.nested(format_callback)
    protected = [format_callback(obj) for obj in collector.protected]
    model_count = {model._meta.verbose_name_plural: len(found) for model, found in collector.model_objs.items()}
    return to_delete, model_count, perms_needed, protected


class HidePrivateOnDelete:
    """ModelAdmin mixin: the delete confirmation and "delete selected" leave private records out."""

    def get_deleted_objects(self, objs, request):
        return deleted_objects_without_private(objs, request, self.admin_site)
