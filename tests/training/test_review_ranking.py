"""The review queue's order: the reviewer's budget goes to messages that teach the model."""

from batondesk.training.review_ranking import rank_key, usefulness


def _order(items: dict[int, tuple[list[str], float | None, int]]) -> list[int]:
    scored = {
        i: usefulness(reasons, margin, similar) for i, (reasons, margin, similar) in items.items()
    }
    return sorted(scored, key=lambda i: rank_key(scored[i], i))


def test_a_hesitant_message_comes_before_a_confident_one_with_many_near_duplicates() -> None:
    order = _order(
        {
            1: (["unclear"], 0.9, 40),  # confident, and forty messages say the same
            2: (["unclear"], 0.1, 0),  # the model hesitated between two intents
        }
    )
    assert order == [2, 1]


def test_a_person_saying_the_bot_was_wrong_outranks_the_models_doubt() -> None:
    order = _order({1: (["low_confidence"], 0.0, 60), 2: (["agent_corrected"], 0.95, 0)})
    assert order == [2, 1]


def test_near_duplicates_break_a_tie_then_the_newest_comes_first() -> None:
    order = _order(
        {
            1: (["unclear"], 0.5, 0),
            2: (["unclear"], 0.5, 7),
            3: (["unclear"], 0.5, 0),
        }
    )
    assert order == [2, 3, 1]
