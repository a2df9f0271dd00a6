"""Language tags: a strict RFC 5646 (BCP 47) well-formedness check.

A language tag names folders (``translations/<lang>/``) and goes into files and
pages, so anything that is not a well-formed tag (``../modules``, ``fr/x``,
``en_US``) is refused before it is used. Only the syntax is checked, not the
IANA registry: ``xx`` is well formed, ``x`` is not.

>>> [is_language_tag(t) for t in ("fr", "pt-BR", "zh-Hant-TW", "sr-Latn-RS", "de-CH-1996", "x-private", "i-klingon")]
[True, True, True, True, True, True, True]
>>> [is_language_tag(t) for t in ("", "../modules", "fr/../x", "en_US", "e", "toolongtag", "fr-", "en--GB")]
[False, False, False, False, False, False, False, False]
>>> check_language("../modules", what="trgLang")
Traceback (most recent call last):
...
mblib.errors.LanguageTagError: trgLang '../modules' is not a valid BCP 47 language tag
  fix: use a language tag such as fr, de, pt-BR or zh-Hant (letters, digits and '-' only)
"""

from __future__ import annotations

import re

from ..errors import LanguageTagError, Location

_ALNUM = "[a-z0-9]"
# RFC 5646 section 2.1, ABNF "Language-Tag" (matched case-insensitively, whole string).
_LANGTAG = (
    r"(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})"  # language ["-" extlang]
    r"(?:-[a-z]{4})?"  # script
    r"(?:-(?:[a-z]{2}|[0-9]{3}))?"  # region
    rf"(?:-(?:{_ALNUM}{{5,8}}|[0-9]{_ALNUM}{{3}}))*"  # variants
    rf"(?:-[0-9a-wy-z](?:-{_ALNUM}{{2,8}})+)*"  # extensions
    rf"(?:-x(?:-{_ALNUM}{{1,8}})+)?"  # private use
)
_PRIVATEUSE = rf"x(?:-{_ALNUM}{{1,8}})+"
_GRANDFATHERED = (
    "en-gb-oed|i-ami|i-bnn|i-default|i-enochian|i-hak|i-klingon|i-lux|i-mingo|i-navajo|i-pwn|i-tao|i-tay|"
    "i-tsu|sgn-be-fr|sgn-be-nl|sgn-ch-de|art-lojban|cel-gaulish|no-bok|no-nyn|zh-guoyu|zh-hakka|zh-min|"
    "zh-min-nan|zh-xiang"
)
_TAG = re.compile(rf"(?:{_LANGTAG}|{_PRIVATEUSE}|{_GRANDFATHERED})", re.IGNORECASE | re.ASCII)
MAX_LENGTH = 64  # longer than any tag in use; keeps folder names short
HINT = "use a language tag such as fr, de, pt-BR or zh-Hant (letters, digits and '-' only)"


def is_language_tag(tag: object) -> bool:
    """True when ``tag`` is a well-formed BCP 47 language tag (RFC 5646, section 2.1)."""
    return isinstance(tag, str) and 0 < len(tag) <= MAX_LENGTH and _TAG.fullmatch(tag) is not None


def check_language(tag: object, *, what: str = "language", location: Location | None = None) -> str:
    """``tag`` when it is a well-formed language tag, else a :class:`~mblib.errors.LanguageTagError`
    naming ``what`` (``trgLang``, ``--to``, ``target_languages``...) and the value."""
    if is_language_tag(tag):
        return tag  # type: ignore[return-value]
    shown = tag if isinstance(tag, str) and len(tag) <= 200 else f"{str(tag)[:200]}..."
    raise LanguageTagError(f"{what} '{shown}' is not a valid BCP 47 language tag", location=location, hint=HINT)


__all__ = ["HINT", "check_language", "is_language_tag"]
