from __future__ import annotations

from batondesk.nlu import analyze_sentiment


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
