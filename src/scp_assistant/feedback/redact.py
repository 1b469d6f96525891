"""Contact details in what users type, made unrecognisable before anything is stored.

A question pasted from an e-mail brings its signature along ("Claudia Hoffmann, Rektorin, Tel. 06131 / 906180,
c.hoffmann@schule.example"). The answer does not need it, and the answer log and feedback keep the question for
the ism's review: e-mail addresses and telephone numbers are replaced by a marker. Names cannot be told apart
from the programme's own names (places, bodies, people quoted in the documents) by pattern, which is why the chat
asks users to leave personal data out.
"""

from __future__ import annotations

import re

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}")
# a German or international number: "06131 / 906180", "0151-1234567", "+49 6131 906180", "(06131) 90 61 80"; not a
# date ("15.05.2024"), an amount ("2.644.688 €"), a school year ("2024/25") or a figure ("4000")
_PHONE = re.compile(r"(?<![\w.,/])(?:\+\d{2}[ ]?(?:\(0\))?[ ]?\d|\(?0\d)[\d ()/-]{5,}\d(?!\w|[.,/]\d)")
_MIN_DIGITS = 7

EMAIL_MARK = "[E-Mail-Adresse entfernt]"
PHONE_MARK = "[Telefonnummer entfernt]"


def redact_contacts(text: str) -> str:
    """``text`` with its e-mail addresses and telephone numbers replaced by markers."""
    text = EMAIL.sub(EMAIL_MARK, text)
    return _PHONE.sub(lambda m: PHONE_MARK if _digits(m.group(0)) >= _MIN_DIGITS else m.group(0), text)


def _digits(text: str) -> int:
    return sum(c.isdigit() for c in text)
