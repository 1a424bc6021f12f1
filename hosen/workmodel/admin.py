"""Network admins edit the model's content here. Answers point at items by key, so edits never touch
them; each saved edit bumps the content's edit counter. The private check-in is deliberately absent."""

from django.contrib import admin
from django.db.models import F

from .models import (
    Action,
    ChecklistItem,
    Component,
    ContentVersion,
    DesignPhase,
    FieldVoice,
    GuidingQuestion,
    LeadershipLevel,
    ModelText,
    Principle,
    Stage,
)


class ContentAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        ContentVersion.objects.filter(pk=ContentVersion.current().pk).update(edits=F("edits") + 1)


class ActionInline(admin.TabularInline):
    model = Action
    extra = 0


class FieldVoiceInline(admin.StackedInline):
    model = FieldVoice
    extra = 0


class QuestionInline(admin.TabularInline):
    model = GuidingQuestion
    extra = 0


@admin.register(Stage)
class StageAdmin(ContentAdmin):
    list_display = ["key", "title_he", "title_en"]
    inlines = [FieldVoiceInline]


@admin.register(Component)
class ComponentAdmin(ContentAdmin):
    list_display = ["key", "title_he", "title_en"]
    inlines = [ActionInline]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(ContentAdmin):
    list_display = ["number", "component", "text_he"]
    readonly_fields = ["number", "kind"]


@admin.register(DesignPhase)
class DesignPhaseAdmin(ContentAdmin):
    list_display = ["key", "name_he", "name_en"]
    inlines = [QuestionInline]


@admin.register(Principle)
class PrincipleAdmin(ContentAdmin):
    list_display = ["key", "title_he", "title_en"]


@admin.register(LeadershipLevel)
class LeadershipLevelAdmin(ContentAdmin):
    list_display = ["key", "style_key", "style_he"]


@admin.register(ModelText)
class ModelTextAdmin(ContentAdmin):
    list_display = ["key", "text_he"]


@admin.register(ContentVersion)
class ContentVersionAdmin(admin.ModelAdmin):
    list_display = ["version", "edits", "updated_at"]
    readonly_fields = ["version", "edits", "updated_at"]
