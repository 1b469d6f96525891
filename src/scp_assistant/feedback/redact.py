"""Contact details in what users type, made unrecognisable before anything is stored.

A question pasted from an e-mail brings its signature along ("Claudia Hoffmann, Rektorin, Tel. 06131 / 906180,
c.hoffmann@schule.example"). The answer does not need it, and the answer log and feedback keep the question for
the ism's review: e-mail addresses and telephone numbers are replaced by a marker (in a chat session's turns, which
lend the next question its topic, they are dropped). A number counts as a telephone number only where it cannot be
a figure of the programme: after a word such as "Tel." or "Handy", with an international prefix ("+49", "0049"), or
in the written form of an area code ("06131 / 906180", "(06131) 906180"); a date range ("08/2024 - 07/2025"), a file
number ("Az. 0412-0001/24") or an amount ("20 000 000 000 €") stays as typed. Names cannot be told apart from the
programme's own names (places, bodies, people quoted in the documents) by pattern, which is why the chat asks users
to leave personal data out.
"""

from __future__ import annotations

import re

from scp_assistant.text import without_signature

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
_SPACE = "[ \u00a0]"
_DIGITS = "\\d[\\d \u00a0()/–-]{4,}\\d"  # digits with the separators numbers are written with
_CUE = r"\b(?:tel(?:efon)?|fon|phone|mobil|handy|fax|durchwahl|rückruf\w*|anrufen|erreichbar)\b"
_ALONE = r"(?<![\w/.,])(?<!\d )(?<!\d\u00a0)"  # not inside a word, a date, an amount or a row of figures
_CUED = rf"(?<=[^\w.,/]){_CUE}[^\d\n]{{0,15}}?(?P<cued>(?:\+|00)?{_DIGITS})"  # "Tel. 06131 906180", "Handy: 0151-…"
_INTERNATIONAL = rf"{_ALONE}(?<!\+)(?P<intl>(?:\+|00)[1-9]\d{{0,2}}{_SPACE}?-?(?:\(0\){_SPACE}?)?{_DIGITS})"
_AREA = rf"{_ALONE}(?P<area>(?:\(0\d{{2,5}}\)|0\d{{2,5}}{_SPACE}?/){_SPACE}?\d[\d \u00a0-]{{3,}}\d)"  # "06131 / …"
_PHONE = re.compile(f"{_CUED}|{_INTERNATIONAL}|{_AREA}", re.IGNORECASE)
_MIN_DIGITS = 7

EMAIL_MARK = "[E-Mail-Adresse entfernt]"
PHONE_MARK = "[Telefonnummer entfernt]"


def redact_contacts(text: str) -> str:
    """``text`` with its e-mail addresses and telephone numbers replaced by markers, and without the signature of a
    pasted e-mail (name, office, authority after "Mit freundlichen Grüßen")."""
    text = _EMAIL.sub(EMAIL_MARK, without_signature(text))
    return _PHONE.sub(lambda m: _replaced(m, PHONE_MARK), f" {text}")[1:]


def without_contacts(text: str) -> str:
    """``text`` with its e-mail addresses and telephone numbers (and a word such as "Tel." before one) and an
    e-mail's signature left out: no marker, "Tel." or name to be read as a topic of the next question."""
    text = _PHONE.sub(lambda m: _replaced(m, None), f" {_EMAIL.sub('', without_signature(text))}")
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def _replaced(match: re.Match[str], phone: str | None) -> str:
    """The match with its number replaced by ``phone`` (None: the match left out), if it has digits enough."""
    name = next(n for n in ("cued", "intl", "area") if match.group(n) is not None)
    if sum(c.isdigit() for c in match.group(name)) < _MIN_DIGITS:
        return match.group(0)
    if phone is None:
        return ""
    start, end = match.start(name) - match.start(), match.end(name) - match.start()
    return match.group(0)[:start] + phone + match.group(0)[end:]
