"""Baton: self-hosted customer support where AI answers routine questions and hands the baton to
a human, with full context, the moment a person is needed."""

__version__ = "0.1.0"
