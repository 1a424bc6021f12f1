"""For tests: send a form as a browser would — the values the page holds (hidden version and submission key
included), with the user's changes on top."""

from html.parser import HTMLParser


class _Form:
    def __init__(self, attrs):
        self.attrs = attrs
        self.fields = []  # [(name, value)] in page order
        self.names = set()
        self._select = None  # (name, multiple, [(value, selected)])
        self._textarea = None  # [name, text]


class _Forms(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.current = [], None

    def handle_starttag(self, tag, attrs):
        attrs = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self.current = _Form(attrs)
            self.forms.append(self.current)
            return
        form = self.current
        if form is None or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            form.names.add(name)
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    form.fields.append((name, attrs.get("value", "on")))
            elif kind not in ("submit", "button", "image", "reset", "file"):
                form.fields.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            form.names.add(name)
            form._select = (name, "multiple" in attrs, [])
        elif tag == "option" and form._select is not None:
            form._select[2].append([attrs.get("value"), "selected" in attrs, ""])
        elif tag == "textarea" and name:
            form.names.add(name)
            form._textarea = [name, ""]

    def handle_data(self, data):
        form = self.current
        if form is None:
            return
        if form._textarea is not None:
            form._textarea[1] += data
        elif form._select is not None and form._select[2]:
            form._select[2][-1][2] += data

    def handle_endtag(self, tag):
        form = self.current
        if form is None:
            return
        if tag == "form":
            self.current = None
        elif tag == "textarea" and form._textarea is not None:
            name, text = form._textarea
            form.fields.append((name, text[1:] if text.startswith("\n") else text))
            form._textarea = None
        elif tag == "select" and form._select is not None:
            name, multiple, options = form._select
            chosen = [o for o in options if o[1]] or ([] if multiple else options[:1])
            form.fields.extend((name, o[0] if o[0] is not None else o[2].strip()) for o in chosen)
            form._select = None


def page_forms(html: str) -> list[_Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def form_data(html: str, *, having: str | None = None, action: str | None = None, **changes) -> dict:
    """The data of the page's first POST form that has a field named `having` (or the given action; by default
    the first that carries a submission key or a version), as a browser would send it, with `changes` on top
    (a list value sends the name several times; None drops it)."""
    forms = [f for f in page_forms(html) if f.attrs.get("method", "get").lower() == "post"]
    if having is None and action is None:
        # The page's own form, not the sign-out and language forms every page has.
        forms = [f for f in forms if f.names & {"submission", "version"}] or forms
    for form in forms:
        if having is not None and having not in form.names:
            continue
        if action is not None and form.attrs.get("action") != action:
            continue
        data = {}
        for name, value in form.fields:
            if name in data:
                data[name] = (data[name] if isinstance(data[name], list) else [data[name]]) + [value]
            else:
                data[name] = value
        for name, value in changes.items():
            if value is None:
                data.pop(name, None)
            else:
                data[name] = value
        return data
    raise AssertionError(f"no POST form with a field {having!r} / action {action!r} on the page")


def loaded(client, url: str, *, having: str | None = None, form_action: str | None = None, **changes) -> dict:
    """GET the page and return its form's data with `changes`, ready to POST (`form_action` picks the form
    by its action, so that a field named "action" can still be changed)."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return form_data(response.content.decode(), having=having, action=form_action, **changes)


def with_version(record, data: dict | None = None, *, form=None, **more) -> dict:
    """POST data for a change of `record` as loaded now: `data` and `more` with the record's version — the
    whole record's for an in-place change, or, with `form` (a VersionedForm class), the fields it edits."""
    from django_scopes import scopes_disabled

    from .versions import VERSION_FIELD, version_of

    with scopes_disabled():
        fresh = type(record)._base_manager.get(pk=record.pk)
        version = form.version_for(fresh) if form is not None else version_of(fresh)
        return {**(data or {}), **more, VERSION_FIELD: version}
