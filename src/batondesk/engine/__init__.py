"""The customer's turn: understand -> hand over? -> retrieve -> answer / clarify / decline ->
compose the reply (`engine.turn`). Nothing here touches the database or HTTP: actions hand the
turn what it needs and persist what it returns; evaluators and benchmarks call the same turn.
"""
