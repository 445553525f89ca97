from __future__ import annotations

from batondesk.nlu import analyze_sentiment, conversation_frustration


def test_polarity_orders_positive_neutral_negative() -> None:
    happy = analyze_sentiment("Thanks, that was really helpful!")
    neutral = analyze_sentiment("my card has not arrived")
    angry = analyze_sentiment("This is terrible and unacceptable")
    assert happy.polarity > 0.3 > neutral.polarity > angry.polarity
    assert -1.0 <= angry.polarity <= 1.0


def test_negation_flips_polarity() -> None:
    assert analyze_sentiment("not good at all").polarity < 0 < analyze_sentiment("good").polarity


def test_frustration_signals() -> None:
    score = analyze_sentiment(
        "This is the THIRD TIME I ask!!! useless bank, I will close my account"
    )
    assert score.frustration > 0.8
    assert {"repetition", "repeated_punctuation", "insult", "threat_to_leave"} <= set(score.signals)
    assert "shouting" in analyze_sentiment("WHERE IS MY MONEY YOU PEOPLE").signals
    assert analyze_sentiment("hello, what is the exchange rate?").frustration == 0.0


def test_escalating_conversation_scores_higher_than_calm_one() -> None:
    angry = conversation_frustration(
        [
            "hi my card did not arrive",
            "still waiting, any news?",
            "this is ridiculous, second time I ask!!",
            "UNACCEPTABLE. I am closing my account, you are useless",
        ]
    )
    calm = conversation_frustration(["hi my card did not arrive", "ok thanks", "great, thank you"])
    assert angry.score > calm.score + 0.4
    assert angry.label == "rising" and angry.trend > 0
    assert calm.label == "stable" and calm.score < 0.1
    assert len(angry.per_message) == 4
    assert conversation_frustration([]).score == 0.0
