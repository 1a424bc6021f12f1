from django.contrib import admin

from .models import Authority, Cluster, Network

admin.site.register(Network)
admin.site.register(Cluster)


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "cluster"]
    prepopulated_fields = {"slug": ["name"]}
