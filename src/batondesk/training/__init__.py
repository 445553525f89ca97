"""Datasets, training runs and the model lifecycle around the NLU engine."""
