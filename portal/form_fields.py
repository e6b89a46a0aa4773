"""The form fields every portal form is made of: WTForms' own, with widgets that join HTML attributes as escaped
text.

WTForms 3.3 builds each attribute of a rendered field with `Markup.format` (wtforms#907), a pure-Python string
formatter that was about a quarter of the CPU of a sign-in page (bench/README.md). Each widget here is WTForms' own
with only its `html_params` swapped (the static method WTForms' input widgets render their attributes with) for
`html_params` below, which returns the same markup: attributes sorted by name, `True` written as a bare
attribute, `False` left out, every value escaped, with its double quotes as `&quot;` even when the value is
already markup (tests/security/test_form_fields.py compares the two).
"""
from markupsafe import Markup, escape
from wtforms import fields
from wtforms.widgets.core import clean_key


def html_params(**attributes) -> Markup:
    parts = []
    for name, value in sorted(attributes.items()):
        if value is True:
            parts.append(clean_key(name))
        elif value is not False:
            parts.append(f'{clean_key(name)}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return Markup(" ".join(parts))


def _with_fast_widget(field_class):
    """`field_class` under its own name, rendered by its own widget class with only `html_params` swapped (each of
    these widgets is made with no arguments, as WTForms' fields make theirs)."""
    stock = type(field_class.widget)
    widget = type(stock.__name__, (stock,), {"html_params": staticmethod(html_params), "__module__": __name__})
    return type(field_class.__name__, (field_class,), {"widget": widget(), "__module__": __name__})


StringField = _with_fast_widget(fields.StringField)
PasswordField = _with_fast_widget(fields.PasswordField)
EmailField = _with_fast_widget(fields.EmailField)
HiddenField = _with_fast_widget(fields.HiddenField)
BooleanField = _with_fast_widget(fields.BooleanField)
SubmitField = _with_fast_widget(fields.SubmitField)
DateTimeLocalField = _with_fast_widget(fields.DateTimeLocalField)
