"""scripts/check_translations.py: the CI check that every message has a German and French translation."""
import importlib.util
import os

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
spec = importlib.util.spec_from_file_location("check_translations", os.path.join(ROOT, "scripts",
                                                                                 "check_translations.py"))
check = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check)


def _write(path, catalog):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        write_po(f, catalog)


def _catalogs(tmp_path, de: dict, fr: dict, fuzzy=()):
    template = Catalog()
    template.add("Sign in")
    template.add(("%(num)d code left", "%(num)d codes left"))
    _write(tmp_path / "messages.pot", template)
    for language, strings in (("de", de), ("fr", fr)):
        catalog = Catalog(locale=language)
        for msgid, msgstr in strings.items():
            catalog.add(msgid, msgstr, flags=["fuzzy"] if (language, msgid) in fuzzy else [])
        _write(tmp_path / language / "LC_MESSAGES" / "messages.po", catalog)
    return list(check.problems(str(tmp_path / "messages.pot"), str(tmp_path)))


DE = {"Sign in": "Anmelden", ("%(num)d code left", "%(num)d codes left"): ("%(num)d Code übrig", "%(num)d Codes übrig")}
FR = {"Sign in": "Se connecter",
      # French has three plural forms in CLDR: one (0, 1), many (a million and more), other
      ("%(num)d code left", "%(num)d codes left"): ("%(num)d code restant", "%(num)d de codes restants",
                                                    "%(num)d codes restants")}


def test_complete_catalogs_pass(tmp_path):
    assert _catalogs(tmp_path, DE, FR) == []


def test_a_missing_message_a_missing_plural_and_a_fuzzy_entry_fail(tmp_path):
    fr = {**FR, ("%(num)d code left", "%(num)d codes left"): ("%(num)d code restant", "", "%(num)d codes restants")}
    found = _catalogs(tmp_path, {"Sign in": "Anmelden"}, fr, fuzzy={("fr", "Sign in")})
    assert found == ["de: untranslated: ('%(num)d code left', '%(num)d codes left')",
                     "fr: fuzzy: 'Sign in'",
                     "fr: untranslated: ('%(num)d code left', '%(num)d codes left')"]
