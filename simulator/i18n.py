"""The interface's own words in the trainee's language: gettext catalogues compiled from .po at first use.

Every interface string goes through `_()` (or `ngettext()` when a number decides the form, or
`pgettext()` when what a word describes changes its translation). Strings
kept in module-level constants are marked with `N_()` and translated where they are shown, so that a
language change applies at once. Scenario text is not translated here: scenarios carry their own
languages. Catalogues live in `simulator/locale/<lang>/LC_MESSAGES/parley.po`; `messages.pot` is
extracted with Babel (`pybabel extract -F babel.cfg -o simulator/locale/parley.pot .`, see
docs/translating.md). The .po is compiled in memory with Babel when a language is chosen, so no build
step or compiled .mo file is needed.
"""
from __future__ import annotations

import gettext
import io
import locale
import os
from pathlib import Path

DOMAIN = "parley"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
# The interface languages, each named in its own language (shown in the settings as is).
LANGUAGES = {"en": "English", "es": "Español"}
SOURCE_LANGUAGE = "en"

_current = SOURCE_LANGUAGE
_translations: gettext.NullTranslations = gettext.NullTranslations()
_loaded: dict[str, gettext.NullTranslations] = {}


def N_(message: str) -> str:
    """Mark `message` for extraction without translating it now (it is translated where shown)."""
    return message


def _(message: str) -> str:
    """`message` in the interface language (unchanged in English or when no translation exists)."""
    return _translations.gettext(message)


def data_text(message: str) -> str:
    """A name or why from Parley's own data files (the default rubric, the behaviour model) in the
    interface language; those strings reach the catalogue through `simulator.i18n_data`'s extractor.
    Anything else (a scenario's own text, an academy's rubric) comes back as it is."""
    return _translations.gettext(message) if message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for `n`, by the interface language's plural rule."""
    return _translations.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`message` as meant in `context`, for words whose translation depends on what they describe
    ("Shown" for one meter or for several details: "Visible" or "Visibles" in Spanish)."""
    return _translations.pgettext(context, message)


def language() -> str:
    """The interface language now in use ("en", "es")."""
    return _current


def system_language() -> str:
    """The interface language the environment asks for (LANGUAGE, LC_ALL, LC_MESSAGES, LANG), if we have it."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        for part in value.split(":"):
            code = part.split(".")[0].split("_")[0].split("-")[0].lower()
            if code in LANGUAGES:
                return code
    try:
        code = (locale.getlocale()[0] or "").split("_")[0].lower()
    except (ValueError, TypeError):
        code = ""
    return code if code in LANGUAGES else SOURCE_LANGUAGE


def catalogue_path(code: str) -> Path:
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def load(code: str) -> gettext.NullTranslations:
    """The compiled translations for `code` (NullTranslations for English or a missing catalogue)."""
    if code == SOURCE_LANGUAGE or code not in LANGUAGES:
        return gettext.NullTranslations()
    if code not in _loaded:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po
        with open(catalogue_path(code), "rb") as handle:
            catalog = read_po(handle, locale=code, domain=DOMAIN)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        buffer.seek(0)
        _loaded[code] = gettext.GNUTranslations(buffer)
    return _loaded[code]


def set_language(code: str | None) -> str:
    """Use `code` for the interface (None: the system's language); returns the language now in use.
    A language we have no catalogue for, or one that cannot be read, gives English."""
    global _current, _translations
    code = (code or system_language()).lower()
    if code not in LANGUAGES:
        code = SOURCE_LANGUAGE
    try:
        _translations = load(code)
    except (OSError, ValueError, ImportError):
        code, _translations = SOURCE_LANGUAGE, gettext.NullTranslations()
    _current = code
    return code


def language_name(code: str) -> str:
    """The name of language `code` in the interface's language ("vi" -> "Vietnamese", "vietnamita"),
    from Babel's locale data; the code itself when Babel does not know it."""
    try:
        from babel import Locale
        name = Locale.parse(code.replace("-", "_")).get_display_name(Locale.parse(language()))
    except Exception:  # noqa: BLE001 - an unknown or malformed code is shown as written
        return code
    return name or code
