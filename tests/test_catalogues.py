"""
The interface's translations: every message of the code is in each catalogue, translated in
full (every plural form), with the same placeholders, and compiled without GNU gettext.
"""

import os
import re
import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

LANGUAGES = ["fr", "es", "ru"]
PLURAL_FORMS = {"fr": 2, "es": 2, "ru": 3}
# What makemessages reads: the project's code and templates, not its tests or benchmarks.
IGNORED = [".venv", "staticfiles", "tests", "benchmarks", "build", "locale", ".git"]

_PERCENT = re.compile(r"%(?:\((\w+)\))?[#0\- +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
_BRACES = re.compile(r"\{\w*\}")


def catalogue_path(language):
    return Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po"


def read_catalogue(path):
    with open(path, "rb") as file:
        return read_po(file, abort_invalid=True)


def placeholders(text):
    """%(name)s, %d and {name} in `text`; a doubled %% is a percent sign, not a placeholder."""
    text = text.replace("%%", "")
    return {match.group(0) for match in _PERCENT.finditer(text)} | set(_BRACES.findall(text))


def messages(catalog):
    return [message for message in catalog if message.id]


def message_ids(catalog):
    return {
        message.id if isinstance(message.id, str) else message.id[0]
        for message in messages(catalog)
    }


def test_placeholders_are_read_as_python_reads_them():
    assert placeholders("%(n)d of %(count)s, {name} and {}") == {
        "%(n)d",
        "%(count)s",
        "{name}",
        "{}",
    }
    assert placeholders("%(number)03d, 100%% sure") == {"%(number)03d"}
    assert placeholders("holds %%(size)s") == set()


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_with_its_placeholders(language):
    catalog = read_catalogue(catalogue_path(language))
    assert catalog.num_plurals == PLURAL_FORMS[language]
    assert not catalog.fuzzy
    problems = []
    for message in messages(catalog):
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        if isinstance(message.id, str):
            forms, singular, plural = [message.string], message.id, message.id
        else:
            forms, (singular, plural) = list(message.string), message.id
            if len(forms) != PLURAL_FORMS[language]:
                problems.append(f"{len(forms)} plural forms: {message.id!r}")
        for index, form in enumerate(forms):
            if not form or not form.strip():
                problems.append(f"untranslated: {message.id!r}")
                continue
            # Every form keeps the singular's placeholders; a plural form may add the count
            # that the singular leaves out ("The selected record" / "The %(n)s selected
            # records"), and the forms after the first keep the plural's.
            found, allowed = placeholders(form), placeholders(singular) | placeholders(plural)
            needed = placeholders(singular) if index == 0 else placeholders(plural)
            if isinstance(message.id, str):
                needed = allowed
            if not needed <= found <= allowed:
                problems.append(f"placeholders {sorted(found)} for {message.id!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_catalogue_has_a_clean_header(language):
    text = catalogue_path(language).read_text(encoding="utf-8")
    header = text[: text.index("\n\n")]
    assert f'"Language: {language}\\n"' in header
    assert '"Content-Type: text/plain; charset=UTF-8\\n"' in header
    assert "#, fuzzy" not in header
    # No one's name or address: the catalogues are the project's, not a translator's.
    assert "@" not in header and "FULL NAME" not in header and "Last-Translator" not in header


def test_the_catalogues_hold_every_message_of_the_code_and_no_other(tmp_path, settings):
    """
    Django's makemessages (GNU gettext's xgettext) run on a copy of the code: a message added
    to a template or to Python without updating the catalogues fails here, by its text. The
    copy keeps makemessages from writing into the committed catalogues.
    """
    assert shutil.which("xgettext"), "xgettext is missing: `make gettext` installs it"
    source = tmp_path / "source"
    shutil.copytree(
        settings.BASE_DIR, source, ignore=shutil.ignore_patterns(*IGNORED, "*.pyc", "db.sqlite3*")
    )
    (source / "locale").mkdir()
    settings.LOCALE_PATHS = [source / "locale"]
    cwd = Path.cwd()
    try:
        os.chdir(source)
        call_command("makemessages", locale=["fr"], no_location=True, verbosity=0)
    finally:
        os.chdir(cwd)
    in_code = message_ids(read_catalogue(source / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    assert len(in_code) > 1000
    for language in LANGUAGES:
        committed = message_ids(read_catalogue(catalogue_path(language)))
        missing, stale = sorted(in_code - committed), sorted(committed - in_code)
        assert not missing, f"Not in the {language} catalogue (run makemessages): {missing}"
        assert not stale, f"In the {language} catalogue but no longer in the code: {stale}"


def _write(path, text):
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")


HEADER = (
    'msgid ""\nmsgstr ""\n"Language: fr\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
    '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n'
)


def test_compile_catalogues_writes_a_mo_that_django_reads(tmp_path, settings):
    po = tmp_path / "fr" / "LC_MESSAGES" / "django.po"
    _write(po, HEADER + '#, python-format\nmsgid "Hello %(name)s"\nmsgstr "Bonjour %(name)s"\n')
    settings.LOCALE_PATHS = [tmp_path]
    call_command("compile_catalogues", verbosity=0)
    from babel.messages.mofile import read_mo

    with open(po.with_suffix(".mo"), "rb") as file:
        assert read_mo(file).get("Hello %(name)s").string == "Bonjour %(name)s"


def test_compile_catalogues_refuses_a_lost_placeholder_naming_the_file_and_line(tmp_path, settings):
    po = tmp_path / "fr" / "LC_MESSAGES" / "django.po"
    _write(po, HEADER + '#, python-format\nmsgid "Hello %(name)s"\nmsgstr "Bonjour"\n')
    po.with_suffix(".mo").write_bytes(b"stale")
    settings.LOCALE_PATHS = [tmp_path]
    with pytest.raises(CommandError, match=rf"{re.escape(str(po))}:8: .*placeholder"):
        call_command("compile_catalogues", verbosity=0)
    assert not po.with_suffix(".mo").exists()


def test_compile_catalogues_refuses_a_broken_file_naming_the_line(tmp_path, settings):
    po = tmp_path / "fr" / "LC_MESSAGES" / "django.po"
    _write(po, HEADER + 'msgid "Hello"\nmsgstr "Bonjour\n')
    settings.LOCALE_PATHS = [tmp_path]
    with pytest.raises(CommandError, match=rf"{re.escape(str(po))}:8: not a line"):
        call_command("compile_catalogues", verbosity=0)


def test_the_real_catalogues_compile():
    call_command("compile_catalogues", verbosity=0)
    for language in LANGUAGES:
        assert catalogue_path(language).with_suffix(".mo").stat().st_size > 10_000
