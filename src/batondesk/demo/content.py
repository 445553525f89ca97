"""Baton Bank demo workspace content: knowledge base, teams, agents and customers.

Pure data and loaders: nothing here touches a database or the network, so the seeding code (and
the tests) can read the demo content without any running service. Everything is deterministic:
the same call returns the same customers on every machine, which keeps screenshots, evaluation
sets and bug reports reproducible.

Conventions:
- Money amounts are decimal strings (e.g. "-23.40"); negative means money out of the account.
- Relative dates (`when_days_ago`, `days_ago`) are counted back from the moment of seeding, so a
  demo seeded today always looks recent.
"""

# Conversation scripts are prose; wrapping them at 100 columns would only hurt readability.
# ruff: noqa: E501

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

KB_DIR = Path(__file__).parent / "kb"

# Demo-only credentials for the seeded staff accounts; `make demo` prints them. Never used outside
# the demo workspace.
# The demo's published sign-in, demo data only.
DEMO_PASSWORD = "baton-demo"  # nosec B105
# How the bot describes what it can help with, when a question is outside it.
DEMO_SCOPE = "cards, payments, transfers, top-ups, currency exchange and your account"

# The 77 BANKING77 intents, spelled exactly as in the dataset (including the odd
# "Refund_not_showing_up" and "reverted_card_payment?"), because the demo's classifier is trained
# on that dataset and its labels must match the knowledge base's.
INTENTS: tuple[str, ...] = (
    "activate_my_card",
    "age_limit",
    "apple_pay_or_google_pay",
    "atm_support",
    "automatic_top_up",
    "balance_not_updated_after_bank_transfer",
    "balance_not_updated_after_cheque_or_cash_deposit",
    "beneficiary_not_allowed",
    "cancel_transfer",
    "card_about_to_expire",
    "card_acceptance",
    "card_arrival",
    "card_delivery_estimate",
    "card_linking",
    "card_not_working",
    "card_payment_fee_charged",
    "card_payment_not_recognised",
    "card_payment_wrong_exchange_rate",
    "card_swallowed",
    "cash_withdrawal_charge",
    "cash_withdrawal_not_recognised",
    "change_pin",
    "compromised_card",
    "contactless_not_working",
    "country_support",
    "declined_card_payment",
    "declined_cash_withdrawal",
    "declined_transfer",
    "direct_debit_payment_not_recognised",
    "disposable_card_limits",
    "edit_personal_details",
    "exchange_charge",
    "exchange_rate",
    "exchange_via_app",
    "extra_charge_on_statement",
    "failed_transfer",
    "fiat_currency_support",
    "get_disposable_virtual_card",
    "get_physical_card",
    "getting_spare_card",
    "getting_virtual_card",
    "lost_or_stolen_card",
    "lost_or_stolen_phone",
    "order_physical_card",
    "passcode_forgotten",
    "pending_card_payment",
    "pending_cash_withdrawal",
    "pending_top_up",
    "pending_transfer",
    "pin_blocked",
    "receiving_money",
    "Refund_not_showing_up",
    "request_refund",
    "reverted_card_payment?",
    "supported_cards_and_currencies",
    "terminate_account",
    "top_up_by_bank_transfer_charge",
    "top_up_by_card_charge",
    "top_up_by_cash_or_cheque",
    "top_up_failed",
    "top_up_limits",
    "top_up_reverted",
    "topping_up_by_card",
    "transaction_charged_twice",
    "transfer_fee_charged",
    "transfer_into_account",
    "transfer_not_received_by_recipient",
    "transfer_timing",
    "unable_to_verify_identity",
    "verify_my_identity",
    "verify_source_of_funds",
    "verify_top_up",
    "virtual_card_not_working",
    "visa_or_mastercard",
    "why_verify_identity",
    "wrong_amount_of_cash_received",
    "wrong_exchange_rate_for_cash_withdrawal",
)

# Questions about what the bank does not offer (mortgages, loans, cheque books ...) are a topic
# of their own: the demo's model learns it from written examples, and the article that says so
# ("What Baton Bank doesn't offer") serves it, so the bot declines them honestly.
NOT_OFFERED_INTENT = "not_offered"


# --------------------------------------------------------------------------------------------
# Types
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArticleSeed:
    slug: str
    title: str
    body: str
    intents: tuple[str, ...]
    tags: tuple[str, ...]
    locale: str


@dataclass(frozen=True)
class TeamSeed:
    name: str
    intents: tuple[str, ...]


@dataclass(frozen=True)
class AgentSeed:
    name: str
    email: str
    role: str  # "admin" | "analyst" | "agent"
    team: str | None  # a TeamSeed.name; None for staff who work across teams


@dataclass(frozen=True)
class TransactionSeed:
    id: str
    when_days_ago: int
    merchant: str
    amount: str  # Decimal as a string; negative = money out
    currency: str
    status: str  # "completed" | "pending" | "reverted" | "declined"


@dataclass(frozen=True)
class PastConversationSeed:
    days_ago: int
    intent: str
    messages: tuple[tuple[str, str], ...]  # (sender: "customer" | "bot" | "agent", text)
    resolved_by: str  # "bot" | "agent"
    csat: int | None


@dataclass(frozen=True)
class CustomerSeed:
    external_id: str
    name: str
    email: str
    phone: str
    locale: str
    tier: str  # "standard" | "premium" | "vip"
    # A dict keeps the CRM shape open-ended; excluded from hashing so the seed stays hashable.
    attributes: dict[str, str] = field(hash=False)
    transactions: tuple[TransactionSeed, ...] = ()
    past_conversations: tuple[PastConversationSeed, ...] = ()


# --------------------------------------------------------------------------------------------
# Knowledge base
# --------------------------------------------------------------------------------------------

_REQUIRED_KEYS = ("slug", "title", "intents", "tags", "locale")
_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _parse_scalar(raw: str) -> str:
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        return raw[1:-1]
    return raw


def _parse_front_matter(text: str, source: str) -> tuple[dict[str, str | list[str]], str]:
    """Split a Markdown file into its front matter and body.

    The front matter uses only `key: value` and `key: [a, b]` lines, so a strict parser of that
    subset is enough; it avoids a YAML dependency and rejects anything fancier instead of
    silently misreading it.
    """
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise ValueError(f"{source}: missing front matter (the file must start with '---')")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise ValueError(f"{source}: front matter is not closed with '---'") from None
    meta: dict[str, str | list[str]] = {}
    for number, line in enumerate(lines[1:end], start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep or not key.strip():
            raise ValueError(f"{source}:{number}: expected 'key: value', got {line!r}")
        value = value.strip()
        if value.startswith("["):
            if not value.endswith("]"):
                raise ValueError(f"{source}:{number}: unclosed list in {line!r}")
            items = [_parse_scalar(item) for item in value[1:-1].split(",")]
            meta[key.strip()] = [item for item in items if item]
        else:
            meta[key.strip()] = _parse_scalar(value)
    body = "\n".join(lines[end + 1 :]).strip()
    return meta, body


def parse_article(path: Path) -> ArticleSeed:
    """Read one knowledge-base file; raises ValueError naming the file when it is malformed."""
    meta, body = _parse_front_matter(path.read_text(encoding="utf-8"), path.name)
    # An empty intents list is allowed: an article may answer no intent of the model (e.g.
    # what the bank does not offer), and is then found by search alone.
    missing = [key for key in _REQUIRED_KEYS if key not in meta or meta[key] in ("", None)]
    if missing:
        raise ValueError(f"{path.name}: missing front matter key(s): {', '.join(missing)}")
    for key in ("intents", "tags"):
        if not isinstance(meta[key], list):
            raise ValueError(f"{path.name}: '{key}' must be a list like [a, b]")
    for key in ("slug", "title", "locale"):
        if not isinstance(meta[key], str):
            raise ValueError(f"{path.name}: '{key}' must be a single value, not a list")
    slug = str(meta["slug"])
    if not _SLUG_RE.match(slug):
        raise ValueError(f"{path.name}: slug {slug!r} must be lowercase words joined by '-'")
    if not body:
        raise ValueError(f"{path.name}: the article body is empty")
    return ArticleSeed(
        slug=slug,
        title=str(meta["title"]),
        body=body,
        intents=tuple(meta["intents"]),
        tags=tuple(meta["tags"]),
        locale=str(meta["locale"]),
    )


def load_articles(directory: Path | None = None) -> list[ArticleSeed]:
    """All knowledge-base articles of `directory` (default: the Baton Bank KB), sorted by file
    name so that seeding order, and therefore database ids, are stable."""
    folder = directory if directory is not None else KB_DIR
    paths = sorted(folder.glob("*.md"))
    articles = [parse_article(path) for path in paths]
    seen: dict[str, str] = {}
    for article, path in zip(articles, paths, strict=True):
        if article.slug in seen:
            raise ValueError(
                f"{path.name}: slug {article.slug!r} already used by {seen[article.slug]}"
            )
        seen[article.slug] = path.name
    return articles


# --------------------------------------------------------------------------------------------
# Teams and staff
# --------------------------------------------------------------------------------------------

# Security and account-holder questions (fraud, identity, access, closing) go to a separate team:
# they need stricter checks and different permissions than day-to-day card and payment issues.
SECURITY_INTENTS: tuple[str, ...] = (
    "lost_or_stolen_card",
    "compromised_card",
    "card_payment_not_recognised",
    "cash_withdrawal_not_recognised",
    "direct_debit_payment_not_recognised",
    "beneficiary_not_allowed",
    "age_limit",
    "country_support",
    "verify_my_identity",
    "why_verify_identity",
    "unable_to_verify_identity",
    "verify_source_of_funds",
    "edit_personal_details",
    "passcode_forgotten",
    "lost_or_stolen_phone",
    "terminate_account",
)

TEAMS: tuple[TeamSeed, ...] = (
    TeamSeed(
        name="Cards & Payments",
        intents=tuple(i for i in INTENTS if i not in SECURITY_INTENTS),
    ),
    TeamSeed(name="Accounts & Security", intents=SECURITY_INTENTS),
)

AGENTS: tuple[AgentSeed, ...] = (
    AgentSeed("Ada Admin", "admin@batonbank.example", "admin", None),
    AgentSeed("Noor Haddad", "noor.haddad@batonbank.example", "analyst", None),
    AgentSeed("Tom Whitaker", "tom.whitaker@batonbank.example", "agent", "Cards & Payments"),
    AgentSeed("Lucía Romero", "lucia.romero@batonbank.example", "agent", "Cards & Payments"),
    AgentSeed("Kofi Mensah", "kofi.mensah@batonbank.example", "agent", "Cards & Payments"),
    AgentSeed("Aisling Byrne", "aisling.byrne@batonbank.example", "agent", "Accounts & Security"),
    AgentSeed("Marek Nowak", "marek.nowak@batonbank.example", "agent", "Accounts & Security"),
)


def team_for_intent(intent: str) -> str:
    for team in TEAMS:
        if intent in team.intents:
            return team.name
    raise KeyError(intent)


# --------------------------------------------------------------------------------------------
# Customers
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Country:
    code: str
    currency: str
    cities: tuple[str, ...]
    merchants: tuple[tuple[str, float, float], ...]  # (name, min amount, max amount)


def _digits(rng: random.Random, count: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(count))


def _phone(rng: random.Random, country: str) -> str:
    # Real mobile prefixes per country; UK numbers use Ofcom's 07700 900xxx range reserved for
    # fiction, so the demo never shows a real person's number.
    if country == "GB":
        return "+447700900" + _digits(rng, 3)
    if country == "IE":
        return "+353" + rng.choice(("83", "85", "86", "87")) + _digits(rng, 7)
    if country == "ES":
        return "+346" + _digits(rng, 8)
    if country == "FR":
        return "+33" + rng.choice(("6", "7")) + _digits(rng, 8)
    if country == "DE":
        return "+49" + rng.choice(("151", "160", "170", "176")) + _digits(rng, 8)
    if country == "PT":
        return "+3519" + rng.choice(("1", "2", "3", "6")) + _digits(rng, 7)
    if country == "IT":
        return "+393" + rng.choice(("20", "33", "40", "47", "48")) + _digits(rng, 7)
    if country == "PL":
        return "+48" + rng.choice(("50", "60", "66", "69", "79", "88")) + _digits(rng, 7)
    raise KeyError(country)


_ONLINE = (
    ("Amazon", 6.0, 120.0),
    ("Netflix", 10.99, 10.99),
    ("Spotify", 11.99, 11.99),
    ("Apple.com/bill", 0.99, 9.99),
    ("Uber", 7.0, 38.0),
    ("Airbnb", 80.0, 420.0),
    ("Booking.com", 60.0, 310.0),
    ("Steam", 4.99, 59.99),
)

_COUNTRIES: dict[str, _Country] = {
    "GB": _Country(
        "GB",
        "GBP",
        (
            "London",
            "Manchester",
            "Leeds",
            "Bristol",
            "Birmingham",
            "Glasgow",
            "Leicester",
            "Cardiff",
            "Brighton",
            "Edinburgh",
        ),
        (
            ("Tesco", 4.0, 85.0),
            ("Sainsbury's", 6.0, 95.0),
            ("Pret A Manger", 3.5, 12.0),
            ("TfL Travel", 2.8, 8.5),
            ("Boots", 3.0, 40.0),
            ("Greggs", 1.8, 7.5),
            ("Deliveroo", 14.0, 42.0),
            ("Trainline", 12.0, 95.0),
            ("Shell", 30.0, 80.0),
        ),
    ),
    "IE": _Country(
        "IE",
        "EUR",
        ("Dublin", "Cork", "Galway", "Limerick"),
        (
            ("Dunnes Stores", 8.0, 90.0),
            ("Tesco Ireland", 5.0, 80.0),
            ("Leap Card Top-up", 10.0, 30.0),
            ("Circle K", 25.0, 75.0),
            ("Insomnia Coffee", 3.2, 9.0),
        ),
    ),
    "ES": _Country(
        "ES",
        "EUR",
        ("Madrid", "Barcelona", "Valencia", "Sevilla", "Bilbao", "Málaga"),
        (
            ("Mercadona", 9.0, 110.0),
            ("El Corte Inglés", 15.0, 180.0),
            ("Renfe", 12.0, 75.0),
            ("Glovo", 11.0, 35.0),
            ("Repsol", 30.0, 80.0),
        ),
    ),
    "FR": _Country(
        "FR",
        "EUR",
        ("Paris", "Lyon", "Marseille", "Toulouse", "Nantes", "Lille"),
        (
            ("Carrefour", 8.0, 120.0),
            ("Monoprix", 5.0, 60.0),
            ("SNCF Connect", 15.0, 120.0),
            ("Fnac", 12.0, 250.0),
            ("Boulangerie Paul", 2.5, 14.0),
        ),
    ),
    "DE": _Country(
        "DE",
        "EUR",
        ("Berlin", "München", "Hamburg", "Köln", "Frankfurt am Main", "Leipzig"),
        (
            ("REWE", 7.0, 95.0),
            ("Lidl", 5.0, 70.0),
            ("Deutsche Bahn", 19.0, 140.0),
            ("dm-drogerie markt", 4.0, 35.0),
            ("Lieferando", 15.0, 40.0),
        ),
    ),
    "PT": _Country(
        "PT",
        "EUR",
        ("Lisboa", "Porto", "Braga", "Coimbra", "Faro"),
        (
            ("Continente", 8.0, 90.0),
            ("Pingo Doce", 6.0, 70.0),
            ("CP Comboios", 5.0, 45.0),
            ("Galp", 30.0, 75.0),
            ("Worten", 20.0, 300.0),
        ),
    ),
    "IT": _Country(
        "IT",
        "EUR",
        ("Roma", "Milano", "Torino", "Bologna", "Napoli", "Firenze"),
        (
            ("Esselunga", 9.0, 110.0),
            ("Coop", 6.0, 80.0),
            ("Trenitalia", 10.0, 90.0),
            ("Autogrill", 4.0, 20.0),
            ("Eni Station", 30.0, 80.0),
        ),
    ),
    "PL": _Country(
        "PL",
        "PLN",
        ("Warszawa", "Kraków", "Wrocław", "Gdańsk", "Poznań"),
        (
            ("Biedronka", 25.0, 320.0),
            ("Żabka", 8.0, 60.0),
            ("Orlen", 150.0, 350.0),
            ("PKP Intercity", 40.0, 180.0),
            ("Allegro", 30.0, 600.0),
        ),
    ),
}

# (heritage, country of residence, locale, how many customers). Baton Bank serves UK/EEA
# residents only (see the KB), so customers with Indian and Nigerian names live in the UK, like
# much of a real UK bank's customer base.
_POPULATION: tuple[tuple[str, str, str, int], ...] = (
    ("uk", "GB", "en", 10),
    ("in", "GB", "en", 3),
    ("ng", "GB", "en", 3),
    ("ie", "IE", "en", 4),
    ("es", "ES", "es", 6),
    ("fr", "FR", "fr", 6),
    ("de", "DE", "de", 6),
    ("pt", "PT", "pt", 4),
    ("it", "IT", "it", 5),
    ("pl", "PL", "en", 3),
)

_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "uk": (
        (
            "Oliver",
            "Amelia",
            "Harry",
            "Isla",
            "George",
            "Charlotte",
            "Jack",
            "Emily",
            "Sophie",
            "Callum",
            "Megan",
            "Rhys",
            "Eleanor",
            "Daniel",
            "Grace",
        ),
        (
            "Smith",
            "Jones",
            "Taylor",
            "Brown",
            "Wilson",
            "Evans",
            "Thompson",
            "Walker",
            "Hughes",
            "Wright",
            "Robinson",
            "Clarke",
            "Hall",
            "Morgan",
            "Fraser",
        ),
    ),
    "in": (
        ("Priya", "Arjun", "Ananya", "Rohan", "Kavya", "Vikram", "Neha", "Aarav"),
        ("Sharma", "Patel", "Iyer", "Reddy", "Gupta", "Nair", "Mehta", "Singh"),
    ),
    "ng": (
        ("Chidinma", "Oluwaseun", "Adaeze", "Emeka", "Funmilayo", "Tunde", "Ngozi", "Ifeanyi"),
        ("Okafor", "Adeyemi", "Eze", "Balogun", "Nwosu", "Okonkwo", "Adebayo", "Obi"),
    ),
    "ie": (
        ("Siobhán", "Cian", "Aoife", "Darragh", "Niamh", "Oisín", "Ciara", "Eoin"),
        ("Murphy", "O'Brien", "Kelly", "Byrne", "Ryan", "Walsh", "O'Sullivan", "Doyle"),
    ),
    "es": (
        ("Lucía", "Javier", "María", "Alejandro", "Carmen", "Pablo", "Elena", "Sergio"),
        ("García", "Martínez", "López", "Sánchez", "Fernández", "Ruiz", "Moreno", "Navarro"),
    ),
    "fr": (
        ("Camille", "Julien", "Léa", "Mathieu", "Chloé", "Antoine", "Manon", "Nicolas"),
        ("Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Lefèvre", "Girard", "Fontaine"),
    ),
    "de": (
        ("Lukas", "Anna", "Jonas", "Lena", "Felix", "Marie", "Tobias", "Katharina"),
        ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Hoffmann", "Wagner"),
    ),
    "pt": (
        ("João", "Inês", "Tiago", "Beatriz", "Rui", "Mariana", "Diogo", "Catarina"),
        ("Silva", "Santos", "Ferreira", "Pereira", "Costa", "Oliveira", "Rodrigues", "Almeida"),
    ),
    "it": (
        ("Giulia", "Marco", "Francesca", "Alessandro", "Chiara", "Luca", "Sara", "Davide"),
        ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci"),
    ),
    "pl": (
        ("Katarzyna", "Piotr", "Agnieszka", "Tomasz", "Magdalena", "Paweł", "Zofia", "Jakub"),
        # "male/female" forms: Polish surnames agree with the first name's gender.
        (
            "Kowalski/Kowalska",
            "Wiśniewski/Wiśniewska",
            "Wójcik/Wójcik",
            "Kamiński/Kamińska",
            "Lewandowski/Lewandowska",
            "Zieliński/Zielińska",
            "Szymański/Szymańska",
            "Dąbrowski/Dąbrowska",
        ),
    ),
}

_EMAIL_DOMAINS = ("example.com", "example.org", "mail.example")
_CURRENCY_SYMBOL = {"GBP": "£", "EUR": "€", "USD": "$", "PLN": "zł"}
# The demo seeds a fixed "today" for account-opening dates so the data never depends on the clock.
_REFERENCE_DATE = date(2026, 11, 1)


def _ascii(text: str) -> str:
    """Email-safe spelling of a name: accents dropped (García -> garcia), apostrophes removed."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = plain.replace("ł", "l").replace("Ł", "L")
    return re.sub(r"[^a-z]", "", plain.lower())


def _money(amount: Decimal, currency: str, locale: str) -> str:
    """Amount as a customer would type it: "£23.40" in English, "23,40 €" on the continent."""
    value = abs(amount)
    symbol = _CURRENCY_SYMBOL.get(currency, currency + " ")
    if locale == "en":
        if currency == "PLN":
            return f"{value:.2f} zł"
        return f"{symbol}{value:.2f}"
    return f"{value:.2f}".replace(".", ",") + f" {symbol}"


def _amount(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(str(round(rng.uniform(low, high), 2))).quantize(Decimal("0.01"))


# ---- past conversation scripts ---------------------------------------------------------------
# Each script: (intent, resolved_by, linked transaction kind or None, countries or None, messages).
# Placeholders: {first} customer's first name, {agent} agent's first name, {merchant}/{money} the
# linked transaction, {last4} card. Customer lines are written as people type: lowercase, typos,
# slang. Bot and agent lines state the same facts as the knowledge base.

_Script = tuple[str, str, str | None, tuple[str, ...] | None, tuple[tuple[str, str], ...]]

_SCRIPTS: dict[str, tuple[_Script, ...]] = {
    "en": (
        (
            "card_arrival",
            "bot",
            None,
            None,
            (
                (
                    "customer",
                    "hi, ordered my card like a week ago and still nothing?? when is it coming",
                ),
                (
                    "bot",
                    "Hi {first}, sorry for the wait. We post cards within 1 working day, and standard delivery takes 3-5 working days in the UK or 5-8 in the EEA. You can see the dispatch date in Cards > Track delivery. If it hasn't arrived after 7 working days (12 in the EEA), tap \"My card hasn't arrived\" there and we'll cancel it and send a new one for free.",
                ),
                ("customer", "ok it says dispatched monday so ill give it till friday. thanks"),
            ),
        ),
        (
            "card_arrival",
            "agent",
            None,
            None,
            (
                (
                    "customer",
                    "My card still hasnt arrived and its been 2 weeks. This is ridiculous, I need it for my holiday on Saturday",
                ),
                (
                    "bot",
                    "I'm sorry, {first}, that's far longer than it should take. I'm passing you to my colleague in Cards & Payments so they can replace it quickly.",
                ),
                (
                    "agent",
                    "Hi {first}, {agent} here. I've cancelled the missing card so nobody else can use it, and ordered a replacement by express delivery at no charge; it should be with you in 1-2 working days. Until then you can create a virtual card in Cards > + > Virtual card and add it to Apple Pay or Google Pay.",
                ),
                ("customer", "brilliant thank you, thats a relief"),
            ),
        ),
        (
            "activate_my_card",
            "bot",
            None,
            None,
            (
                ("customer", "got the new card, how do i activate it"),
                (
                    "bot",
                    "Welcome, {first}! Go to Cards > Activate card, enter the last four digits and the expiry date (MM/YY), and tap Activate. Your PIN is in Cards > Show PIN. Your first in-shop payment needs chip and PIN; contactless works after that.",
                ),
                ("customer", "done, works now cheers"),
            ),
        ),
        (
            "pin_blocked",
            "bot",
            None,
            None,
            (
                (
                    "customer",
                    "put my pin in wrong 3 times at the atm and now its blocked 🙈 can u unlock it",
                ),
                (
                    "bot",
                    "No problem, {first}. Check your PIN in Cards > Show PIN, then go to Cards > Security > Unblock PIN. After that, use the correct PIN once at an ATM or with chip and PIN in a shop to reset the chip. Online and Apple Pay / Google Pay payments work meanwhile.",
                ),
                ("customer", "sorted, thanks!"),
            ),
        ),
        (
            "lost_or_stolen_card",
            "agent",
            "recent",
            None,
            (
                ("customer", "I think I left my card in a taxi last night. can someone use it??"),
                (
                    "bot",
                    "Please freeze it straight away in Cards > Freeze card: nothing can be charged while it's frozen, and you can unfreeze it if it turns up. I'm asking a colleague to check your recent activity.",
                ),
                (
                    "agent",
                    "Hi {first}, {agent} from Accounts & Security. I've checked your card ending {last4}: the last payment was {money} at {merchant}, which looks like yours, and nothing since. It's frozen now. If it doesn't turn up by tomorrow, tap Report lost or stolen and we'll send you a new card in 3-5 working days.",
                ),
                ("customer", "thanks for being so quick"),
            ),
        ),
        (
            "card_payment_not_recognised",
            "agent",
            "unknown",
            None,
            (
                (
                    "customer",
                    "theres a payment of {money} to {merchant} i didnt make?? never heard of them",
                ),
                (
                    "bot",
                    "I'm sorry, {first}. Names on statements can differ from shop names, so tap the payment to see the merchant's details first. If you still don't recognise it, freeze your card in Cards > Freeze card. I'm connecting you with our security team now.",
                ),
                (
                    "agent",
                    "Hi {first}, {agent} here. The {merchant} payment was made online from a device we've never seen for your account, so I've treated it as fraud: your card ending {last4} is cancelled, the {money} is refunded to your balance, and a free replacement is on its way.",
                ),
                ("customer", "wow ok thank you so much"),
            ),
        ),
        (
            "pending_card_payment",
            "bot",
            "pending",
            None,
            (
                ("customer", "why is my payment at {merchant} still pending? it was 2 days ago"),
                (
                    "bot",
                    "Hi {first}. Pending means {merchant} has reserved the money but hasn't collected it yet; that usually takes 1-3 working days. If they never collect it, the amount is released automatically after 7 days (up to 30 days for hotels, car hire and fuel).",
                ),
                ("customer", "ok fair enough"),
            ),
        ),
        (
            "transaction_charged_twice",
            "agent",
            "duplicate",
            None,
            (
                ("customer", "I've been charged twice at {merchant}, {money} both times!!"),
                (
                    "bot",
                    "Let's check, {first}. If one of them is pending it's usually the same payment and the pending one disappears within 7 days. If both are completed, the quickest fix is asking the merchant. I'm asking a colleague to look at both payments.",
                ),
                (
                    "agent",
                    "Hi {first}, {agent} here. Both payments have completed, so it's a genuine duplicate. I've raised a chargeback for the second one; most are settled within 15 working days and I'll update you here.",
                ),
                ("customer", "ok thanks, appreciate it"),
            ),
        ),
        (
            "exchange_charge",
            "bot",
            None,
            ("GB",),
            (
                (
                    "customer",
                    "Is there a fee to change pounds to euros? Going to Lisbon next month",
                ),
                (
                    "bot",
                    "Hi {first}! On weekdays we use the interbank rate. On Standard, exchanges are free up to £1,000 a month, then 0.5%; Premium and VIP have no limit. At weekends (Friday 23:00 to Sunday 23:00 UK time) there's a markup of 1% on Standard and 0.5% on Premium, so it's cheapest to exchange on a weekday in Home > Exchange.",
                ),
                ("customer", "great I'll do it on a weekday then"),
            ),
        ),
        (
            "cash_withdrawal_charge",
            "bot",
            None,
            None,
            (
                ("customer", "why was i charged a fee for taking out cash?? thought it was free"),
                (
                    "bot",
                    "Hi {first}. Each plan includes fee-free ATM withdrawals every month: £200 on Standard, £400 on Premium and £800 on VIP. Above that it's 2% (minimum £1). You can see what you've used in Home > Plan > Allowances; it resets on the 1st. Some ATM operators also add their own fee, shown on screen before you confirm.",
                ),
                ("customer", "ah i went over then. ok"),
            ),
        ),
        (
            "declined_card_payment",
            "bot",
            "declined",
            None,
            (
                ("customer", "card got declined at {merchant} wtf, i have money on it"),
                (
                    "bot",
                    "Sorry about that, {first}. The decline reason shows that online payments are turned off on your card ending {last4}. Switch them on in Cards > Security > Online payments and try again.",
                ),
                ("customer", "ahh that was it, my bad"),
            ),
        ),
        (
            "top_up_failed",
            "agent",
            None,
            None,
            (
                ("customer", "tried topping up 3 times with my other bank card, keeps failing"),
                (
                    "bot",
                    "Sorry, {first}. Top-ups usually fail because the card issuer declined them, 3-D Secure wasn't approved in time, or the card isn't supported (American Express can't be used). Let me get a colleague to check the attempts.",
                ),
                (
                    "agent",
                    "Hi {first}, {agent} here. All three attempts were declined by your card's bank, not by us, so they're worth a quick call. Nothing was taken from your card. A bank transfer to your account details is free and has no limit if you need the money today.",
                ),
                ("customer", "ok will ring them"),
            ),
        ),
        (
            "passcode_forgotten",
            "bot",
            None,
            None,
            (
                ("customer", "forgot my passcode and now im locked out 😩"),
                (
                    "bot",
                    "That happens! On the login screen tap Forgot passcode?, enter the code we text you, click the link we email you and take a quick selfie, then choose a new 6-digit passcode. Resetting also lifts the 30-minute lock.",
                ),
                ("customer", "got back in thanks"),
            ),
        ),
        (
            "lost_or_stolen_phone",
            "agent",
            None,
            None,
            (
                (
                    "customer",
                    "My phone got stolen on the bus, I'm writing from my laptop. please block everything",
                ),
                (
                    "bot",
                    "I'm sorry, {first}. Please freeze your cards now in the web app (Cards > Freeze card), then go to Settings > Devices and log out the stolen phone. I'm connecting you with our security team.",
                ),
                (
                    "agent",
                    "Hi {first}, {agent} from Accounts & Security. Your cards are frozen and the stolen phone is logged out. There's been no activity since it was taken. When you have a new phone, install the app, log in and confirm with a selfie, then unfreeze your cards in Cards. Ask your network to block the SIM too.",
                ),
                ("customer", "thank you so much, really helpful"),
            ),
        ),
        (
            "edit_personal_details",
            "bot",
            None,
            None,
            (
                ("customer", "I moved house, how do i update my adress"),
                (
                    "bot",
                    "Congratulations on the move, {first}! Go to Profile > Personal details > Address, enter the new address and confirm. New cards will go to the new address from now on.",
                ),
                ("customer", "done ty"),
            ),
        ),
        (
            "edit_personal_details",
            "agent",
            None,
            None,
            (
                (
                    "customer",
                    "Hi, I got married last month and need to change my surname on the account",
                ),
                (
                    "bot",
                    "Congratulations, {first}! Go to Profile > Personal details > Name and upload your marriage certificate. A colleague reviews it within 1-2 working days.",
                ),
                ("customer", "uploaded it just now"),
                (
                    "agent",
                    "Hi, {agent} here. I've checked the certificate and updated your name. Your current card keeps working, and your next card will show your new name.",
                ),
                ("customer", "perfect, thank you!"),
            ),
        ),
        (
            "unable_to_verify_identity",
            "agent",
            None,
            None,
            (
                ("customer", "it keeps saying my id photo is unreadable, tried 3 times!!"),
                (
                    "bot",
                    "Sorry for the hassle, {first}. After 3 attempts a specialist checks your documents by hand within 2 working days, so there's no need to try again. I've flagged it for the team.",
                ),
                (
                    "agent",
                    "Hi {first}, {agent} from Accounts & Security. I've reviewed your passport manually and your identity is now verified. You can order your card in Cards > + > Physical card.",
                ),
                ("customer", "finally, thanks"),
            ),
        ),
        (
            "transfer_not_received_by_recipient",
            "agent",
            "transfer",
            None,
            (
                ("customer", "sent {money} to my landlord yesterday and he says he hasnt got it"),
                (
                    "bot",
                    "Let's check, {first}. If the transfer shows Completed, it has left Baton Bank; you can tap it and use Share confirmation so the recipient's bank can trace it. I'll ask a colleague to confirm the details.",
                ),
                (
                    "agent",
                    "Hi {first}, {agent} here. The transfer left us yesterday and was accepted by your landlord's bank. I've sent you the confirmation with the payment reference in the app; his bank can trace it with that.",
                ),
                ("customer", "ok ill send it to him"),
            ),
        ),
        (
            "pending_transfer",
            "bot",
            None,
            None,
            (
                ("customer", "why is my transfer pending?? first time sending to this person"),
                (
                    "bot",
                    "Hi {first}. The first transfer to a new recipient can be held for a security check for up to 24 hours. You'll get a notification asking you to confirm it: once you do, it goes straight out.",
                ),
                ("customer", "ok confirmed it"),
            ),
        ),
        (
            "cancel_transfer",
            "agent",
            "transfer",
            None,
            (
                ("customer", "I sent money to the wrong account!! can you cancel it please"),
                (
                    "bot",
                    "I'm sorry, {first}. Instant transfers can't be cancelled once sent, but we can ask the receiving bank to return the money. I'm passing you to a colleague to start a recall.",
                ),
                (
                    "agent",
                    "Hi {first}, {agent} here. I've started a recall for the {money} with the recipient's bank. It isn't guaranteed, but most are resolved within 20 working days and I'll update you here.",
                ),
                ("customer", "ok fingers crossed"),
            ),
        ),
        (
            "request_refund",
            "bot",
            None,
            None,
            (
                ("customer", "how do i get a refund, the thing i ordered arrived broken"),
                (
                    "bot",
                    "Sorry to hear that, {first}. Refunds come from the merchant, so contact them first and keep their reply. Once they issue it, it takes 5-10 working days to arrive. If they won't help, tap the payment and choose Report a problem > I want a refund within 120 days.",
                ),
                ("customer", "ok will contact them first"),
            ),
        ),
        (
            "Refund_not_showing_up",
            "agent",
            "refund",
            None,
            (
                ("customer", "{merchant} said they refunded me last week but i still dont see it"),
                (
                    "bot",
                    "Refunds take 5-10 working days after the merchant sends them, {first}. If you have the refund reference (ARN) from {merchant}, share it and a colleague will trace it.",
                ),
                ("customer", "they gave me this 74836520291000123456789"),
                (
                    "agent",
                    "Thanks {first}, {agent} here. I traced it with Visa: the refund of {money} was sent 4 days ago and should reach your balance within 3 working days. I'll keep an eye on it.",
                ),
                ("customer", "great thanks"),
            ),
        ),
        (
            "card_about_to_expire",
            "bot",
            None,
            None,
            (
                ("customer", "my card expires next month do i need to do anything"),
                (
                    "bot",
                    "Nothing at all, {first}: we send a new card automatically 30 days before expiry, free of charge. Just check your address in Profile > Personal details, and activate the new card in Cards > Activate card when it arrives.",
                ),
                ("customer", "nice one"),
            ),
        ),
        (
            "top_up_by_card_charge",
            "bot",
            None,
            None,
            (
                ("customer", "Is there any charge if I top up with my credit card?"),
                (
                    "bot",
                    "Top-ups with Visa, Mastercard or Maestro cards issued in the UK or EEA are free, {first}, debit or credit. Cards issued elsewhere and business cards cost 1.5%. Some credit card issuers treat top-ups as a cash advance, so check with them too.",
                ),
                ("customer", "cool thanks"),
            ),
        ),
        (
            "atm_support",
            "bot",
            None,
            None,
            (
                ("customer", "can i use my card at any atm abroad?"),
                (
                    "bot",
                    "Yes, {first}: any ATM with the Visa logo, worldwide. You can take out up to £500 a day (£1,000 on VIP), and if the machine offers to convert the amount, choose the local currency so our rate applies.",
                ),
                ("customer", "sweet"),
            ),
        ),
        (
            "wrong_amount_of_cash_received",
            "agent",
            "atm",
            None,
            (
                ("customer", "ATM only gave me half the cash but took the full {money}!!"),
                (
                    "bot",
                    "I'm sorry, {first}. Tap the withdrawal and choose Report a problem > I got the wrong amount, and tell us how much you received. I'm asking a colleague to open the claim now.",
                ),
                (
                    "agent",
                    "Hi {first}, {agent} here. I've opened a claim with the ATM's bank. They balance the machine and confirm within 15 working days; if it shows extra cash, we refund the difference straight away.",
                ),
                ("customer", "ok. bit annoying but thanks"),
            ),
        ),
        (
            "apple_pay_or_google_pay",
            "bot",
            None,
            None,
            (
                ("customer", "can i add this card to apple pay??"),
                (
                    "bot",
                    "Yes! Go to Cards > [your card] > Add to Apple Wallet and follow the steps; there's no code to type in. Wallet payments aren't capped at £100 like card contactless.",
                ),
                ("customer", "sweet done"),
            ),
        ),
        (
            "direct_debit_payment_not_recognised",
            "agent",
            "direct_debit",
            ("GB",),
            (
                ("customer", "theres a direct debit from {merchant} i never set up"),
                (
                    "bot",
                    "Let's sort it, {first}. You can see the mandate in Payments > Direct debits and cancel it there. Direct debits are covered by the Direct Debit Guarantee; I'm asking a colleague to raise a claim.",
                ),
                (
                    "agent",
                    "Hi {first}, {agent} from Accounts & Security. I've cancelled the mandate and refunded the {money} under the Direct Debit Guarantee. I've also checked your account: no other unusual activity.",
                ),
                ("customer", "legend, thank you"),
            ),
        ),
        (
            "country_support",
            "bot",
            None,
            None,
            (
                ("customer", "im moving to canada in june, can i keep my account?"),
                (
                    "bot",
                    "Good luck with the move, {first}! We can only hold accounts for residents of the UK, the EEA and Switzerland. Update your address in Profile > Personal details when you move and we'll explain your options; we may need to close the account within 60 days.",
                ),
                ("customer", "ah ok, thanks for letting me know"),
            ),
        ),
        (
            "verify_top_up",
            "bot",
            None,
            None,
            (
                ("customer", "where do i find the code to verify my card for top up??"),
                (
                    "bot",
                    "Hi {first}. We made a small temporary charge (under £2) on that card. Look at the pending transactions in your card issuer's app: the description reads BATON* followed by 6 digits. Enter those digits in Add money > Cards > Verify.",
                ),
                ("customer", "found it, thanks"),
            ),
        ),
        (
            "card_not_working",
            "agent",
            None,
            None,
            (
                (
                    "customer",
                    "my card isnt working anywhere since yesterday, chip and contactless both fail. really frustrating",
                ),
                (
                    "bot",
                    "I'm sorry, {first}. Your card ending {last4} isn't frozen and there are no declines from us, so the card itself may be damaged. I'm passing you to a colleague.",
                ),
                (
                    "agent",
                    "Hi {first}, {agent} here. The terminals never reached us, which points to a damaged chip. I've ordered a replacement at no charge; it arrives in 3-5 working days. Meanwhile, add the card to Apple Pay or Google Pay, which doesn't use the chip.",
                ),
                ("customer", "ok thanks for sorting it"),
            ),
        ),
        (
            "exchange_via_app",
            "bot",
            None,
            ("PL",),
            (
                ("customer", "how do i swap my euros into zloty in the app"),
                (
                    "bot",
                    "Go to Home > Exchange, choose EUR as the currency you're selling and PLN as the one you're buying, enter the amount and tap Exchange. You'll see the rate and any fee before you confirm, and the money arrives instantly.",
                ),
                ("customer", "thx"),
            ),
        ),
    ),
    "es": (
        (
            "card_arrival",
            "bot",
            None,
            None,
            (
                ("customer", "Hola, pedí la tarjeta hace 10 días y todavía no me ha llegado"),
                (
                    "bot",
                    "Hola, {first}. Las tarjetas salen en 1 día laborable y la entrega estándar en España tarda entre 5 y 8 días laborables. Si tras 12 días laborables no ha llegado, ve a Tarjetas > Seguimiento del envío > Mi tarjeta no ha llegado y te enviamos otra gratis.",
                ),
                ("customer", "vale, espero un par de días más. gracias"),
            ),
        ),
        (
            "declined_card_payment",
            "agent",
            "declined",
            None,
            (
                ("customer", "me han rechazado la tarjeta en {merchant} y tengo saldo!! q pasa"),
                (
                    "bot",
                    "Lo siento, {first}. Voy a pedir a un compañero que revise el motivo del rechazo.",
                ),
                (
                    "agent",
                    "Hola {first}, soy {agent}. El pago se rechazó porque tu PIN está bloqueado tras 3 intentos fallidos. Puedes desbloquearlo en Tarjetas > Seguridad > Desbloquear PIN y luego pagar con chip y PIN.",
                ),
                ("customer", "ah vale, ya está. gracias!"),
            ),
        ),
    ),
    "fr": (
        (
            "pending_top_up",
            "bot",
            None,
            None,
            (
                ("customer", "Bonjour, j'ai fait un virement SEPA hier et mon solde n'a pas bougé"),
                (
                    "bot",
                    "Bonjour {first}, un virement SEPA prend 1 jour ouvré (quelques secondes en SEPA Instant). Vérifiez que l'IBAN utilisé est bien celui de Accueil > EUR > Coordonnées bancaires. Sans nouvelles demain, envoyez-nous la preuve de virement ici.",
                ),
                ("customer", "ok c'est arrivé ce matin, merci"),
            ),
        ),
        (
            "lost_or_stolen_card",
            "agent",
            "recent",
            None,
            (
                ("customer", "on m'a volé mon sac avec ma carte dedans, aidez moi svp"),
                (
                    "bot",
                    "Je suis désolé, {first}. Gelez tout de suite votre carte dans Cartes > Geler la carte. Je vous mets en relation avec notre équipe sécurité.",
                ),
                (
                    "agent",
                    "Bonjour {first}, ici {agent}. J'ai annulé la carte se terminant par {last4}; aucun paiement depuis {merchant}, qui semble être le vôtre. Une carte de remplacement gratuite arrive sous 5 à 8 jours ouvrés.",
                ),
                ("customer", "merci beaucoup pour votre rapidité"),
            ),
        ),
    ),
    "de": (
        (
            "card_payment_wrong_exchange_rate",
            "bot",
            None,
            None,
            (
                (
                    "customer",
                    "Hallo, bei einer Zahlung in London wurde mir ein schlechter Wechselkurs berechnet. Warum?",
                ),
                (
                    "bot",
                    'Hallo {first}, wir rechnen zum Zeitpunkt der Zahlung um: werktags zum Interbankenkurs, am Wochenende (Freitag 23:00 bis Sonntag 23:00 britischer Zeit) mit Aufschlag. Wenn das Terminal "in EUR bezahlen" angeboten hat, galt der Kurs des Händlers. Wählen Sie immer die Landeswährung.',
                ),
                ("customer", "ah ja, das war am Samstag. danke"),
            ),
        ),
        (
            "change_pin",
            "bot",
            None,
            None,
            (
                ("customer", "kann ich meine PIN in der App ändern?"),
                (
                    "bot",
                    "Hallo {first}, die PIN ändern Sie an einem Geldautomaten mit PIN-Service: Karte einführen, aktuelle PIN eingeben (siehe Karten > PIN anzeigen) und PIN-Service > PIN ändern wählen. Das ist kostenlos.",
                ),
                ("customer", "ok danke"),
            ),
        ),
    ),
    "pt": (
        (
            "transfer_timing",
            "bot",
            None,
            None,
            (
                ("customer", "olá, quanto tempo demora uma transferência de outro banco a chegar?"),
                (
                    "bot",
                    "Olá {first}! Uma transferência SEPA demora 1 dia útil (segundos se for SEPA Instantânea). Transferências internacionais SWIFT demoram 1 a 5 dias úteis.",
                ),
                ("customer", "obrigado!"),
            ),
        ),
        (
            "contactless_not_working",
            "bot",
            None,
            None,
            (
                ("customer", "o contactless nao funciona com o cartão novo"),
                (
                    "bot",
                    "Olá {first}, o primeiro pagamento com um cartão novo tem de ser com chip e PIN. Depois disso, o contactless passa a funcionar. Confirme também em Cartões > Segurança > Contactless que está ativo.",
                ),
                ("customer", "era isso, já funciona"),
            ),
        ),
    ),
    "it": (
        (
            "pin_blocked",
            "bot",
            None,
            None,
            (
                ("customer", "ho sbagliato il pin 3 volte e ora è bloccato"),
                (
                    "bot",
                    "Ciao {first}, controlla il PIN in Carte > Mostra PIN e poi vai in Carte > Sicurezza > Sblocca PIN. Dopo, usa il PIN corretto una volta a un bancomat per azzerare il chip.",
                ),
                ("customer", "fatto grazie mille"),
            ),
        ),
        (
            "cash_withdrawal_charge",
            "agent",
            "atm",
            None,
            (
                ("customer", "perché mi avete addebitato una commissione sul prelievo??"),
                (
                    "bot",
                    "Ciao {first}, ogni piano include prelievi gratuiti ogni mese; oltre si paga il 2% (minimo £1). Chiedo a un collega di controllare il tuo prelievo.",
                ),
                (
                    "agent",
                    "Ciao {first}, sono {agent}. Il prelievo di {money} ha superato la tua soglia gratuita del mese, quindi è stata applicata la commissione del 2%. La soglia si azzera il primo del mese.",
                ),
                ("customer", "ok capito"),
            ),
        ),
    ),
}

_UNKNOWN_MERCHANTS = (
    "VRTL*DIGITAL SVCS",
    "WWW.GMSHOP-ONLINE.COM",
    "TRNSFR*MOBI 8832",
    "PAYSRV*ELEC LTD",
)
_DIRECT_DEBIT_MERCHANTS = ("PMT SERVICES LTD", "GYMFLEX COLLECTIONS", "DD*HOMECOVER UK")


def _linked_transaction(
    rng: random.Random, kind: str, country: _Country, currency: str, days_ago: int
) -> list[tuple[int, str, Decimal, str, str]]:
    """Transactions a conversation talks about, so the agent console shows the same facts."""
    name, low, high = rng.choice(country.merchants + _ONLINE)
    spend = -_amount(rng, low, high)
    when = days_ago + rng.randint(0, 2)
    if kind == "unknown":
        # The fraudulent payment and the refund the agent issued in the conversation.
        merchant, amount = rng.choice(_UNKNOWN_MERCHANTS), _amount(rng, 39.0, 240.0)
        return [
            (when, merchant, -amount, currency, "completed"),
            (days_ago, f"Refund: {merchant}", amount, currency, "completed"),
        ]
    if kind == "pending":
        # Pending payments complete or drop off within days; only a recent one is still pending.
        return [(days_ago + 2, name, spend, currency, "pending" if days_ago <= 3 else "completed")]
    if kind == "duplicate":
        return [
            (when, name, spend, currency, "completed"),
            (when, name, spend, currency, "completed"),
        ]
    if kind == "declined":
        return [(days_ago, name, spend, currency, "declined")]
    if kind == "refund":
        # The purchase, and the refund that arrived a few days after the agent traced it.
        rows = [(days_ago + 10, name, spend, currency, "completed")]
        if days_ago > 3:
            rows.append((days_ago - 3, f"Refund: {name}", -spend, currency, "completed"))
        return rows
    if kind == "transfer":
        amount = -Decimal(rng.choice((450, 650, 800, 950, 1200)) * (4 if currency == "PLN" else 1))
        return [
            (
                days_ago + 1,
                "Transfer to J. Davies" if country.code == "GB" else "Transfer to M. Lopes",
                amount.quantize(Decimal("0.01")),
                currency,
                "completed",
            )
        ]
    if kind == "atm":
        amount = -Decimal(rng.choice((100, 150, 200, 250)) * (4 if currency == "PLN" else 1))
        return [
            (days_ago, "ATM withdrawal", amount.quantize(Decimal("0.01")), currency, "completed")
        ]
    if kind == "direct_debit":
        return [
            (
                days_ago + 1,
                rng.choice(_DIRECT_DEBIT_MERCHANTS),
                -_amount(rng, 12.0, 49.0),
                currency,
                "completed",
            )
        ]
    if kind == "recent":
        return [(days_ago + 1, name, spend, currency, "completed")]
    raise KeyError(kind)


def customers() -> list[CustomerSeed]:
    """The 50 Baton Bank demo customers, identical on every call (fixed seed, fixed dates)."""
    # Reproducible demo data, not a secret.
    rng = random.Random(7)  # nosec B311
    plan = [
        (heritage, country, locale)
        for heritage, country, locale, count in _POPULATION
        for _ in range(count)
    ]
    # A realistic mix: most customers on the free plan, a few paying, a handful of VIPs.
    tiers = ["vip"] * 5 + ["premium"] * 10 + ["standard"] * 35
    rng.shuffle(tiers)
    agents_by_team: dict[str, list[AgentSeed]] = {}
    for agent in AGENTS:
        if agent.role == "agent" and agent.team:
            agents_by_team.setdefault(agent.team, []).append(agent)

    used_names: set[tuple[str, str]] = set()
    used_emails: set[str] = set()
    used_phones: set[str] = set()
    result: list[CustomerSeed] = []
    for index, (heritage, country_code, locale) in enumerate(plan):
        firsts, lasts = _NAMES[heritage]
        while True:
            first, last = rng.choice(firsts), rng.choice(lasts)
            if "/" in last:  # Polish female first names in this pool all end in "a"
                last = last.split("/")[1 if first.endswith("a") else 0]
            if (first, last) not in used_names:
                used_names.add((first, last))
                break
        country = _COUNTRIES[country_code]
        currency = country.currency

        email_local = rng.choice(
            (
                f"{_ascii(first)}.{_ascii(last)}",
                f"{_ascii(first)}{_ascii(last)}",
                f"{_ascii(first)[0]}.{_ascii(last)}",
                f"{_ascii(first)}.{_ascii(last)}{rng.randint(70, 99)}",
            )
        )
        email = f"{email_local}@{rng.choice(_EMAIL_DOMAINS)}"
        while email in used_emails:
            email = f"{email_local}{rng.randint(1, 9)}@{rng.choice(_EMAIL_DOMAINS)}"
        used_emails.add(email)
        phone = _phone(rng, country_code)
        while phone in used_phones:
            phone = _phone(rng, country_code)
        used_phones.add(phone)

        last4 = _digits(rng, 4)
        opened = _REFERENCE_DATE - timedelta(days=rng.randint(40, 6 * 365))
        expiry = date(opened.year + 5, rng.randint(1, 12), 1)
        if expiry < _REFERENCE_DATE:
            expiry = date(_REFERENCE_DATE.year + rng.randint(1, 4), expiry.month, 1)

        # Past conversations first: some of them shape the transactions and the card status.
        scripts = _SCRIPTS["en"]
        if locale != "en" and rng.random() < 0.8:
            scripts = _SCRIPTS[locale]
        eligible = [s for s in scripts if s[3] is None or country_code in s[3]]
        count = rng.choice((0, 1, 1, 1, 2, 2, 3))
        chosen = rng.sample(eligible, min(count, len(eligible)))
        days = sorted(rng.sample(range(1, 90), len(chosen)), reverse=True)
        linked: list[tuple[int, str, Decimal, str, str]] = []
        conversations: list[PastConversationSeed] = []
        card_status = "active"
        for (intent, resolved_by, kind, _countries, lines), days_ago in zip(
            chosen, days, strict=True
        ):
            txs = _linked_transaction(rng, kind, country, currency, days_ago) if kind else []
            linked.extend(txs)
            agent = rng.choice(agents_by_team[team_for_intent(intent)])
            values = {
                "first": first,
                "agent": agent.name.split()[0],
                "last4": last4,
                "merchant": txs[0][1] if txs else "",
                "money": _money(txs[0][2], currency, locale) if txs else "",
            }
            messages = tuple((sender, text.format(**values)) for sender, text in lines)
            if resolved_by == "bot":
                csat = rng.choice((5, 5, 5, 4, 4, 3, None))
            else:
                csat = rng.choice((5, 5, 4, 4, 3, 2, None))
            conversations.append(
                PastConversationSeed(days_ago, intent, messages, resolved_by, csat)
            )
            if (
                intent in ("lost_or_stolen_card", "card_payment_not_recognised", "card_not_working")
                and days_ago <= 7
                and resolved_by == "agent"
            ):
                card_status = "replacement_ordered"
        if card_status == "active" and rng.random() < 0.08:
            card_status = "frozen"

        # Everyday spending around the linked transactions, capped at 8 in total.
        spending: list[tuple[int, str, Decimal, str, str]] = []
        for _ in range(max(2 - len(linked), rng.randint(2, 6) - len(linked), 0)):
            name, low, high = rng.choice(country.merchants * 2 + _ONLINE)
            when = rng.randint(0, 45)
            status = "pending" if when <= 1 and rng.random() < 0.6 else "completed"
            spend_currency = currency
            if rng.random() < 0.12:  # a trip abroad now and then
                spend_currency = "EUR" if currency != "EUR" else rng.choice(("GBP", "USD"))
            spending.append((when, name, -_amount(rng, low, high), spend_currency, status))
        if rng.random() < 0.5:
            top_up = Decimal(rng.choice((50, 100, 200, 250, 500))) * (4 if currency == "PLN" else 1)
            spending.append(
                (
                    rng.randint(2, 40),
                    "Top-up by card",
                    top_up.quantize(Decimal("0.01")),
                    currency,
                    "completed",
                )
            )
        rows = sorted((linked + spending)[:8], key=lambda row: row[0])
        external_id = f"CRM-{100200 + index * 17}"
        transactions = tuple(
            TransactionSeed(
                f"TX-{index + 1:03d}-{n + 1:02d}", when, merchant, str(amount), tx_currency, status
            )
            for n, (when, merchant, amount, tx_currency, status) in enumerate(rows)
        )

        result.append(
            CustomerSeed(
                external_id=external_id,
                name=f"{first} {last}",
                email=email,
                phone=phone,
                locale=locale,
                tier=tiers[index],
                attributes={
                    "card_last4": last4,
                    "card_status": card_status,
                    "card_expiry": expiry.strftime("%m/%y"),
                    "account_opened": opened.isoformat(),
                    "city": rng.choice(country.cities),
                    "country": country_code,
                    "main_currency": currency,
                    "plan": tiers[index],
                    "preferred_channel": rng.choice(("chat", "chat", "chat", "email")),
                },
                transactions=transactions,
                past_conversations=tuple(conversations),
            )
        )
    return result
