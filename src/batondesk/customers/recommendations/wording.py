"""Recommendations in words a person reads: the offer's name, the reason in the customer's
own figures, and where to get the offer. The bot says them in the customer's language and
agents read them in English; the texts live in the `bot` message catalogue (i18n), amounts
are written the way the language writes them.
"""

from __future__ import annotations

from babel.numbers import format_currency

from batondesk.customers.recommendations.catalogue import BY_ID
from batondesk.customers.recommendations.ranking import Recommendation
from batondesk.customers.recommendations.rules import Reason
from batondesk.i18n import Wording

# Babel locale per language: a UK bank writes "£18.40", as account answers do.
_BABEL_LOCALE = {"en": "en_GB"}


def _money(amount: float, currency: str, wording: Wording) -> str:
    locale = _BABEL_LOCALE.get(wording.language, wording.language)
    return str(format_currency(amount, currency, locale=locale))


def offer_name(offer: str, wording: Wording) -> str:
    found = BY_ID[offer]
    if found.kind == "currency_account":
        return wording.gettext("{currency} currency account", currency=found.currency)
    names = {
        "premium": wording.gettext("Premium plan"),
        "vip": wording.gettext("VIP plan"),
        "savings_vault": wording.gettext("Savings vault"),
        "virtual_card": wording.gettext("Virtual card"),
        "disposable_card": wording.gettext("Disposable virtual card"),
        "junior": wording.gettext("Baton Junior account"),
    }
    return names.get(offer, found.name)


def reason_text(reason: Reason, wording: Wording) -> str:
    """The reason in the customer's own figures."""
    f = reason.figures
    money = reason.currency
    if reason.rule == "plan_fees":
        return wording.gettext(
            "You paid {paid} in fees over the last three months. On {plan} ({price} a month) "
            "you would have paid {would_pay}: {saving} less, its monthly price included.",
            paid=_money(f["paid"], money, wording),
            plan=f["plan"],
            price=_money(f["monthly_price_gbp"], "GBP", wording),
            would_pay=_money(f["would_pay"], money, wording),
            saving=_money(f["saving"], money, wording),
        )
    if reason.rule == "currency_spend":
        return wording.gettext(
            "Over the last three months you paid {spent} in {currency} by card ({payments} "
            "payments), each converted from your main balance. A {currency} account lets you "
            "exchange when the rate suits you and pay without converting.",
            spent=_money(f["spent"], money, wording),
            currency=money,
            payments=f["payments"],
        )
    if reason.rule == "online_payments":
        if f["subscriptions"] >= 2:
            said = wording.gettext(
                "You made {payments} online card payments over the last three months and pay "
                "{subscriptions} subscriptions by card.",
                payments=f["payments"],
                subscriptions=f["subscriptions"],
            )
        else:
            said = wording.gettext(
                "You made {payments} online card payments over the last three months.",
                payments=f["payments"],
            )
        why = wording.gettext(
            "A virtual card keeps your main card's number off websites, and you can freeze it "
            "on its own."
        )
        return f"{said} {why}"
    if reason.rule == "new_shops":
        return wording.gettext(
            "Over the last three months you paid {shops} online shops only once. A disposable "
            "virtual card changes its details after each payment, so the card details a shop "
            "keeps are no use to anyone who steals them.",
            shops=f["shops"],
        )
    if reason.rule == "money_left_over":
        return wording.gettext(
            "{surplus} more came into your account than went out over the last three months. "
            "A savings vault keeps money you want to put aside apart from your card spending "
            "(it pays no interest).",
            surplus=_money(f["surplus"], money, wording),
        )
    raise ValueError(f"no wording for the rule {reason.rule!r}")


def where_to_get(offer: str, wording: Wording) -> str:
    kind = BY_ID[offer].kind
    if kind == "plan":
        return wording.gettext("You can switch plans at any time in Profile > Plan.")
    if kind == "currency_account":
        return wording.gettext("You can open one for free in Home > + > Add currency.")
    if offer == "virtual_card":
        return wording.gettext("It's free: Cards > + > Virtual card.")
    if offer == "disposable_card":
        return wording.gettext("It's free: Cards > + > Disposable virtual card.")
    if offer == "savings_vault":
        return wording.gettext("You can open one in Home > Vaults.")
    return wording.gettext("A parent can open one in Profile > Baton Junior.")


def why_text(recommendation: Recommendation, wording: Wording) -> str:
    """Why it is recommended: the rule's reason, else what the customer holds that
    customers who have the offer tend to hold too."""
    if recommendation.reason is not None:
        return reason_text(recommendation.reason, wording)
    if recommendation.similar_to:
        products = " + ".join(offer_name(o, wording) for o in recommendation.similar_to)
        return wording.gettext(
            "Customers who hold {products} often have this too.", products=products
        )
    return wording.gettext("Many customers have this.")


def chat_offer(recommendation: Recommendation, wording: Wording) -> str:
    """What the bot adds after a resolved question (a rule's reason only)."""
    return wording.gettext(
        "By the way: {reason} {where}",
        reason=why_text(recommendation, wording),
        where=where_to_get(recommendation.offer, wording),
    )
