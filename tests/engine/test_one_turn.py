"""The evaluators and the HTTP API run the same turn: the same message to the same account gets
the same decision; and the account's wrong-answer limit governs how often the bot answers."""

from __future__ import annotations

from dataclasses import replace

from fastapi.testclient import TestClient

from batondesk.demo.seed import seed_demo
from batondesk.engine.settings import AnsweringSettings
from batondesk.evaluation.questions import Question, ask
from batondesk.evaluation.workspace import account_setup
from tests.support.workspace import Workspace, first_turn, login

MESSAGES = [
    "what is your exchange rate",  # answered
    "card",  # clarified, with choices
    "can I get a mortgage with you",  # declined in the bank's own words
    "what's the weather like in London today",
    "hello!",  # small talk
    "I want to speak to a human",  # handed over
    "someone has been using my card without me knowing",  # handed over: sensitive
]


def test_the_evaluator_and_the_api_decide_the_same(app, client: TestClient, settings) -> None:  # type: ignore[no-untyped-def]
    demo = seed_demo(app.state.db)
    kinds = {"answer": "answer", "clarify": "clarify", "decline": "decline", "escalate": "handover"}
    with account_setup(settings, app.state.services, "baton-bank") as setup:
        seen = set()
        for text in MESSAGES:
            evaluated = ask(setup, Question(text, None))
            served = first_turn(client, demo.inbox_public_id, text)
            reply = served["reply"]
            expected = kinds.get(evaluated.action, "notice")
            assert reply["kind"] == expected, (text, evaluated, reply)
            cited = [s["slug"] for s in reply["sources"]]
            if evaluated.action == "answer":
                assert cited == [evaluated.answer], text
            if evaluated.action == "clarify":
                offered = [c["article"]["slug"] for c in reply["choices"] if c["article"]]
                assert offered == evaluated.ranked[: len(offered)], text
            seen.add(evaluated.action)
    # The messages above exercise every way a turn can end.
    assert seen == {"answer", "clarify", "decline", "smalltalk", "escalate"}


def test_lowering_the_wrong_answer_limit_lowers_the_answer_rate(
    app, client: TestClient, workspace: Workspace
) -> None:
    fixed_set = [
        "my card still hasn't arrived",
        "when will my new card arrive",
        "how long does card delivery take",
        "what exchange rate do you use",
        "is your exchange rate fair",
        "my top up failed",
        "top-up didn't work",
        "I can't find my card anywhere",
        "please block my lost card",
        "card not delivered yet",
    ]

    def answered() -> int:
        replies = [
            first_turn(client, workspace.a.inbox_public_id, text)["reply"] for text in fixed_set
        ]
        return sum(reply["kind"] == "answer" for reply in replies)

    with TestClient(app) as admin:
        login(admin, workspace.a.users["admin"][1])
        loose = admin.put("/api/v1/admin/settings/answering", json={"max_wrong_rate": 0.2})
        assert loose.status_code == 200 and loose.json()["max_wrong_rate"] == 0.2
        at_loose = answered()
        strict = admin.put("/api/v1/admin/settings/answering", json={"max_wrong_rate": 0.001})
        assert strict.status_code == 200
        at_strict = answered()
        refused = admin.put("/api/v1/admin/settings/answering", json={"max_wrong_rate": 0.5})
        assert refused.status_code == 422 and "max_wrong_rate" in refused.json()["error"]["message"]
    assert at_loose > at_strict
    assert at_loose >= len(fixed_set) // 2


def test_an_account_without_an_intent_model_answers_from_its_articles(settings, db) -> None:  # type: ignore[no-untyped-def]
    """Retrieval alone, with its own policy variant: it offers the right article as a choice at
    the default limit, and answers with it once the account accepts more risk."""
    from batondesk.app import create_app
    from batondesk.engine.services import TurnServices

    app = create_app(settings, services=TurnServices.from_settings(settings))
    assert app.state.services.models.default() is None
    demo = seed_demo(app.state.db)
    question = "When will my new card arrive?"
    with account_setup(settings, app.state.services, "baton-bank") as setup:
        assert setup.classifier is None
        assert setup.policy is app.state.services.policy.retrieval_only
        first = ask(setup, Question(question, "card-delivery"))
        assert first.ranked[0] == "card-delivery"
        assert first.action in ("answer", "clarify")
        riskier = replace(setup, answering=AnsweringSettings(max_wrong_rate=0.1))
        assert ask(riskier, Question(question, "card-delivery")).answer == "card-delivery"
    with TestClient(app) as client:
        reply = first_turn(client, demo.inbox_public_id, question)["reply"]
        offered = [c["article"]["slug"] for c in reply["choices"] if c["article"]]
        assert [s["slug"] for s in reply["sources"]] == ["card-delivery"] or (
            "card-delivery" in offered
        ), reply
    app.state.db.dispose()


def test_a_choice_leads_to_the_same_place_by_button_or_by_typing(app, settings) -> None:  # type: ignore[no-untyped-def]
    """The button's text is the article's title, not the customer's words: pressing "I don't
    recognise a card payment" must not hand over when typing "the first one" answers."""
    from batondesk.engine.clarification import NONE_OF_THESE, OfferedChoice
    from batondesk.engine.turn import ConversationState, CustomerContext, take_turn

    seed_demo(app.state.db)
    with account_setup(settings, app.state.services, "baton-bank") as setup:
        article = next(a for a in setup.index.articles if a.slug == "unrecognised-card-payment")
        offered = (
            OfferedChoice("1", article.title, {"article_id": article.id, "slug": article.slug}),
            OfferedChoice(NONE_OF_THESE, "Something else"),
        )
        state = ConversationState(("there's a payment on my card",), (True,), offered)
        pressed = take_turn(article.title, state, CustomerContext(), setup, button="1")
        typed = take_turn("the first one", state, CustomerContext(), setup)
    assert (pressed.action, pressed.article) == (typed.action, typed.article)
    assert pressed.action == "answer" and pressed.article == article
