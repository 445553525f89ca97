from __future__ import annotations

from batondesk.nlu import find_personal_data
from batondesk.nlu.personal_data import iban_valid, luhn_valid
from batondesk.privacy.redaction import redact_text as redact


def types(text: str) -> list[str]:
    return [span.type for span in find_personal_data(text)]


def test_luhn_and_iban_checks() -> None:
    assert luhn_valid("4111111111111111") and not luhn_valid("4111111111111112")
    assert iban_valid("GB82 WEST 1234 5698 7654 32") and not iban_valid(
        "GB82 WEST 1234 5698 7654 33"
    )


def test_cards_must_pass_luhn() -> None:
    assert types("my card is 4111 1111 1111 1111") == ["card"]
    assert types("card 5500-0000-0000-0004 please") == ["card"]
    assert "card" not in types("my card is 4111 1111 1111 1112")
    assert "card" not in types("reference 1234567890123456")


def test_iban_email_phone_national_ids() -> None:
    assert types("IBAN DE89370400440532013000") == ["iban"]
    assert "iban" not in types("IBAN DE89370400440532013001")
    assert types("write to a.b@example.co.uk") == ["email"]
    assert types("call +44 20 7946 0958") == ["phone"]
    assert types("SSN 123-45-6789") == ["national_id"]
    assert types("DNI 12345678Z") == ["national_id"]
    assert "national_id" not in types("DNI 12345678A")  # wrong check letter
    assert types("NI number AB123456C") == ["national_id"]


def test_spans_point_at_the_data() -> None:
    text = "mail bob@example.com now"
    (span,) = find_personal_data(text)
    assert span.value(text) == "bob@example.com"


def test_redact_replaces_with_placeholders_and_keeps_the_rest() -> None:
    text = "Card 4111 1111 1111 1111, mail bob@example.com, tel +33 6 12 34 56 78, order 12345"
    assert redact(text) == "Card [CARD], mail [EMAIL], tel [PHONE], order 12345"
    assert redact("IBAN GB82 WEST 1234 5698 7654 32 ok") == "IBAN [IBAN] ok"
    assert redact("nothing personal here") == "nothing personal here"
