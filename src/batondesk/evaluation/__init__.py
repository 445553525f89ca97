"""Measuring the bot on labelled data through the same turn customers meet (`engine.turn`):
question sets (answers, wrong answers, abstentions) and conversations (escalation)."""
