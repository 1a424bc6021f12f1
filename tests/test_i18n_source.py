"""Interface strings reach the catalogs only as literal gettext arguments.

makemessages (xgettext) does not look inside f-strings, so `f"{_('Text')}"` is never extracted and shows in
English in Hebrew and Arabic; and a msgid built before translation (`_(f"…")`, `_("… %s" % x)`,
`_("…".format(x))`) can never match a catalog entry. This walks every module under hosen/ with `ast` and
names each such call, so CI stops it before a user sees it.
"""

import ast
from pathlib import Path

HOSEN = Path(__file__).resolve().parent.parent / "hosen"

GETTEXT_NAMES = {
    "_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy",
    "npgettext", "npgettext_lazy", "_lazy", "_noop",
}


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):  # translation.gettext(...)
        return call.func.attr
    return None


def _is_gettext(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and _called_name(node) in GETTEXT_NAMES


def _formatted_before_translation(arg: ast.AST) -> str | None:
    if isinstance(arg, ast.JoinedStr):
        return "an f-string as msgid"
    if isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Mod) and isinstance(arg.left, ast.Constant):
        return "a msgid %-formatted before translation (format after: _(\"… %(x)s\") % {...})"
    if (isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute) and arg.func.attr == "format"
            and isinstance(arg.func.value, ast.Constant)):
        return "a msgid .format()-ed before translation"
    if isinstance(arg, ast.BinOp) and isinstance(arg.op, ast.Add):
        return "a msgid joined with + (xgettext reads only literals)"
    return None


def problems_in_source(source: str, filename: str = "<source>") -> list[str]:
    """Each gettext call that cannot be extracted or cannot match its catalog entry, as "file:line: why"."""
    found = []
    tree = ast.parse(source, filename)
    for node in ast.walk(tree):
        if isinstance(node, ast.FormattedValue):
            for inner in ast.walk(node.value):
                if _is_gettext(inner):
                    found.append(f"{filename}:{inner.lineno}: {_called_name(inner)}() inside an f-string "
                                 "is never extracted (use _(\"… %(x)s\") % {...})")
        elif _is_gettext(node):
            for arg in node.args:
                why = _formatted_before_translation(arg)
                if why:
                    found.append(f"{filename}:{node.lineno}: {_called_name(node)}() gets {why}")
    return found


def test_no_gettext_call_in_or_around_a_formatted_string():
    found = []
    for path in sorted(HOSEN.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        found += problems_in_source(path.read_text(encoding="utf-8"), str(path.relative_to(HOSEN.parent)))
    assert not found, "\n".join(found)


# The check itself: each form it must catch, and the right ways it must let pass.
def test_the_check_catches_each_wrong_form():
    for wrong in (
        "x = f\"• {_('Not updated in 48 hours')}: {n}\"",
        "x = f\"{gettext('Hours')}\"",
        "x = f\"{ngettext('%(n)d hour', '%(n)d hours', n) % {'n': n}}\"",
        "x = _(f'{n} hours')",
        "x = gettext_lazy('%s hours' % n)",
        "x = _('{} hours'.format(n))",
        "x = translation.pgettext('time', f'{n}')",
        "x = _('Not updated ' + 'in 48 hours')",
    ):
        assert problems_in_source(wrong), wrong


def test_the_check_lets_the_right_forms_pass():
    for right in (
        "x = _('Situation update, %(when)s') % {'when': w}",
        "x = '• ' + _('No status yet') + f': {n}'",
        "x = ngettext('%(count)d site', '%(count)d sites', n) % {'count': n}",
        "x = f'{label}: {count}'",
        "x = pgettext_lazy('status', 'Open')",
    ):
        assert not problems_in_source(right), right
