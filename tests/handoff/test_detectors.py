"""The detectors read customers the way a careful agent would."""

from __future__ import annotations

import pytest

from batondesk.handoff.detection import detect_cues
from batondesk.handoff.explicit_request import detect_explicit_request
from batondesk.handoff.frustration import conversation_reading, message_frustration
from batondesk.handoff.repeated_failure import detect_repeated_failure
from batondesk.handoff.sensitive import detect_sensitive


@pytest.mark.parametrize(
    "text",
    [
        "Can I speak to a human please?",
        "can a real person look at this",
        "put me through to someone who can actually help",
        "Operator!!",
        "Why can't I talk to a human?",
        "I don't want to talk to a bot, get me a person",
        "Quiero hablar con una persona",
        "Je voudrais parler à un conseiller",
        "Ich möchte mit einem Mitarbeiter sprechen",
        "Quero falar com um atendente",
        "Vorrei parlare con un operatore",
    ],
)
def test_requests_for_a_person_in_six_languages(text: str) -> None:
    assert detect_explicit_request(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "My travel agent booked the flight with my card",
        "I bought a Human Made hoodie and got charged twice",
        "Was it human error that my transfer failed?",
        "I don't need to talk to anyone, just tell me the fee",
        "How do I change my account manager?",
        "Can I send money to another person?",
        "I spoke to someone yesterday and they said it would arrive",
        "The selfie check says it can't confirm I'm a live person. Any tips?",
        "I am a real human being, why does the captcha keep failing?",
    ],
)
def test_other_senses_of_agent_and_human_are_not_requests(text: str) -> None:
    assert detect_explicit_request(text) is None


def test_a_request_cue_points_at_the_words() -> None:
    text = "My card is late. Can a real person look at this?"
    cue = detect_explicit_request(text)
    assert cue is not None and cue.span is not None
    assert "real person" in text[cue.span[0] : cue.span[1]]


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("There's a payment on my card I don't recognise", "fraud"),
        ("Someone has used my card to buy things online", "fraud"),
        ("My father passed away and I need to close his account", "bereavement"),
        ("I'm taking you to court over this", "legal"),
        ("I can see someone else's account in my app", "privacy"),
        ("My ex is threatening me and forcing me to send money", "safety"),
        ("I lost my job and can't afford food this week", "vulnerable"),
        ("No reconozco este cargo", "fraud"),
        ("Mon père est décédé", "bereavement"),
        ("The funeral is on Friday and his direct debits are still going out", "bereavement"),
        ("O funeral da minha mãe foi ontem, preciso cancelar o cartão dela", "bereavement"),
        ("How do I know a text is you? I opened its link and entered my card details", "fraud"),
        ("my mother-in-law died last night and we fly on the day of the funeral", "bereavement"),
        ("Namatay po ang tatay ko, paano po ang account niya?", "bereavement"),
        ("Sort this out or my solicitor will be in touch", "legal"),
        ("I'm the full-time carer for my dad, he keeps ordering things he forgets", "vulnerable"),
        (
            "Mijn broer heeft een verstandelijke beperking en heeft drie reizen geboekt",
            "vulnerable",
        ),
        ("The kettle you sold me caught fire last night", "safety"),
        ("Das Ladegerät hat Feuer gefangen, die Wand ist verkohlt", "safety"),
        ("My husband takes my salary card every month and keeps the PIN", "safety"),
        ("Estou a ser seguida por um homem desde o aeroporto", "safety"),
        ("honestly I just don't see the point of much lately", "safety"),
        ("Ik wil een klacht indienen bij het Kifid", "legal"),
        ("the email had the invoices of about 50 other customers attached", "privacy"),
    ],
)
def test_sensitive_situations(text: str, category: str) -> None:
    cue = detect_sensitive(text)
    assert cue is not None and cue.name == category


@pytest.mark.parametrize(
    "text",
    [
        "What is your fraud protection policy?",
        "My phone died so I couldn't use the app",
        "My card was stolen, how do I freeze it?",
        "I'm dying to know when my card arrives",
        "I'm ordering a wreath for my grandad's funeral, can it reach the church by 10am?",
        "Il me faudrait une gerbe pour des obsèques vendredi, vous livrez au funérarium ?",
        "My mum passed her citizenship test! Can she be added to my account now?",
        "Out of interest, how do scammers pretend to be the bank? Want to brief my parents",
        "Mal aus Neugier: Woran erkenne ich, ob eine SMS wirklich von euch kommt?",
        "Quiero comprar un traje negro para el funeral de un compañero, ¿llega el jueves?",
        "I'm paying for a funeral for a family friend, what details do I need for the transfer?",
        "Namatay po yung cellphone ko kaya hindi ko nakuha yung OTP, pwede pong i-resend?",
        "My solicitor has asked for 6 months of statements, how do I get them stamped?",
        "Wie bekomme ich einen Kontoauszug als PDF für meinen Anwalt?",
        "J'ai reçu une alerte 'suspicious login' mais c'était moi sur mon nouveau laptop",
        "Mia nonna mi chiede come riconoscere un SMS truffa, avete una pagina di consigli?",
        "I'm a carer by profession, can my agency wages be paid in weekly?",
        "My husband took my card to the shop for me, can he pay contactless with it?",
        "Se não devolverem o dinheiro, publico tudo no Reclame Aqui",
        "The ATM took my card, how do I get a new one?",
    ],
)
def test_sensitive_topics_in_routine_questions_are_not_sensitive(text: str) -> None:
    assert detect_sensitive(text) is None


def test_one_negative_word_about_a_product_is_not_frustration() -> None:
    assert message_frustration("The new card design is ugly, how do I activate it?").score < 0.4


def test_an_insult_at_someone_else_is_not_frustration_with_us() -> None:
    text = (
        "Sorry if I'm blunt, I've had the worst day, some idiot reversed into my car. "
        "Anyway, how do I change the address on my card?"
    )
    assert message_frustration(text).score < 0.5
    assert message_frustration("you idiots charged me twice").score > 0.3
    curious = "just curious, how would I know if a text from you is a scam? nothing's happened"
    assert message_frustration(curious).score < 0.5


@pytest.mark.parametrize(
    "text",
    [
        "Mein Flug wurde gestrichen. Hotel selbst bezahlt. Ganz toll. Danke für nichts.",
        "Me prometieron que se devolvía el lunes. Hoy es jueves. Ni un euro.",
        "my card was declined at the till in front of everyone, with £400 in the account",
        "THIRD REPLACEMENT THAT ARRIVES BROKEN. I AM DONE",
        "If nothing happens by tomorrow I'll post the whole story on Instagram",
    ],
)
def test_frustration_without_angry_words(text: str) -> None:
    assert message_frustration(text).score >= 0.5


@pytest.mark.parametrize(
    "text",
    [
        "HOW DO I ORDER A NEW CARD FOR MY GRANDSON",
        "I promised my son a new phone, can I pay in instalments now?",
        "do you have a guide on spotting scam websites? saw a post about it on facebook",
    ],
)
def test_capitals_a_promise_or_a_post_alone_are_not_frustration(text: str) -> None:
    assert message_frustration(text).score < 0.5


def test_friendly_sarcasm_is_not_frustration() -> None:
    text = "haha well my card decided to take a holiday 😂 when does the new one arrive?"
    assert message_frustration(text).score < 0.2


def test_anger_rising_over_the_conversation() -> None:
    reading = conversation_reading(
        ["Where is my card?", "Still nothing after 3 weeks. This is absolutely unacceptable!!"]
    )
    assert reading.rising
    assert reading.score > 0.45
    assert reading.per_message[0].score < reading.per_message[1].score


@pytest.mark.parametrize(
    "text",
    [
        "Estoy harto, es la tercera vez",
        "C'est inadmissible, j'en ai marre",
        "Das ist eine Frechheit!",
        "Isso é um absurdo",
        "È una vergogna",
    ],
)
def test_exasperation_in_other_languages(text: str) -> None:
    assert message_frustration(text).score >= 0.3


def test_the_customer_says_the_bot_missed_the_point() -> None:
    cue = detect_repeated_failure(["How do I raise my limit?", "that's not what I asked"])
    assert cue is not None and cue.name == "bot_missed_the_point"


def test_asking_the_same_question_again_is_a_rephrasing() -> None:
    cue = detect_repeated_failure(
        [
            "Can I add my partner as a joint account holder?",
            "Can I add my partner to my account as a joint holder?",
        ]
    )
    assert cue is not None and cue.name == "rephrasing"
    assert cue.detail["same_as_message_index"] == 0


def test_a_follow_up_question_is_not_a_rephrasing() -> None:
    assert (
        detect_repeated_failure(
            [
                "How long does card delivery take?",
                "And how long does delivery take for a virtual card?",
            ]
        )
        is None
    )


def test_cues_store_no_text() -> None:
    cues = detect_cues(["My father passed away", "I want to speak to a person"])
    assert cues.explicit_request is not None and cues.explicit_request.message_index == 1
    evidence = cues.explicit_request.as_evidence()
    assert set(evidence) <= {"cue", "message_index", "span", "score"}


def test_scam_as_a_topic_is_not_an_insult() -> None:
    assert message_frustration("This is a scam, you took my money twice").score >= 0.4
    assert message_frustration("Do you have a guide on spotting scam websites?").score < 0.4


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Where is my CARD?", "where is my card?"),
        ("Je voudrais parler à un conseiller", "je voudrais parler a un conseiller"),
        ("I don’t want the BOT, Straße ‘now’", "i don't want the bot, straße 'now'"),
        ("ÇA NE MARCHE PAS 😡 ok", "ca ne marche pas 😡 ok"),
    ],
)
def test_folding_keeps_one_character_per_character_so_spans_point_at_the_words(
    text: str, folded: str
) -> None:
    from batondesk.handoff.cues import fold

    assert fold(text) == folded
    assert len(fold(text)) == len(text)
    cue = detect_explicit_request(f"{text} - can I speak to a human please?", 0)
    assert cue is not None and cue.span is not None
    start, end = cue.span
    assert "human" in f"{text} - can I speak to a human please?"[start:end].lower()
