"""What was typed survives a forced sign-in: a form sent after the session ended (a sign-out in another tab,
an expired session) is kept in the new session, and after signing in the user is back on the form with
their text in it, to check and send again. Nothing is saved on their behalf before they see it."""

from django.contrib import messages
from django.http import QueryDict
from django.utils.translation import gettext as _

SESSION_KEY = "hosen_unsent"
# Enough for any of Hosen's forms; a larger body (an upload) is not kept in the session.
MAX_KEPT = 64_000
NOT_KEPT = {"csrfmiddlewaretoken"}


def keep_unsent(request):
    if request.FILES:
        return
    data = [(name, value) for name in request.POST if name not in NOT_KEPT for value in request.POST.getlist(name)]
    if sum(len(name) + len(value) for name, value in data) > MAX_KEPT:
        return
    kept = dict(request.session.get(SESSION_KEY, {}))
    kept[request.path] = data
    request.session[SESSION_KEY] = kept


def restore_unsent(request) -> bool:
    """On the form's page after signing in: the kept text becomes the form's data, shown, not saved."""
    kept = request.session.get(SESSION_KEY)
    if not kept or request.path not in kept:
        return False
    kept = dict(kept)
    data = kept.pop(request.path)
    request.session[SESSION_KEY] = kept
    restored = QueryDict(mutable=True)
    for name, value in data:
        restored.appendlist(name, value)
    restored._mutable = False
    request.POST = restored
    messages.info(request, _("You were signed out while writing. What you typed is back in the form: check it "
                             "and send it again."))
    return True


# What the browser keeps of a staff form while it is typed (hosen.js, "page:" + the form's path) is forgotten
# once the form is saved: the page after the save tells it which forms went through.
SAVED_KEY = "hosen_saved_forms"


def mark_saved(request):
    # Staff forms only: the public forms forget their drafts on their thank-you page, and a visitor
    # without an account gets no session for this.
    if not hasattr(request, "session") or not request.user.is_authenticated:
        return
    saved = [path for path in request.session.get(SAVED_KEY, []) if path != request.path][-9:]
    request.session[SAVED_KEY] = saved + [request.path]


def take_saved(request) -> list[str]:
    if not hasattr(request, "session") or SAVED_KEY not in request.session:
        return []
    return request.session.pop(SAVED_KEY)
