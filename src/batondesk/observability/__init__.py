"""Operational concerns: the metrics a monitoring system scrapes (metrics.py)."""
