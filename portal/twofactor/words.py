"""Lazy words that are also plain English strings.

`lazy_gettext` here is Flask-Babel's lazy_gettext for the messages the rest of the portal (and outside code) may
treat as str: compare with `==`, look for with `in`, use as a dict key. The value is a `Text`, a str holding the
English message; shown to someone (`str()`, a template's `{{ }}` with or without autoescape, `format()`), it is
translated at that moment, in the language of the page or mail. str methods (join, format, split, `+`) work on the
English: call `str()` first (every core caller does) to get the reader's language.
"""
from flask_babel import gettext
from markupsafe import escape


class Text(str):
    """The English message as a str; its translation when shown."""

    def __new__(cls, message: str, **variables):
        text = super().__new__(cls, message % {k: str(v) for k, v in variables.items()} if variables else message)
        text._message, text._variables = message, variables
        return text

    def __str__(self) -> str:
        return gettext(self._message, **self._variables)

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __html__(self):
        return escape(str(self))

    def __reduce__(self):  # pickled or copied as the English message
        return (Text, (self._message,), None)


def lazy_gettext(message: str, **variables) -> Text:
    return Text(message, **variables)
