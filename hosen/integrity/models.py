"""The ledger of sent forms: a form's submission key is written here in the same transaction as what the
form creates, so the same form sent again (a double tap, back-then-send, a retry after a lost answer)
finds the first result instead of creating a second record."""

from django.conf import settings
from django.db import models


class Submission(models.Model):
    # The form's own key (a UUID rendered into the page); empty for a client that sent none, which is then
    # recognised by its content alone.
    key = models.UUIDField(unique=True, null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    path = models.CharField(max_length=500)
    # What was sent, hashed: the same content on the same page by the same person within a few minutes is the
    # same submission even when the page was loaded again in between (and so carries a new key).
    content_hash = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # The first answer, given again to a resend: a redirect's target, or a fragment's HTML for htmx.
    status = models.PositiveSmallIntegerField(default=0)
    location = models.CharField(max_length=1000, blank=True)
    body = models.TextField(blank=True)
    content_type = models.CharField(max_length=100, blank=True)

    class Meta:
        indexes = [models.Index(fields=["path", "content_hash"], name="submission_content")]

    def __str__(self):
        return f"{self.path} {self.key or self.content_hash}"
