"""A model field's choice label, read straight from its choices enum.

Django's get_<field>_display builds a dict of all the field's choices on every call, hashing each lazy label,
which translates it: a category with a dozen choices is a dozen translations for one label. A list page of fifty
cards asks for some two hundred labels, and that was a tenth of its time. Models define their own
get_<field>_display with this (Django keeps a method the class defines itself), and it answers the same.
"""


def choice_label(choices, value):
    """The translated label of `value` among `choices` (a Choices enum); a value that is not one, as it is."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value
