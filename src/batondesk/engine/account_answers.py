"""What the customer's own account says about their question, in a sentence or two.

For the intents where the customer's data decides the answer (where is my card, why is my
transfer pending or declined, why was my top-up reverted or my card payment declined, which
payment is this, why was I charged), the bot states the customer's own facts before the
article's general rule, instead of asking for what the account already knows. The facts come
from the orders and transactions the account's systems sent (customers/records.py `Order`),
which a turn only holds for a customer whose identity is verified
(customers/profile_values.py); for anyone else there is nothing to state and the reply is the
article's general answer.

Every record field a sentence states is listed (`orders.<id>.<field>`), stored with the reply
and shown to the agent. Fixed words come from the `bot` message catalogue in the customer's
language; dates and amounts are written the way that language writes them. Nothing here
reads the database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from babel.dates import format_skeleton
from babel.numbers import format_currency

from batondesk.i18n import Wording

Record = Mapping[str, Any]
# Babel locale per conversation language: a UK bank writes "3 November", not "November 3".
_BABEL_LOCALE = {"en": "en_GB"}
# Most recent card payments listed for a customer who does not recognise one.
RECENT_PAYMENTS = 3
# Statuses that mean a card is on its way, or has arrived.
_ON_ITS_WAY = {"posted", "shipped", "dispatched", "in_transit"}
_ORDERED = {"ordered", "processing", "requested"}
_DELIVERED = {"delivered", "activated"}


@dataclass(frozen=True)
class AccountFact:
    """Sentences stating the customer's own facts, and the record fields they state."""

    text: str
    fields: list[str] = field(default_factory=list)  # e.g. ["orders.TX-001-03.status"]
    kind: str = ""  # which finder spoke: card_delivery, pending_transfer, ...


def day_in(language: str, day: date) -> str:
    """`day` as the language writes a day of the month: "3 November", "3 de noviembre"."""
    return str(format_skeleton("dMMMM", day, locale=_BABEL_LOCALE.get(language, language)))


@dataclass
class _Writer:
    """Formats one customer's facts in their language and remembers what it read."""

    wording: Wording
    today: date
    fields: list[str] = field(default_factory=list)

    def read(self, record: Record, *names: str) -> None:
        for name in names:
            if record.get(name) not in (None, "") and f"orders.{record['id']}.{name}" not in (
                self.fields
            ):
                self.fields.append(f"orders.{record['id']}.{name}")

    def day(self, record: Record, name: str = "date") -> str:
        self.read(record, name)
        return day_in(self.wording.language, _date(record.get(name)) or self.today)

    def amount(self, record: Record) -> str:
        self.read(record, "total", "currency")
        value = abs(float(record.get("total") or 0.0))
        locale = _BABEL_LOCALE.get(self.wording.language, self.wording.language)
        return str(format_currency(value, record.get("currency") or "GBP", locale=locale))

    def text_of(self, record: Record, name: str) -> str:
        self.read(record, name)
        return str(record.get(name))


Finder = Callable[[Sequence[Record], _Writer], str | None]


def account_fact(
    intent: str | None,
    records: Sequence[Record],
    wording: Wording,
    *,
    today: date | None = None,
) -> AccountFact | None:
    """The customer's facts for `intent`, or None when the intent is not one their account
    decides or their records hold nothing about it. `records`: the verified customer's orders
    and transactions (empty for anyone else). `today`: for "running late" (UTC today)."""
    finder = FINDERS.get(intent or "")
    if finder is None or not records:
        return None
    writer = _Writer(wording, today or datetime.now(UTC).date())
    text = finder(records, writer)
    if text is None:
        return None
    return AccountFact(text, writer.fields, finder.__name__.strip("_"))


def _card_delivery(records: Sequence[Record], w: _Writer) -> str | None:
    card = _latest(records, "card")
    if card is None:
        return None
    status = str(card.get("status") or "").lower()
    last4 = card.get("card_last4")
    w.read(card, "status", "card_last4")
    expected = _date(card.get("expected_by"))
    if status in _DELIVERED:
        return w.wording.gettext(
            "Our records show your card ending {last4} was delivered on {day}.",
            last4=last4,
            day=w.day(card),
        )
    if status in _ORDERED:
        text = w.wording.gettext(
            "Your card ending {last4} was ordered on {day} and hasn't been posted yet.",
            last4=last4,
            day=w.day(card),
        )
    elif status in _ON_ITS_WAY:
        text = w.wording.gettext(
            "Your card ending {last4} was posted on {day}.", last4=last4, day=w.day(card)
        )
    else:
        return None
    if expected is None:
        return text
    if expected < w.today:
        late = w.wording.gettext(
            "It was due by {day}, so it's running late: here is what to do.",
            day=w.day(card, "expected_by"),
        )
        return f"{text} {late}"
    due = w.wording.gettext("It should arrive by {day}.", day=w.day(card, "expected_by"))
    return f"{text} {due}"


def _pending_transfer(records: Sequence[Record], w: _Writer) -> str | None:
    pending = _latest(records, "transfer", {"pending"})
    return _transfer(pending or _latest(records, "transfer"), w)


def _latest_transfer(records: Sequence[Record], w: _Writer) -> str | None:
    return _transfer(_latest(records, "transfer"), w)


def _declined_transfer(records: Sequence[Record], w: _Writer) -> str | None:
    return _transfer(_latest(records, "transfer", {"declined", "failed", "rejected"}), w)


def _transfer(transfer: Record | None, w: _Writer) -> str | None:
    if transfer is None:
        return None
    status = str(transfer.get("status") or "").lower()
    values = {
        "amount": w.amount(transfer),
        "payee": w.text_of(transfer, "description"),
        "day": w.day(transfer),
    }
    w.read(transfer, "status")
    if status == "pending":
        text = w.wording.gettext(
            "Your transfer of {amount} to {payee} on {day} is still pending.", **values
        )
    elif status in ("declined", "rejected"):
        text = w.wording.gettext(
            "Your transfer of {amount} to {payee} on {day} was declined.", **values
        )
    elif status == "failed":
        text = w.wording.gettext(
            "Your transfer of {amount} to {payee} on {day} failed and the money is coming back "
            "to your balance.",
            **values,
        )
    elif status == "completed":
        text = w.wording.gettext(
            "Your latest transfer, {amount} to {payee} on {day}, has completed: it has left "
            "your account.",
            **values,
        )
    else:
        return None
    return _with_reason(text, transfer, w)


def _reverted_top_up(records: Sequence[Record], w: _Writer) -> str | None:
    top_up = _latest(records, "top_up", {"reverted"})
    if top_up is None:
        return None
    text = w.wording.gettext(
        "Your top-up of {amount} on {day} was reverted.",
        amount=w.amount(top_up),
        day=w.day(top_up),
    )
    w.read(top_up, "status")
    return _with_reason(text, top_up, w)


def _pending_top_up(records: Sequence[Record], w: _Writer) -> str | None:
    top_up = _latest(records, "top_up", {"pending"})
    if top_up is None:
        return None
    w.read(top_up, "status")
    return w.wording.gettext(
        "Your top-up of {amount} on {day} is still pending.",
        amount=w.amount(top_up),
        day=w.day(top_up),
    )


def _failed_top_up(records: Sequence[Record], w: _Writer) -> str | None:
    top_up = _latest(records, "top_up", {"failed", "declined"})
    if top_up is None:
        return None
    w.read(top_up, "status")
    text = w.wording.gettext(
        "Your top-up of {amount} on {day} didn't go through.",
        amount=w.amount(top_up),
        day=w.day(top_up),
    )
    return _with_reason(text, top_up, w)


def _declined_card_payment(records: Sequence[Record], w: _Writer) -> str | None:
    payment = _latest(records, "card_payment", {"declined"})
    if payment is None:
        return None
    w.read(payment, "status")
    text = w.wording.gettext(
        "Your card payment of {amount} at {merchant} on {day} was declined.",
        amount=w.amount(payment),
        merchant=w.text_of(payment, "description"),
        day=w.day(payment),
    )
    return _with_reason(text, payment, w)


def _recent_card_payments(records: Sequence[Record], w: _Writer) -> str | None:
    payments = [
        r
        for r in _newest_first(records, "card_payment")
        if str(r.get("status") or "").lower() in ("completed", "pending")
    ][:RECENT_PAYMENTS]
    if not payments:
        return None
    listed = "\n".join(
        f"- {w.day(p)}: {w.text_of(p, 'description')}, {w.amount(p)}" for p in payments
    )
    return w.wording.gettext(
        "These are your most recent card payments:\n\n{payments}\n\nIf one of them isn't "
        "yours, here is what to do.",
        payments=listed,
    )


def _fee_finder(*charged_for: str) -> Finder:
    def fee(records: Sequence[Record], w: _Writer) -> str | None:
        charged = next(
            (r for r in _newest_first(records, "fee") if r.get("charged_for") in charged_for),
            None,
        )
        if charged is None:
            return None
        w.read(charged, "charged_for")
        text = w.wording.gettext(
            "On {day} we charged you {amount}: {what}.",
            day=w.day(charged),
            amount=w.amount(charged),
            what=w.text_of(charged, "description"),
        )
        return _with_reason(text, charged, w)

    fee.__name__ = "_fee"
    return fee


def _with_reason(text: str, record: Record, w: _Writer) -> str:
    if not record.get("reason"):
        return text
    reason = w.wording.gettext("The reason: {reason}.", reason=w.text_of(record, "reason"))
    return f"{text} {reason}"


def _newest_first(
    records: Sequence[Record], kind: str, statuses: set[str] | None = None
) -> list[Record]:
    found = [
        r
        for r in records
        if r.get("kind") == kind
        and (statuses is None or str(r.get("status") or "").lower() in statuses)
    ]
    return sorted(found, key=lambda r: (str(r.get("date") or ""), str(r["id"])), reverse=True)


def _latest(
    records: Sequence[Record], kind: str, statuses: set[str] | None = None
) -> Record | None:
    found = _newest_first(records, kind, statuses)
    return found[0] if found else None


def _date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


# The intents (BANKING77's names, the demo's) the customer's own records answer.
FINDERS: dict[str, Finder] = {
    "card_arrival": _card_delivery,
    "card_delivery_estimate": _card_delivery,
    "pending_transfer": _pending_transfer,
    "transfer_not_received_by_recipient": _latest_transfer,
    "declined_transfer": _declined_transfer,
    "failed_transfer": _declined_transfer,
    "top_up_reverted": _reverted_top_up,
    "pending_top_up": _pending_top_up,
    "top_up_failed": _failed_top_up,
    "declined_card_payment": _declined_card_payment,
    "card_payment_not_recognised": _recent_card_payments,
    "card_payment_fee_charged": _fee_finder("card_payment", "exchange"),
    "exchange_charge": _fee_finder("exchange", "card_payment"),
    "transfer_fee_charged": _fee_finder("transfer"),
    "cash_withdrawal_charge": _fee_finder("cash_withdrawal"),
}
