from django.contrib import admin

from hosen.workmodel.admin_privacy import HidePrivateOnDelete

from .models import Authority, Cluster, Network

admin.site.register(Network)
admin.site.register(Cluster)


@admin.register(Authority)
class AuthorityAdmin(HidePrivateOnDelete, admin.ModelAdmin):
    list_display = ["name", "slug", "cluster"]
    prepopulated_fields = {"slug": ["name"]}
