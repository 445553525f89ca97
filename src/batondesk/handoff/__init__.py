"""Humans in the loop: when to hand over, to whom, how fast, and with what context.

Detectors (`explicit_request`, `sensitive`, `frustration`, `repeated_failure`) read text only
and are combined by `policy.EscalationPolicy` inside the engine's decision stage. Queue,
routing, SLA and the handoff packet work on stored conversations and are called by actions
and routes. This package root imports nothing so that the engine can use the detectors
without pulling in the database layer.
"""
