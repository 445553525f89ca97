"""Seed the Baton Bank demo workspace. Idempotent: running it again changes nothing."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from batondesk.actions.accounts import (
    account_settings_patch,
    do_add_member,
    do_create_account,
    do_create_inbox,
    do_create_team,
    do_create_user,
)
from batondesk.actions.contacts import do_create_contact
from batondesk.customers.recommendations.catalogue import BY_ID
from batondesk.customers.recommendations.settings import SETTINGS_KEY as RECOMMENDATIONS_KEY
from batondesk.customers.records import Order
from batondesk.demo import content
from batondesk.demo.account_records import account_records
from batondesk.demo.product_history import demo_customer_history
from batondesk.engine.settings import SETTINGS_KEY as ANSWERING_KEY
from batondesk.privacy.consent import do_set_consent
from batondesk.store import Database
from batondesk.store.base import utcnow
from batondesk.store.models import (
    Account,
    Channel,
    Contact,
    Conversation,
    ConversationStatus,
    CustomerProfile,
    Event,
    Inbox,
    Membership,
    Message,
    Role,
    SenderType,
    Team,
    User,
)

DEMO_SLUG = "baton-bank"
DEMO_INBOX = "baton-bank-web"
# The bank's mobile app talks to Baton through the API (its conversations in reports by channel).
DEMO_APP_INBOX = "baton-bank-app"


@dataclass(frozen=True)
class DemoSummary:
    account_id: int
    inbox_public_id: str
    created: bool
    admin_email: str
    agent_email: str
    password: str


def seed_demo(db: Database) -> DemoSummary:
    with db.session() as session:
        account = session.scalars(select(Account).where(Account.slug == DEMO_SLUG)).first()
        created = account is None
        if account is None:
            account = do_create_account(session, "Baton Bank", DEMO_SLUG)
            account_settings_patch(
                account,
                {
                    ANSWERING_KEY: {"scope": content.DEMO_SCOPE},
                    RECOMMENDATIONS_KEY: {"enabled": True},
                },
            )
            _seed_staff(session, account)
            do_create_inbox(session, account, "Website chat", Channel.web_widget, DEMO_INBOX)
            do_create_inbox(session, account, "Mobile app chat", Channel.api, DEMO_APP_INBOX)
            _seed_articles(session, account)
            _seed_templates(session, account)
            _seed_workflow(session, account)
            _seed_customers(session, account)
        admin = next(a for a in content.AGENTS if a.role == "admin")
        agent = next(a for a in content.AGENTS if a.role == "agent")
        return DemoSummary(
            account.id, DEMO_INBOX, created, admin.email, agent.email, content.DEMO_PASSWORD
        )


# Saved replies agents insert with "/shortcut", and tags to file conversations under.
DEMO_CANNED_RESPONSES = [
    (
        "refund",
        "Refund on its way",
        "Hi {{contact.first_name|there}}, I've started the refund: you'll see it on your "
        "account within 5 working days. Is there anything else I can help with?",
    ),
    (
        "card-replacement",
        "New card ordered",
        "Your new card is on its way, {{contact.first_name|there}}: it arrives in 3-5 working "
        "days, and your old card stops working once you activate the new one.",
    ),
    (
        "thanks",
        "Thanks and goodbye",
        "Thanks for getting in touch, {{contact.first_name|there}}. Have a good day!",
    ),
]
DEMO_TAGS = ["refund", "card", "complaint", "follow-up"]


def _seed_workflow(session: Session, account: Account) -> None:
    from batondesk.actions.canned_responses import do_create_canned_response
    from batondesk.actions.tags import do_create_tag

    for shortcut, title, body in DEMO_CANNED_RESPONSES:
        do_create_canned_response(session, account.id, shortcut=shortcut, title=title, body=body)
    for name in DEMO_TAGS:
        do_create_tag(session, account.id, name)


def _seed_staff(session: Session, account: Account) -> None:
    teams: dict[str, Team] = {
        seed.name: do_create_team(session, account, seed.name, list(seed.intents))
        for seed in content.TEAMS
    }
    for seed in content.AGENTS:
        user = session.scalars(select(User).where(User.email == seed.email)).first()
        if user is None:
            user = do_create_user(session, seed.email, seed.name, content.DEMO_PASSWORD)
        team = teams.get(seed.team) if seed.team else None
        do_add_member(session, account, user, Role(seed.role), team)


def _seed_articles(session: Session, account: Account) -> None:
    from batondesk.knowledge.articles import ArticleDraft, do_create_article

    for seed in content.load_articles():
        draft = ArticleDraft(
            seed.slug,
            seed.title,
            seed.body,
            list(seed.intents),
            list(seed.tags),
            seed.locale,
            "published",
        )
        do_create_article(session, account.id, draft, author_id=None, change="imported")
    session.flush()


# Replies filled from the customer's profile, so the bot never asks for what the bank knows.
DEMO_TEMPLATES = {
    "lost_or_stolen_card": (
        "lost-or-stolen-card",
        "Hi {{contact.first_name|there}}, sorry to hear that. Your card ending in "
        "{{contact.card_last4}} can be "
        "frozen straight away in Cards > Freeze card; if you're sure it's gone, choose Cards > "
        "Report lost or stolen and we'll cancel it and send a replacement with a new number "
        "and PIN in 3-5 working days (UK). Replacements for stolen cards are free; lost cards "
        "cost £5 on Standard and are free on Premium and VIP (your plan: {{contact.plan}}).",
    ),
    "card_about_to_expire": (
        "card-expiry",
        "Your card ending in {{contact.card_last4}} expires {{contact.card_expiry}}. You don't "
        "need to do anything: we send the new card automatically 30 days before, free of "
        "charge, to the address in Profile > Personal details.",
    ),
}


def _seed_templates(session: Session, account: Account) -> None:
    from batondesk.knowledge.articles import find_article_by_slug
    from batondesk.knowledge.intent_responses import do_save_template

    for intent, (slug, body) in DEMO_TEMPLATES.items():
        article = find_article_by_slug(session, account.id, slug)
        do_save_template(
            session,
            account.id,
            intent,
            body,
            article_id=article.id if article is not None else None,
        )


def _seed_customers(session: Session, account: Account) -> None:
    inbox_id = session.scalars(select(Inbox.id).where(Inbox.public_id == DEMO_INBOX)).one()
    agents = list(
        session.scalars(
            select(Membership).where(
                Membership.account_id == account.id, Membership.role == Role.agent
            )
        )
    )
    today = utcnow().date()
    for index, seed in enumerate(content.customers()):
        contact = do_create_contact(
            session,
            account.id,
            name=seed.name,
            email=seed.email,
            phone=seed.phone,
            locale=seed.locale,
            tier=seed.tier,
            external_id=seed.external_id,
            attributes=dict(seed.attributes),
        )
        # What the bank's systems hold on the customer, as a CRM sync would store it: the
        # products they took and three months of transactions (demo/product_history.py),
        # then the recent cases the bot answers from (demo/account_records.py).
        taken, history = demo_customer_history(
            seed.external_id, seed.attributes["country"], seed.tier, today
        )
        orders = [
            Order.model_validate(r).model_dump(mode="json", exclude_none=True)
            for r in [*history, *(a.as_order(today) for a in account_records(index, seed))]
        ]
        session.add(
            CustomerProfile(
                account_id=account.id,
                contact_id=contact.id,
                products=_products(seed, taken, today),
                orders=orders,
                source="import",
            )
        )
        if _agreed_to_marketing(seed):
            do_set_consent(session, account.id, contact.id, "marketing", True, source="import")
        for past in seed.past_conversations:
            _seed_past_conversation(
                session, account.id, inbox_id, contact, past, agents[index % len(agents)].user_id
            )


# About this share of the demo's customers agreed to hear about products (marketing consent).
MARKETING_CONSENT_SHARE = 0.7


def _agreed_to_marketing(seed: content.CustomerSeed) -> bool:
    # Reproducible demo data, not a secret.
    draw = random.Random(f"marketing-{seed.external_id}").random()  # nosec B311
    return draw < MARKETING_CONSENT_SHARE


def _products(seed: content.CustomerSeed, taken: list[str], today: date) -> list[dict[str, object]]:
    """The everyday account, the plan, and the offers taken, spread over the years since the
    account was opened."""
    opened = date.fromisoformat(seed.attributes["account_opened"])
    plan = {"standard": "Standard plan", "premium": "Premium plan", "vip": "VIP plan"}
    products: list[dict[str, object]] = [
        {"id": "everyday", "name": "Everyday account", "status": "active", "since": str(opened)},
        {"id": seed.tier, "name": plan.get(seed.tier, "Standard plan"), "status": "active"},
    ]
    span = max(1, (today - timedelta(days=14) - opened).days)
    others = [offer for offer in taken if BY_ID[offer].kind != "plan"]
    for number, offer in enumerate(others, 1):
        since = opened + timedelta(days=span * number // (len(others) + 1))
        products.append(
            {"id": offer, "name": BY_ID[offer].name, "status": "active", "since": str(since)}
        )
    return products


def _seed_past_conversation(
    session: Session,
    account_id: int,
    inbox_id: int,
    contact: Contact,
    past: content.PastConversationSeed,
    agent_user_id: int,
) -> None:
    """History is imported as it happened: timestamps in the past, and the events that a live
    conversation would have recorded, so KPIs over the demo have data from day one."""
    started = utcnow() - timedelta(days=past.days_ago, hours=2)
    by_agent = past.resolved_by == "agent"
    conversation = Conversation(
        account_id=account_id,
        inbox_id=inbox_id,
        contact_id=contact.id,
        status=ConversationStatus.resolved,
        assignee_id=agent_user_id if by_agent else None,
        created_at=started,
        updated_at=started,
        csat_score=past.csat,
        intent=past.intent,
    )
    session.add(conversation)
    session.flush()

    def event(kind: str, at_minutes: int, actor: str, payload: dict[str, object]) -> None:
        session.add(
            Event(
                account_id=account_id,
                conversation_id=conversation.id,
                type=kind,
                actor_type=actor,
                actor_id=agent_user_id if actor == "agent" else None,
                payload=payload,
                created_at=started + timedelta(minutes=at_minutes),
            )
        )

    event("conversation.opened", 0, "customer", {"inbox_id": inbox_id, "channel": "web_widget"})
    minute = 0
    escalated = False
    for sender, text in past.messages:
        minute += 2
        at = started + timedelta(minutes=minute)
        session.add(
            Message(
                account_id=account_id,
                conversation_id=conversation.id,
                sender_type=SenderType(sender),
                sender_user_id=agent_user_id if sender == "agent" else None,
                body=text,
                annotations={"intent": past.intent} if sender == "customer" else {},
                created_at=at,
            )
        )
        if sender == "customer":
            event("message.received", minute, "customer", {"chars": len(text)})
        elif sender == "bot":
            event("bot.replied", minute, "bot", {"intent": past.intent})
        else:
            if not escalated:
                escalated = True
                conversation.escalated_at = at - timedelta(minutes=1)
                conversation.escalation_reason = "explicit_request"
                event("conversation.escalated", minute - 1, "bot", {"reason": "explicit_request"})
                event("conversation.assigned", minute, "agent", {"assignee_id": agent_user_id})
                conversation.first_human_response_at = at
            event("agent.replied", minute, "agent", {"chars": len(text)})
    conversation.resolved_at = started + timedelta(minutes=minute + 3)
    conversation.last_message_at = started + timedelta(minutes=minute)
    event("conversation.resolved", minute + 3, past.resolved_by, {"resolved_by": past.resolved_by})
    if past.csat is not None:
        event("csat.submitted", minute + 5, "customer", {"score": past.csat})
    session.flush()
