"""The pages of the sign-in load test as a browser reads them and a person fills them in (bench/locustfile.py).

Kept apart from the locustfile, which cannot be imported without gevent patching the whole process, so that
tests/test_bench_signin.py can run these same functions against the real pages: a changed form then fails a
test instead of the next load test.
"""

import base64
import hashlib
import hmac
import re
import struct
import time
from html import unescape

AUDIENCES = ["students", "teams", "parents", "community", "site"]
CATEGORIES = ["equipment", "learning", "emotional", "staff", "space", "food", "transport", "other"]
SITE_STATES = ["open", "partial", "remote", "closed", "damaged", "hosting"]
NEED_WORDS = ("מחשבים ניידים לתלמידי כיתה ח׳", "ליווי רגשי לצוות ההוראה", "הסעה למרכז הלמידה החלופי",
              "ערכות ניסויים למרחב המוגן", "חבילות מזון למשפחות המפונות", "מתנדבים לשיעורי תגבור במתמטיקה")

CSRF = 'name="csrfmiddlewaretoken"'
SUBMISSION = 'name="submission"'  # the create forms' write-once key (hosen/integrity/submissions.py)

# Where each form sends a person when it did what she asked (anything else is a failure).
PASSWORD_ACCEPTED = r"^/(?!accounts/login)"  # the code page, or the landing page without two-step sign-in
CODE_ACCEPTED = r"^/(?!accounts/)"
REPORT_SENT = r"\?sent=[0-9a-f-]+$"


def need_added(base: str) -> str:
    return rf"^{re.escape(base)}needs/#need-\d+$"


def totp_code(secret: str, at: float | None = None) -> str:
    """RFC 6238 (SHA-1, 6 digits, 30 s), as an authenticator app computes it."""
    counter = int(time.time() if at is None else at) // 30
    digest = hmac.new(base64.b32decode(secret, casefold=True), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def form_fields(html: str, marker: str = CSRF) -> dict:
    """The hidden fields of the page's first POST form holding `marker`, as a browser sends them back."""
    for form in re.findall(r'<form[^>]*method="post".*?</form>', html, re.S | re.I):
        if marker in form:
            return {unescape(name): unescape(value) for name, value in re.findall(
                r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form)}
    return {}


def select_options(html: str, name: str) -> list[str]:
    found = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    return re.findall(r'<option value="(\d+)"', found.group(0)) if found else []


def need_links(html: str, base: str) -> list[str]:
    """The needs a list links to, by number."""
    return re.findall(rf'href="{re.escape(base)}needs/(\d+)/"', html)


def new_need(html: str, rnd) -> dict:
    """The new-need form filled in: its hidden fields (the submission key among them) and a need."""
    fields = form_fields(html, SUBMISSION)
    sites = select_options(html, "site")
    audience = rnd.choice(AUDIENCES if sites else AUDIENCES[:-1])
    fields.update({
        "audience": audience, "site": rnd.choice(sites) if audience == "site" else "",
        "category": rnd.choice(CATEGORIES), "description": rnd.choice(NEED_WORDS),
        "quantity": str(rnd.randint(1, 400)) if rnd.random() < 0.7 else "",
        "urgency": str(rnd.randint(1, 4)), "source": "מנהלת בית הספר",
    })
    if rnd.random() < 0.3:
        fields["is_emerging"] = "on"
    return fields


def quick_report(html: str, rnd) -> dict:
    """The quick-report form filled in: a site's status, and now and then an urgent need."""
    fields = form_fields(html, SUBMISSION)
    fields.update({"status": rnd.choice(SITE_STATES), "present": str(rnd.randint(0, 600)),
                   "evacuated": str(rnd.randint(0, 50)), "hosted": "", "protected_space": "yes",
                   "note": "דיווח בוקר", "reporter_name": "רכזת השטח"})
    sites = select_options(html, "site")
    if sites:
        fields["site"] = rnd.choice(sites)
    if rnd.random() < 0.3:
        fields.update({"need_categories": rnd.choice(CATEGORIES), "need_description": rnd.choice(NEED_WORDS),
                       "urgency": "4"})
    return fields


BROWSED = {"": "authority home", "needs/": "needs list", "needs/new/": "new need: form", "sites/": "sites board",
           "checklist/": "checklist"}


def page_name(path: str, base: str) -> str:
    """The name a page is counted under: the browsed pages by their names, any other by its path."""
    path = path.split("?", 1)[0].split("#", 1)[0]
    if path == "/":
        return "home"
    if path.startswith("/two-step/"):
        return "two-step: set-up page"
    rest = path.removeprefix(base) if path.startswith(base) else None
    if rest in BROWSED:
        return BROWSED[rest]
    if rest is not None and re.fullmatch(r"needs/\d+/", rest):
        return "a need"
    return path
