"""A/B experiments of the bot's behaviour (docs/experiments.md): definitions and their
overrides of the turn, sticky assignment, and results with their statistics. No HTTP and no
writes: the actions in actions/experiments.py do those."""
