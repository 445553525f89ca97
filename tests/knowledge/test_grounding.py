"""The grounding check: a generated answer is used only if every claim is in the passages."""

from __future__ import annotations

from batondesk.knowledge.grounding import GroundingChecker

PASSAGES = [
    "Cards arrive within 3-5 working days of ordering. If yours has not arrived after 7 "
    "working days, order a replacement in the app under Cards > Replace card.",
    "Express delivery costs £5 on Standard and is free on Premium and VIP.",
]


def _supported(answer: str) -> bool:
    return GroundingChecker().check(answer, PASSAGES).supported


def test_faithful_paraphrase_is_supported() -> None:
    assert _supported(
        "Sure! Your card should arrive within 3-5 working days of ordering. "
        "If it has not arrived after 7 working days, order a replacement under "
        "Cards > Replace card."
    )
    assert _supported("Express delivery is free on Premium and VIP, and costs £5 on Standard.")


def test_invented_facts_numbers_and_negations_are_not() -> None:
    assert not _supported("Your card arrives in 2 working days.")  # a number not in the passages
    assert not _supported("Cards arrive within 3-5 working days. We also add a £20 credit.")
    assert not _supported("A courier will bring it to your door tomorrow morning.")
    assert not _supported("Express delivery is not free on Premium.")  # negation not in source
    assert not _supported("")
    assert not GroundingChecker().check("Cards arrive within 3-5 working days.", []).supported
