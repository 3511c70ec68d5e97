"""
Compile the interface's translation catalogues (locale/*/LC_MESSAGES/*.po) to the .mo files
Django reads, in Python. Django's own compilemessages runs GNU gettext's msgfmt, a system
program that `make run` and `make test` would then have to install. Babel, the long-kept
library that Sphinx and Flask-Babel use for the same job, reads and writes both formats in pure
Python, and unlike polib it checks the wrong number of plural forms and a placeholder added in
a translation; the lines' syntax and a placeholder lost in a translation are checked here, as
msgfmt --check would.

A catalogue with an error is refused, naming the file and the line, and its old .mo is removed,
so that a broken translation never reaches the site. The .mo files are not committed.
"""

import re
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# A line of a catalogue: a comment, a keyword and its quoted string, or a quoted string that
# continues the one above. Babel's reader is lenient (it reads `msgstr "Bonjour` as "Bonjou"),
# so the syntax is checked here first, as msgfmt would.
_LINE = re.compile(
    r'^(?:#.*|(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+"(?:[^"\\]|\\.)*"'
    r'|"(?:[^"\\]|\\.)*")?\s*$'
)
_NAMED = re.compile(r"%\((\w+)\)")


def _names(text):
    return set(_NAMED.findall(text.replace("%%", "")))


def syntax_errors(path):
    """(line, message) for each line of the file at `path` that is not catalogue syntax."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [
        (number, f"not a line of a catalogue: {line[:60]!r}")
        for number, line in enumerate(lines, 1)
        if not _LINE.match(line)
    ]


def placeholder_errors(message):
    """
    A named placeholder of the message that its translation lost: Babel's checker only refuses
    one the translation adds. A plural form may drop the count that the singular leaves out.
    """
    if "python-format" not in message.flags or not message.string:
        return []
    if isinstance(message.id, str):
        forms, needed = [message.string], [_names(message.id)]
    else:
        forms = list(message.string)
        needed = [_names(message.id[0])] + [_names(message.id[1])] * (len(forms) - 1)
    return [
        f"placeholder %({name})s missing from the translation of {message.id!r}"
        for form, names in zip(forms, needed, strict=True)
        if form
        for name in sorted(names - _names(form))
    ]


def catalogue_errors(catalog):
    """(line, message) for each error in a catalogue read with read_po: Babel's checks, ours."""
    errors = [
        (message.lineno, str(error))
        for message, found in catalog.check()
        for error in found
        if message.id
    ]
    errors += [
        (message.lineno, error)
        for message in catalog
        if message.id
        for error in placeholder_errors(message)
    ]
    return sorted(errors)


def read_catalogue(path):
    """The catalogue at `path`; CommandError naming the file and line when it cannot be read."""
    locale = path.parent.parent.name
    errors = syntax_errors(path)
    if errors:
        raise CommandError("\n".join(f"{path}:{line}: {error}" for line, error in errors))
    with path.open("rb") as file:
        try:
            catalog = read_po(file, locale=locale, abort_invalid=True)
        except PoFileError as error:
            raise CommandError(f"{path}:{error.lineno + 1}: {error.args[0]}") from None
        except ValueError as error:  # an unknown locale or a broken header
            raise CommandError(f"{path}: {error}") from None
    errors = catalogue_errors(catalog)
    if errors:
        raise CommandError(
            "\n".join(f"{path}:{line}: {error}" for line, error in errors)
            + f"\n{path}: not compiled ({len(errors)} error{'s' if len(errors) > 1 else ''})."
        )
    return catalog


class Command(BaseCommand):
    help = (
        "Compile every locale/*/LC_MESSAGES/*.po to .mo, without GNU gettext; a catalogue with "
        "an error is refused with its file and line."
    )

    def handle(self, *args, **options):
        paths = sorted(
            path for root in settings.LOCALE_PATHS for path in Path(root).glob("*/LC_MESSAGES/*.po")
        )
        if not paths:
            raise CommandError("No catalogue found under LOCALE_PATHS.")
        failures = []
        for path in paths:
            try:
                catalog = read_catalogue(path)
            except CommandError as error:
                failures.append(str(error))
                path.with_suffix(".mo").unlink(missing_ok=True)
                continue
            with path.with_suffix(".mo").open("wb") as file:
                write_mo(file, catalog)
            if options["verbosity"] > 1:
                self.stdout.write(f"Compiled {path}")
        if failures:
            raise CommandError("\n".join(failures))
        self.stdout.write(f"Compiled {len(paths)} catalogue{'s' if len(paths) > 1 else ''}.")
