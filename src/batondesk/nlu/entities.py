"""Entities a support agent or the pipeline needs from a message: amounts with currency,
dates, transaction / order ids, card last four digits, email addresses and phone numbers.

Rule-based on purpose: these are formats, not meanings, and rules are exact, fast and
explainable. Dates are returned as written, plus an ISO value when it is unambiguous.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from batondesk.nlu.personal_data import EMAIL_PATTERN, PHONE_PATTERN, find_personal_data

CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₽": "RUB"}
CURRENCY_WORDS = {
    "usd": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "bucks": "USD",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "gbp": "GBP",
    "pound": "GBP",
    "pounds": "GBP",
    "quid": "GBP",
    "jpy": "JPY",
    "yen": "JPY",
    "chf": "CHF",
    "francs": "CHF",
    "cad": "CAD",
    "aud": "AUD",
    "inr": "INR",
    "rupees": "INR",
    "mxn": "MXN",
    "pesos": "MXN",
    "brl": "BRL",
    "reais": "BRL",
}
_NUMBER = r"\d{1,3}(?:[,.\s]\d{3})*(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_WORDS = "|".join(sorted(CURRENCY_WORDS, key=len, reverse=True))
AMOUNT_PATTERNS = [
    re.compile(rf"(?P<cur>[$€£¥₹₽])\s?(?P<num>{_NUMBER})"),
    re.compile(rf"(?P<num>{_NUMBER})\s?(?P<cur>[$€£¥₹₽])"),
    re.compile(rf"(?P<num>{_NUMBER})\s?(?P<cur>{_WORDS})\b", re.IGNORECASE),
    re.compile(rf"\b(?P<cur>{_WORDS})\s?(?P<num>{_NUMBER})", re.IGNORECASE),
]
MONTHS = {
    name: index + 1
    for index, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for name in names
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
DATE_PATTERNS = [
    ("iso", re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b")),
    ("numeric", re.compile(r"\b(?P<a>\d{1,2})[/.](?P<b>\d{1,2})(?:[/.](?P<y>\d{2,4}))?\b")),
    (
        "day_month",
        re.compile(
            rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>{_MONTH})\.?(?:,?\s+(?P<y>\d{{4}}))?\b",
            re.IGNORECASE,
        ),
    ),
    (
        "month_day",
        re.compile(
            rf"\b(?P<mon>{_MONTH})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y>\d{{4}}))?\b",
            re.IGNORECASE,
        ),
    ),
    (
        "relative",
        re.compile(
            r"\b(?:today|yesterday|tomorrow|last\s+(?:week|month|night|monday|tuesday|wednesday|"
            r"thursday|friday|saturday|sunday)|(?:\d+|a|two|three|four|five)\s+(?:days?|weeks?)\s+ago)\b",
            re.IGNORECASE,
        ),
    ),
]
ORDER_ID_PATTERN = re.compile(
    r"(?:\b(?:order|transaction|txn|payment|reference|ref|tracking|invoice|ticket)"
    r"(?:\s+(?:id|number|no\.?|num|code))?(?:\s+(?:is|was))?\s*[:#]?\s*|#)(?P<id>[A-Z0-9][A-Z0-9-]{3,}[0-9][A-Z0-9-]*)",
    re.IGNORECASE,
)
PREFIXED_ID_PATTERN = re.compile(r"\b(?:ORD|TXN|TRX|INV|REF|PAY|TKT)[-_]?[A-Z0-9]{4,}\b")
CARD_LAST_FOUR_PATTERN = re.compile(
    r"(?:(?:ending|ends)\s+(?:in|with)\s*|last\s+(?:4|four)(?:\s+digits)?(?:\s+(?:are|is|of))?"
    r"\s*:?\s*|(?:\*{2,}|x{2,}|•{2,})\s*)(?P<digits>\d{4})\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Entity:
    """An entity at text[start:end]. `value` is normalised: amounts "12.50 EUR", dates ISO
    "2024-03-05" when unambiguous (else as written), phone digits with a leading +."""

    type: str
    value: str
    start: int
    end: int
    text: str = ""


def _parse_number(raw: str) -> str:
    raw = raw.replace(" ", "")
    # "1.234,56" and "1,234.56": the last separator followed by 1-2 digits is the decimal one.
    match = re.search(r"[.,](\d{1,2})$", raw)
    if match:
        whole = re.sub(r"[.,]", "", raw[: match.start()])
        return f"{int(whole or 0)}.{match.group(1).ljust(2, '0')}"
    return str(int(re.sub(r"[.,]", "", raw)))


def _amounts(text: str) -> list[Entity]:
    found = []
    for pattern in AMOUNT_PATTERNS:
        for m in pattern.finditer(text):
            cur = m.group("cur")
            code = CURRENCY_SYMBOLS.get(cur) or CURRENCY_WORDS[cur.lower()]
            found.append(
                Entity(
                    "amount",
                    f"{_parse_number(m.group('num'))} {code}",
                    m.start(),
                    m.end(),
                    m.group(),
                )
            )
    return found


def _iso(year: int | None, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat() if year else f"--{month:02d}-{day:02d}"
    except ValueError:
        return None


def _dates(text: str) -> list[Entity]:
    found = []
    for kind, pattern in DATE_PATTERNS:
        for m in pattern.finditer(text):
            value: str | None = m.group().lower()
            if kind == "iso":
                value = _iso(int(m["y"]), int(m["m"]), int(m["d"]))
            elif kind == "numeric":
                if not m["y"]:
                    continue  # "3/4" alone is more often a fraction or a score than a date
                year = int(m["y"]) + (2000 if len(m["y"]) == 2 else 0)
                a, b = int(m["a"]), int(m["b"])
                # Day-first unless impossible: most of our locales write 05/03 for 5 March.
                value = _iso(year, b, a) if b <= 12 else _iso(year, a, b)
            elif kind in ("day_month", "month_day"):
                year = int(m["y"]) if m["y"] else None
                value = _iso(year, MONTHS[m["mon"].lower()], int(m["d"]))
            if value:
                found.append(Entity("date", value, m.start(), m.end(), m.group()))
    return found


def _order_ids(text: str) -> list[Entity]:
    found = [
        Entity("order_id", m["id"].upper(), m.start("id"), m.end("id"), m["id"])
        for m in ORDER_ID_PATTERN.finditer(text)
    ]
    found += [
        Entity("order_id", m.group().upper(), m.start(), m.end(), m.group())
        for m in PREFIXED_ID_PATTERN.finditer(text)
    ]
    return found


def extract_entities(text: str) -> list[Entity]:
    """All entities, sorted by position; overlapping matches keep the longest."""
    found: list[Entity] = []
    found += [
        Entity("email", m.group().lower(), m.start(), m.end(), m.group())
        for m in EMAIL_PATTERN.finditer(text)
    ]
    found += [
        Entity("card_last_four", m["digits"], m.start("digits"), m.end("digits"), m["digits"])
        for m in CARD_LAST_FOUR_PATTERN.finditer(text)
    ]
    found += _order_ids(text)
    found += _amounts(text)
    found += _dates(text)
    validated_phones = {(s.start, s.end) for s in find_personal_data(text) if s.type == "phone"}
    for m in PHONE_PATTERN.finditer(text):
        if (m.start(), m.end()) in validated_phones:
            digits = re.sub(r"\D", "", m.group())
            value = ("+" if m.group().startswith("+") else "") + digits
            found.append(Entity("phone", value, m.start(), m.end(), m.group()))
    return _longest_first(found)


def _longest_first(entities: list[Entity]) -> list[Entity]:
    kept: list[Entity] = []
    for entity in sorted(entities, key=lambda e: (-(e.end - e.start), e.start)):
        if all(entity.end <= k.start or entity.start >= k.end for k in kept):
            kept.append(entity)
    return sorted(kept, key=lambda e: e.start)
