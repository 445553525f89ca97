"""Personal-data detection: email, phone, card numbers, IBAN, national ids (redaction, which
builds on it, is `privacy.redaction`).

Precision matters as much as recall here: a redactor that blanks every long number would
destroy order ids and amounts the agent needs. So card numbers must pass the Luhn check,
IBANs the ISO 13616 mod-97 check, and Spanish DNI/NIE their check letter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PLACEHOLDERS = {
    "email": "[EMAIL]",
    "phone": "[PHONE]",
    "card": "[CARD]",
    "iban": "[IBAN]",
    "national_id": "[NATIONAL_ID]",
}

EMAIL_PATTERN = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
# International (+33 6 12 34 56 78, +1 (555) 123-4567) or national with 9+ digits.
PHONE_PATTERN = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{1,4}(?:[\s.-]?\d{2,4}){2,5}(?!\w)"
)
CARD_PATTERN = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
IBAN_PATTERN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}\b")
SSN_PATTERN = re.compile(r"\b(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}\b")
UK_NINO_PATTERN = re.compile(r"\b[A-CEGHJ-PR-TW-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b")
ES_DNI_PATTERN = re.compile(r"\b([XYZ]?)(\d{7,8})-?([A-Z])\b")
DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"

# Order of precedence when spans overlap: the more specific, validated kind wins.
PRIORITY = {"iban": 0, "card": 1, "national_id": 2, "email": 3, "phone": 4}


@dataclass(frozen=True)
class PersonalDataSpan:
    """A piece of personal data at text[start:end] (character offsets, end exclusive)."""

    type: str
    start: int
    end: int

    def value(self, text: str) -> str:
        return text[self.start : self.end]


def luhn_valid(digits: str) -> bool:
    """Luhn checksum over a string of digits (card numbers)."""
    if not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def iban_valid(candidate: str) -> bool:
    """ISO 13616: move the first four characters to the end, letters to numbers, mod 97 == 1."""
    compact = candidate.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34 or not compact.isalnum():
        return False
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(c, 36)) for c in rearranged)
    return int(number) % 97 == 1


def _dni_valid(prefix: str, digits: str, letter: str) -> bool:
    if prefix:
        digits = str("XYZ".index(prefix)) + digits
        if len(digits) != 8:
            return False
    elif len(digits) != 8:
        return False
    return DNI_LETTERS[int(digits) % 23] == letter


def find_personal_data(text: str) -> list[PersonalDataSpan]:
    """All personal-data spans, non-overlapping, sorted by start offset."""
    found: list[PersonalDataSpan] = []
    for match in IBAN_PATTERN.finditer(text):
        if iban_valid(match.group()):
            found.append(PersonalDataSpan("iban", match.start(), match.end()))
    for match in CARD_PATTERN.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            found.append(PersonalDataSpan("card", match.start(), match.end()))
    for pattern in (SSN_PATTERN, UK_NINO_PATTERN):
        found += [
            PersonalDataSpan("national_id", m.start(), m.end()) for m in pattern.finditer(text)
        ]
    for match in ES_DNI_PATTERN.finditer(text):
        if _dni_valid(*match.groups()):
            found.append(PersonalDataSpan("national_id", match.start(), match.end()))
    found += [PersonalDataSpan("email", m.start(), m.end()) for m in EMAIL_PATTERN.finditer(text)]
    for match in PHONE_PATTERN.finditer(text):
        digit_count = sum(c.isdigit() for c in match.group())
        if 9 <= digit_count <= 15:
            found.append(PersonalDataSpan("phone", match.start(), match.end()))
    return _without_overlaps(found)


def _without_overlaps(spans: list[PersonalDataSpan]) -> list[PersonalDataSpan]:
    kept: list[PersonalDataSpan] = []
    for span in sorted(spans, key=lambda s: (PRIORITY[s.type], s.start)):
        if all(span.end <= other.start or span.start >= other.end for other in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)
