"""
Compile the interface's translation catalogues (locale/*/LC_MESSAGES/*.po) to the .mo files
Django reads, in Python. Django's own compilemessages runs GNU gettext's msgfmt, a system
program that `make run` and `make test` would then have to install. Babel, the long-kept
library that Sphinx and Flask-Babel use for the same job, reads and writes both formats in pure
Python, and unlike polib it checks what msgfmt --check checks that matters here: a placeholder
missing or added in a translation, and the wrong number of plural forms.

A catalogue with an error is refused, naming the file and the line, and its old .mo is removed,
so that a broken translation never reaches the site. The .mo files are not committed.
"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


def catalogue_errors(catalog):
    """(line, message) for each error Babel's checkers find in a catalogue read with read_po."""
    return [
        (message.lineno, str(error))
        for message, errors in catalog.check()
        for error in errors
        if message.id
    ]


def read_catalogue(path):
    """The catalogue at `path`; CommandError naming the file and line when it cannot be read."""
    locale = path.parent.parent.name
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
