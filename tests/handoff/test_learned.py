"""The learned escalation model beside the rules: what it reads, how the policy uses it, and
that the evidence names the model and the message."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from batondesk.handoff.detection import HandoffCues, detect_cues
from batondesk.handoff.learned import REASONS, EscalationModel, LearnedReading
from batondesk.handoff.policy import EscalationPolicy
from batondesk.handoff.settings import EscalationSettings
from batondesk.training.escalation import fit_escalation_model

# Wording none of the hand-written cues know (Hungarian and Czech requests for a person;
# vulnerability without the rules' words), and routine questions around them.
LABELLED: list[tuple[list[str], str]] = [
    (["szeretnék egy ügyintézővel beszélni"], "explicit_request"),
    (["kérem kapcsoljon egy ügyintézőhöz"], "explicit_request"),
    (["élő ügyintézővel szeretnék beszélni, nem géppel"], "explicit_request"),
    (["chci mluvit s operátorem"], "explicit_request"),
    (["přepojte mě prosím na operátora"], "explicit_request"),
    (["chci mluvit se skutečným člověkem"], "explicit_request"),
    (["můžete mě přepojit na člověka"], "explicit_request"),
    (["my dad has dementia and I look after his account for him"], "sensitive"),
    (["I care for my mum who can't manage her money any more"], "sensitive"),
    (["I'm his carer and he keeps getting confused by the app"], "sensitive"),
    (["my partner takes my wages and won't let me see my account"], "sensitive"),
    (["he controls all my money and checks my spending every day"], "sensitive"),
    (["you said Tuesday. it is Friday. still nothing"], "frustration"),
    (["third promise this month and still no refund, unbelievable"], "frustration"),
    (["21 days. your policy says 5"], "frustration"),
    (["that's not what I asked", "no, that's not what I asked either"], "repeated_failure"),
    (["none of those", "again, none of those options"], "repeated_failure"),
    (["you already said that", "you keep saying the same thing"], "repeated_failure"),
    (["how do I change my PIN"], "none"),
    (["when will my card arrive"], "none"),
    (["what is the exchange rate for euros"], "none"),
    (["mikor érkezik meg a kártyám"], "none"),
    (["jak změnit PIN"], "none"),
    (["thanks, that worked"], "none"),
    (["all done, thank you"], "none"),
    (["can I add my partner to my account"], "none"),
    (["is there a fee for cash withdrawals"], "none"),
    (["how do I top up with a card"], "none"),
]


@pytest.fixture(scope="module")
def model() -> EscalationModel:
    return fit_escalation_model(
        [messages for messages, _ in LABELLED], [reason for _, reason in LABELLED], threshold=0.6
    )


def test_the_model_hears_a_request_for_a_person_in_a_language_the_rules_do_not_know(
    model: EscalationModel,
) -> None:
    assert detect_cues(["szeretnék most egy ügyintézővel beszélni"]).explicit_request is None
    reading = model.read(["szeretnék most egy ügyintézővel beszélni"])
    assert reading.reason == "explicit_request"
    assert reading.needs_person > model.read(["jak změnit PIN"]).needs_person
    assert model.read(["when will my card arrive"]).needs_person < 0.5


def test_the_reading_points_at_the_message_that_says_it(model: EscalationModel) -> None:
    messages = ["when will my card arrive", "chci mluvit s operátorem", "ok"]
    reading = model.read(messages)
    assert reading.reason == "explicit_request"
    assert reading.message_index == 1


def test_the_reading_names_the_words_that_weigh_most(model: EscalationModel) -> None:
    """What the agent sees as the model's evidence: words of the message, not its filler."""
    message = "hello, szeretnék egy ügyintézővel beszélni"
    span = model.weightiest_words(message, REASONS.index("explicit_request"))
    assert span is not None
    start, end = span
    assert "ügyintéző" in message[start:end] or "beszélni" in message[start:end]
    assert "hello" not in message[start:end]


def test_a_model_decision_carries_the_message_and_the_words_as_evidence(
    model: EscalationModel,
) -> None:
    messages = ["mikor érkezik meg a kártyám", "élő ügyintézővel szeretnék beszélni"]
    cues = detect_cues(messages, model)
    assert cues.explicit_request is None  # no rule knows Hungarian
    verdict = EscalationPolicy(EscalationSettings(learned_threshold=0.5)).before_answer(cues)
    assert verdict is not None and verdict.reason == "explicit_request"
    signal = verdict.evidence["signal"]
    assert signal["cue"] == "learned_model" and signal["message_index"] == 1
    start, end = signal["span"]
    assert messages[1][start:end].strip()


def test_a_saved_model_reads_the_same(model: EscalationModel, tmp_path: Path) -> None:
    model.save(tmp_path / "escalation")
    loaded = EscalationModel.load(tmp_path / "escalation")
    messages = ["my partner checks all my spending", "and takes my card"]
    assert loaded.read(messages) == model.read(messages)
    assert loaded.threshold == 0.6


def _cues(needs_person: float, reason: str = "sensitive") -> HandoffCues:
    reading = LearnedReading(needs_person, reason, 1, {"none": 1 - needs_person, reason: 0.9})
    return HandoffCues(learned=reading)


def test_the_policy_hands_over_on_a_sure_reading_and_names_the_model_and_the_message() -> None:
    verdict = EscalationPolicy(EscalationSettings(learned_threshold=0.8)).before_answer(_cues(0.85))
    assert verdict is not None and verdict.reason == "sensitive"
    signal = verdict.evidence["signal"]
    assert signal["cue"] == "learned_model" and signal["message_index"] == 1
    assert signal["score"] == 0.85
    assert verdict.evidence["escalation_thresholds"]["learned"] == 0.8


def test_the_account_threshold_and_signal_switch_govern_the_model() -> None:
    strict = EscalationPolicy(EscalationSettings(learned_threshold=0.9))
    assert strict.before_answer(_cues(0.85)) is None
    off = EscalationSettings(
        enabled_signals=["explicit_request", "sensitive", "frustration", "repeated_failure"]
    )
    assert EscalationPolicy(off).before_answer(_cues(0.99)) is None


def test_a_rule_keeps_its_own_evidence_when_the_model_agrees() -> None:
    rules = detect_cues(["I want to speak to a human"])
    assert rules.explicit_request is not None
    both = HandoffCues(
        explicit_request=rules.explicit_request,
        learned=LearnedReading(0.95, "explicit_request", 0, {"none": 0.05}),
    )
    verdict = EscalationPolicy().before_answer(both)
    assert verdict is not None and verdict.reason == "explicit_request"
    assert verdict.evidence["signal"]["cue"] != "learned_model"


def test_the_shipped_model_reads_with_the_sentence_encoder_and_without_it() -> None:
    """The shipped model reads the current message's meaning through the knowledge search's
    encoder; where that encoder cannot run it still reads the words (less sure, not broken),
    and a vector the intent model already computed gives the same reading."""
    from batondesk.knowledge.embedding import default_embedder

    embedder = default_embedder()
    assert embedder is not None
    with_meaning = EscalationModel.load(embedder=embedder)
    words_only = EscalationModel.load()
    messages = ["how do I order a new card", "I was promised a callback on Monday. It's Friday."]
    reading = with_meaning.read(messages)
    assert reading.message_index == 1
    assert with_meaning.read(messages, embedder.embed(messages[-1:])[0]) == reading
    assert words_only.read(messages).probabilities != reading.probabilities
    assert 0.0 <= words_only.read(messages).needs_person <= 1.0
    assert with_meaning.read(["how do I order a new card"]).needs_person < 0.5


def test_a_question_asked_out_of_curiosity_is_not_handed_over_on_the_model_alone() -> None:
    reading = LearnedReading(0.97, "sensitive", 0, {"none": 0.03, "sensitive": 0.9})
    policy = EscalationPolicy()
    curious = detect_cues(
        ["Por curiosidad, ¿qué hacen si alguien clona una tarjeta? No me ha pasado nada"]
    )
    assert policy.before_answer(replace(curious, learned=reading)) is None
    happened = detect_cues(["¿Qué hacen si alguien clona una tarjeta? Me ha pasado esta mañana"])
    verdict = policy.before_answer(replace(happened, learned=reading))
    assert verdict is not None and verdict.reason == "sensitive"


def test_a_message_the_intent_model_encoded_is_not_encoded_again_at_the_next_turn() -> None:
    """The turn hands the model the vector the intent model computed for the current message;
    read again as an earlier message at the next turn, that message costs no second pass of
    the encoder, and the reading is the one fresh encodings give."""
    from batondesk.knowledge.embedding import MiniLMEmbedder, default_embedder, encoder_directory

    shared = default_embedder()
    assert shared is not None
    embedder = MiniLMEmbedder(encoder_directory())  # its own memory, so nothing is seen yet
    encoded: list[str] = []
    real_encoder = embedder._encoder

    class CountingEncoder:
        def pooled_layers(self, texts, batch_size=64):  # type: ignore[no-untyped-def]
            encoded.extend(texts)
            return real_encoder.pooled_layers(texts, batch_size)

    embedder._encoder = CountingEncoder()  # type: ignore[assignment]
    model = EscalationModel.load(embedder=embedder)
    first, second = "how do I order a new card", "I was promised a callback on Monday. Friday now."
    model.read([first], shared.embed([first])[0])  # the first turn, with the intent model's vector
    reading = model.read([first, second], shared.embed([second])[0])  # the next turn
    assert encoded == []
    assert reading == EscalationModel.load(embedder=shared).read([first, second])


def test_the_model_reads_exactly_the_features_it_was_fitted_on(model: EscalationModel) -> None:
    """Reading adds the blocks' products one by one instead of stacking the fitted feature
    matrix: the logits are the same, for conversations of one message and of several."""
    import numpy as np

    from batondesk.handoff.learned import SENTENCE_DIMENSION, conversation_features

    conversations = [
        ["chci mluvit s operátorem"],
        ["how do I change my PIN", "that's not what I asked", "again, none of those options"],
        ["my dad has dementia and I look after his account for him"],
    ]
    vectors = np.random.default_rng(0).normal(size=(len(conversations), SENTENCE_DIMENSION))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    stacked = conversation_features(model.features, conversations, vectors) @ model.coef
    assert np.allclose(model._logits(conversations, vectors), stacked + model.intercept)
    assert np.allclose(
        model._logits(conversations[:1], vectors[:1]), (stacked + model.intercept)[:1]
    )
