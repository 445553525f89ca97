"""Plans of simulated conversations: who writes, when and about what.

Pure and deterministic: the same seed, cast and end time give the same plans. What happens in
each conversation is `demo/simulated_story.py`; writing the plans is `demo/history.py`.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterator
from datetime import datetime, timedelta

from batondesk.demo import simulated_texts as texts
from batondesk.demo.simulated_story import (
    Cast,
    PlannedConversation,
    SimulatedCustomer,
    Story,
)

# Weekday (Monday first) and hour-of-day weights of new conversations.
WEEKDAY_WEIGHTS = (1.0, 1.05, 1.0, 0.95, 0.9, 0.6, 0.5)
HOUR_WEIGHTS = (0.15, 0.1, 0.08, 0.06, 0.06, 0.1, 0.25, 0.5, 0.9, 1.2, 1.3, 1.25) + (
    1.2,
    1.25,
    1.2,
    1.1,
    1.05,
    1.0,
    0.95,
    0.9,
    0.8,
    0.6,
    0.4,
    0.25,
)
TIERS = ("standard", "premium", "vip")
TIER_WEIGHTS = (0.75, 0.2, 0.05)
# Share of conversations after which the customer comes back about the same topic (2 h-10 days).
RETURN_SHARE = 0.12


def plan_customers(rng: random.Random, count: int) -> list[SimulatedCustomer]:
    return [
        SimulatedCustomer(
            index,
            rng.choices(texts.LANGUAGES, texts.LANGUAGE_WEIGHTS)[0],
            rng.choices(TIERS, TIER_WEIGHTS)[0],
        )
        for index in range(count)
    ]


def start_times(rng: random.Random, count: int, end: datetime, days: int) -> list[datetime]:
    """`count` moments in the `days` days before `end`, with weekly and daily seasonality and
    slow growth (the latest weeks are busier), sorted."""
    first_day = (end - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)
    day_weights = [
        WEEKDAY_WEIGHTS[(first_day + timedelta(days=d)).weekday()] * (1 + 0.3 * d / days)
        for d in range(days + 1)
    ]
    moments = []
    while len(moments) < count:
        day = rng.choices(range(days + 1), day_weights)[0]
        hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
        at = first_day + timedelta(days=day, hours=hour, seconds=rng.randrange(3600))
        if end - timedelta(days=days) <= at < end - timedelta(minutes=5):
            moments.append(at)
    return sorted(moments)


def plan_conversations(
    rng: random.Random,
    cast: Cast,
    customers: list[SimulatedCustomer],
    count: int,
    end: datetime,
    days: int,
) -> Iterator[PlannedConversation]:
    """`count` conversations of `customers` opened over the `days` days before `end`, in the
    order they were opened (a generator: a large simulation is written as it is planned).
    Customers are drawn unevenly (a few write often), and some come back about the same
    topic."""
    intent_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(cast.intents))]
    customer_weights = [1 / (i + 1) ** 0.3 for i in range(len(customers))]
    follow_ups: list[tuple[datetime, int, str]] = []  # a heap, soonest first
    for opened_at in start_times(rng, count, end, days):
        if follow_ups and follow_ups[0][0] <= opened_at:
            _, customer, intent = heapq.heappop(follow_ups)
        else:
            customer = rng.choices(range(len(customers)), customer_weights)[0]
            intent = rng.choices(cast.intents, intent_weights)[0]
        story = Story(rng, cast, customers[customer], intent, opened_at, end)
        story.play()
        yield story.plan
        if rng.random() < RETURN_SHARE:
            gap = timedelta(hours=rng.uniform(2, 240))
            heapq.heappush(follow_ups, (opened_at + gap, customer, intent))
