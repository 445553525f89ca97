"""The one redaction function, applied before anything leaves the protected store: log records,
analytics exports, training datasets and requests to an external language model.

Detection is the NLU personal-data detector (`nlu/personal_data.py`: validated cards, IBANs,
national ids, emails, phones) plus the formats it does not cover yet (below). Figures per entity
type on a labelled set are in docs/privacy.md (`benchmarks/redaction.py`).
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Mapping
from typing import Any

from batondesk.nlu.personal_data import (
    PLACEHOLDERS,
    PRIORITY,
    PersonalDataSpan,
    find_personal_data,
    luhn_valid,
)

# Phone formats the detector misses: area codes after a slash or in parentheses with a
# national trunk prefix (030/1234567, (0)20 7946 0958), and dotted groups (06.12.34.56.78).
_EXTRA_PHONE = re.compile(
    r"(?<![\w+/])(?:\+\d{1,3}\s?)?(?:\(0\)\s?)?\(?0?\d{2,5}\)?\s?/\s?\d{3,}(?:[\s-]\d{2,})*(?!\w)"
    r"|(?<![\w+])(?:\+\d{1,3}\s?)?\(0\)\s?\d{1,4}(?:[\s.-]?\d{2,4}){2,4}(?!\w)"
    r"|(?<![\w.])0\d(?:\.\d{2}){4}(?![\w.])"
)
# Email addresses spelled out to dodge filters: "anna dot berg at gmail dot com",
# "pierre(at)laposte.net". The last label must be a common top-level domain, for precision.
_TLDS = (
    "com|net|org|edu|gov|io|co|uk|fr|de|es|it|nl|be|ch|at|se|no|dk|fi|pl|pt|ie|br|mx|ar|in|"
    "jp|cn|au|nz|za|ng|ru|gr|ma|vn|ca|us|eu|info|biz"
)
_SPELLED_EMAIL = re.compile(
    r"(?i)\b[a-z0-9][\w.+-]*(?:\s+dot\s+[\w+-]+)*\s*(?:\(at\)|\[at\]|\s+at\s+)\s*"
    r"[a-z0-9-]+(?:\s*(?:\.|\(dot\)|\[dot\]|\s+dot\s+)\s*[a-z0-9-]+)*"
    r"\s*(?:\.|\(dot\)|\[dot\]|\s+dot\s+)\s*(?:" + _TLDS + r")\b"
)
# National ids the detector does not know: Brazilian CPF (check digits validated) and the
# Italian codice fiscale (its fixed letter/digit layout).
_CPF = re.compile(r"(?<![\d.])\d{3}\.?\d{3}\.?\d{3}-?\d{2}(?![\d.])")
_CODICE_FISCALE = re.compile(r"\b[A-Z]{6}\d{2}[A-EHLMPR-T]\d{2}[A-Z]\d{3}[A-Z]\b")
# A phone-like run that is really a date-led reference (2024-11-03-7781) or the tail of an
# identifier (INV-2024-000123).
_DATE_LED = re.compile(r"(?:19|20)\d\d[-/.](?:0[1-9]|1[0-2])[-/.]\d\d")


def _cpf_valid(candidate: str) -> bool:
    digits = [int(c) for c in candidate if c.isdigit()]
    if len(digits) != 11 or len(set(digits)) == 1:
        return False
    for size in (9, 10):
        total = sum(d * w for d, w in zip(digits[:size], range(size + 1, 1, -1), strict=True))
        check = (total * 10) % 11 % 10
        if check != digits[size]:
            return False
    return True


def _part_of_identifier(text: str, span: PersonalDataSpan) -> bool:
    before = text[span.start - 2 : span.start] if span.start >= 2 else ""
    return (len(before) == 2 and before[1] in "-/#" and before[0].isalnum()) or bool(
        _DATE_LED.match(text, span.start)
    )


# Card numbers written in groups of four with dots or no separator between groups of 4-6
# (Amex 4-6-5) that the detector's pattern splits differently.
_EXTRA_CARD = re.compile(r"(?<![\d.])\d{4}(?:[ .-]?\d{4,6}){2,3}(?:[ .-]?\d{1,4})?(?![\d.])")


def find_sensitive_spans(text: str) -> list[PersonalDataSpan]:
    """Personal-data spans in `text`, non-overlapping, sorted by offset."""
    spans = [
        span
        for span in find_personal_data(text)
        if not (span.type == "phone" and _part_of_identifier(text, span))
    ]
    for match in _CPF.finditer(text):
        if _cpf_valid(match.group()):
            spans.append(PersonalDataSpan("national_id", match.start(), match.end()))
    spans += [
        PersonalDataSpan("national_id", m.start(), m.end()) for m in _CODICE_FISCALE.finditer(text)
    ]
    spans += [PersonalDataSpan("email", m.start(), m.end()) for m in _SPELLED_EMAIL.finditer(text)]
    for match in _EXTRA_CARD.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            spans.append(PersonalDataSpan("card", match.start(), match.end()))
    for match in _EXTRA_PHONE.finditer(text):
        digit_count = sum(c.isdigit() for c in match.group())
        if 8 <= digit_count <= 15:
            spans.append(PersonalDataSpan("phone", match.start(), match.end()))
    return _merge(spans)


def _merge(spans: list[PersonalDataSpan]) -> list[PersonalDataSpan]:
    """Keep the most specific kind where spans overlap; a longer span of the same kind wins."""
    kept: list[PersonalDataSpan] = []
    ordered = sorted(spans, key=lambda s: (PRIORITY[s.type], -(s.end - s.start), s.start))
    for span in ordered:
        if all(span.end <= other.start or span.start >= other.end for other in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: s.start)


def redact_text(text: str) -> str:
    """`text` with every personal-data span replaced by its placeholder, e.g. ``[EMAIL]``."""
    if not text:
        return text
    pieces: list[str] = []
    cursor = 0
    for span in find_sensitive_spans(text):
        pieces.append(text[cursor : span.start])
        pieces.append(PLACEHOLDERS[span.type])
        cursor = span.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def redact_value(value: Any) -> Any:
    """Redact every string inside a JSON-like value (exports, LLM request bodies)."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, list | tuple):
        return [redact_value(v) for v in value]
    if isinstance(value, dict):
        return {k: redact_value(v) for k, v in value.items()}
    return value


# --- logs ---------------------------------------------------------------------------------------

# Query parameters that carry credentials: the widget's event stream sends its visitor token as
# ?token= (EventSource cannot send headers), and an access log records every URL.
_URL_SECRET = re.compile(
    r"(?i)([?&](?:token|visitor_token|access_token|identity_token|api_key|key|password|secret)=)"
    r"[^&\s\"']*"
)
_MESSAGE_WITHHELD = "(message withheld: exception text can quote personal data)"


def redact_log_text(text: str) -> str:
    """`text` with secrets in URLs and personal data replaced."""
    return redact_text(_URL_SECRET.sub(r"\1[REDACTED]", text))


def redacted_traceback(exc: BaseException) -> str:
    """The traceback of `exc` and the exceptions chained to it: frames (file, line, function,
    source line) and exception types, never the exceptions' messages or local values."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = "".join(traceback.format_list(traceback.extract_tb(current.__traceback__)))
        frames = redact_log_text(frames)  # source lines are code, but code can hold literals
        module = type(current).__module__
        name = type(current).__qualname__
        name = name if module == "builtins" else f"{module}.{name}"
        parts.append(f"Traceback (most recent call last):\n{frames}{name}: {_MESSAGE_WITHHELD}")
        if current.__cause__ is not None:
            parts.append("The above exception was the direct cause of the following exception:")
            current = current.__cause__
        elif current.__context__ is not None and not current.__suppress_context__:
            parts.append("During handling of the above exception, another exception occurred:")
            current = current.__context__
        else:
            current = None
    # Printed oldest first, like Python's own tracebacks.
    return "\n\n".join(reversed(parts))


def _redact_arg(value: Any) -> Any:
    if isinstance(value, str):
        return redact_log_text(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, BaseException):
        return type(value).__name__
    text = str(value)
    redacted = redact_log_text(text)
    # Unchanged objects stay themselves, so %d or %r in the format behave as written.
    return value if redacted == text else redacted


def redact_record(record: logging.LogRecord) -> None:
    """Redact `record` in place, keeping its shape: the arguments keep their number and their
    types (uvicorn's access formatter unpacks them; a %d still gets a number), only the text
    inside changes. An exception becomes a redacted traceback (`redacted_traceback`), and the
    exception itself is dropped from the record so no formatter can print its message."""
    if getattr(record, "baton_redacted", False):
        return
    record.baton_redacted = True
    if isinstance(record.msg, str):
        record.msg = redact_log_text(record.msg)
    elif not record.args:
        record.msg = redact_log_text(str(record.msg))
    if isinstance(record.args, Mapping):
        record.args = {key: _redact_arg(value) for key, value in record.args.items()}
    elif isinstance(record.args, tuple):
        record.args = tuple(_redact_arg(value) for value in record.args)
    if record.exc_info and record.exc_info[1] is not None:
        record.exc_text = redacted_traceback(record.exc_info[1])
        record.exc_info = None


class RedactingFilter(logging.Filter):
    """A logging filter that redacts each record it sees (for handlers configured with
    `logging.config`, e.g. a uvicorn log config); it never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


_installed = False


def _redacting_factory(previous: Any) -> Any:
    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = previous(*args, **kwargs)
        redact_record(record)
        return record

    factory.baton_redacting = True  # type: ignore[attr-defined]
    return factory


def install_log_redaction() -> None:
    """Redact every log record of the process at creation, whatever logger or handler emits it
    (idempotent)."""
    global _installed
    current = logging.getLogRecordFactory()
    if _installed and getattr(current, "baton_redacting", False):
        return
    logging.setLogRecordFactory(_redacting_factory(current))
    _installed = True
