from __future__ import annotations

from batondesk.nlu import extract_entities


def found(text: str) -> set[tuple[str, str]]:
    return {(e.type, e.value) for e in extract_entities(text)}


def test_amounts_with_currency() -> None:
    assert found("I was charged $1,250.50 and 30 euros") == {
        ("amount", "1250.50 USD"),
        ("amount", "30 EUR"),
    }
    assert ("amount", "12.50 EUR") in found("paid 12,50€ twice")
    assert ("amount", "20 GBP") in found("refund £20 please")


def test_dates() -> None:
    assert ("date", "2024-03-05") in found("on 2024-03-05 I paid")
    assert ("date", "2024-03-05") in found("on 5 March 2024 I paid")
    assert ("date", "2024-04-03") in found("on 03/04/2024 I paid")  # day first
    assert ("date", "yesterday") in found("the payment from yesterday")


def test_order_ids_and_card_last_four() -> None:
    entities = found("card ending in 4242, transaction id TXN-99812, order #A12345678")
    assert {
        ("card_last_four", "4242"),
        ("order_id", "TXN-99812"),
        ("order_id", "A12345678"),
    } <= entities
    assert ("order_id", "55512399") in found("my order number is 55512399")
    assert ("card_last_four", "1234") in found("the last 4 digits are 1234")


def test_email_and_phone_with_offsets() -> None:
    text = "email me at Bob@Example.com or call +1 (555) 123-4567"
    entities = extract_entities(text)
    assert ("email", "bob@example.com") in {(e.type, e.value) for e in entities}
    phone = next(e for e in entities if e.type == "phone")
    assert phone.value == "+15551234567" and text[phone.start : phone.end] == "+1 (555) 123-4567"


def test_plain_text_has_no_entities() -> None:
    assert extract_entities("my card has not arrived") == []
