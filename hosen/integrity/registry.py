"""What the no-lost-work tests drive: every edit and every create of every register, described once.

Apps describe their own writes in `hosen/<app>/tests/writes*.py` (like the permission matrix):

- `EDITS`: `Edit` entries — a form that edits a stored record. Two people open it; the second save must
  show a conflict with both texts, change nothing, and apply when sent again from the conflict view.
- `IN_PLACE`: `InPlace` entries — a one-tap change (a status button). A tap on a page loaded before
  someone else's change must not apply, and must say so.
- `CREATES`: `Create` entries — a form that adds a record. The same form sent three times, and sent again
  after going back and reloading, adds one record.
- `OTHER_WRITES`: {url name: why it is neither} — revocations and the like, so that the coverage test can
  tell a forgotten write from one that needs none of this.

Every authority URL that takes a POST in the permission matrix must be in one of these.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Edit:
    url_name: str
    make: Callable  # make(cast) -> (url kwargs, the record)
    first: dict  # what the first person changes (field name -> value)
    second: dict  # what the second person, on the stale page, changes
    read: Callable  # read(record) -> the value the changes above are seen in
    having: str | None = None  # a field name that picks the form on the page
    page: Callable | None = None  # page(cast, kwargs) -> URL of the page holding the form, when not the POST URL
    htmx: bool = False
    users: tuple = ("team", "manager")  # who saves first, and who saves on the stale page

    @property
    def id(self):
        return self.url_name


@dataclass
class InPlace:
    url_name: str
    make: Callable  # make(cast) -> (url kwargs, the record)
    page: Callable  # page(cast, kwargs) -> URL of the page that shows the button's form
    first: dict  # the first tap's fields
    second: dict  # the second tap's fields (on the stale page)
    read: Callable  # read(record) -> value
    having: str | None = None
    action: Callable | None = None  # action(cast, kwargs) -> the form's action, to pick it on the page
    htmx: bool = True
    users: tuple = ("team", "manager")

    @property
    def id(self):
        return self.url_name


@dataclass
class Create:
    url_name: str
    count: Callable  # count(cast) -> number of records of the kind this form adds
    fill: dict = field(default_factory=dict)
    make: Callable | None = None  # make(cast) -> url kwargs, when the URL needs some
    having: str | None = None
    page: Callable | None = None
    user: str = "manager"
    reload: bool = True  # whether the page can be loaded again after the create (an emergency's cannot)

    @property
    def id(self):
        return self.url_name
