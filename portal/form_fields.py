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
from wtforms import fields, widgets
from wtforms.widgets.core import clean_key


def html_params(**attributes) -> Markup:
    parts = []
    for name, value in sorted(attributes.items()):
        if value is True:
            parts.append(clean_key(name))
        elif value is not False:
            parts.append(f'{clean_key(name)}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return Markup(" ".join(parts))


def _with_fast_attributes(widget_class):
    return type(widget_class.__name__, (widget_class,),
                {"html_params": staticmethod(html_params), "__module__": __name__})


TextInput = _with_fast_attributes(widgets.TextInput)
PasswordInput = _with_fast_attributes(widgets.PasswordInput)
EmailInput = _with_fast_attributes(widgets.EmailInput)
HiddenInput = _with_fast_attributes(widgets.HiddenInput)
CheckboxInput = _with_fast_attributes(widgets.CheckboxInput)
SubmitInput = _with_fast_attributes(widgets.SubmitInput)
DateTimeLocalInput = _with_fast_attributes(widgets.DateTimeLocalInput)


class StringField(fields.StringField):
    widget = TextInput()


class PasswordField(fields.PasswordField):
    widget = PasswordInput()


class EmailField(fields.EmailField):
    widget = EmailInput()


class HiddenField(fields.HiddenField):
    widget = HiddenInput()


class BooleanField(fields.BooleanField):
    widget = CheckboxInput()


class SubmitField(fields.SubmitField):
    widget = SubmitInput()


class DateTimeLocalField(fields.DateTimeLocalField):
    widget = DateTimeLocalInput()
