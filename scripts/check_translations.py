"""Fail when a message the portal shows has no German or French translation, or a catalog has fuzzy entries.

Usage: check_translations.py <freshly extracted messages.pot> <translations directory> (scripts/translations.sh
check). Every language directory under the translations directory is checked against every extracted message."""
import os
import sys

from babel.messages.pofile import read_po

REQUIRED = ("de", "fr")


def problems(template_path: str, directory: str):
    with open(template_path, "rb") as f:
        wanted = [m for m in read_po(f) if m.id]
    languages = sorted(set(REQUIRED) | {d for d in os.listdir(directory) if os.path.isdir(os.path.join(directory, d))})
    for language in languages:
        path = os.path.join(directory, language, "LC_MESSAGES", "messages.po")
        if not os.path.exists(path):
            yield f"{language}: no catalog at {path}"
            continue
        with open(path, "rb") as f:
            catalog = read_po(f, locale=language)
        for message in catalog:
            if message.id and message.fuzzy:
                yield f"{language}: fuzzy: {message.id!r}"
        for message in wanted:
            found = catalog.get(message.id, context=message.context)
            strings = found.string if found is not None else None
            if isinstance(strings, (tuple, list)):
                missing = not all(strings)
            else:
                missing = not strings
            if missing:
                yield f"{language}: untranslated: {message.id!r}"


def main() -> int:
    found = list(problems(sys.argv[1], sys.argv[2]))
    for line in found:
        print(line, file=sys.stderr)
    if found:
        print(f"{len(found)} translation problem(s): run scripts/translations.sh update, translate, commit",
              file=sys.stderr)
        return 1
    print("translations: every message has a German and French translation, none fuzzy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
