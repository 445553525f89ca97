"""Recommendations: the next-best offer for a customer, from their holdings and transactions.

Explainable rules read the customer's own figures and give the reason a person reads
(rules.py, fees.py); collaborative filtering (implicit) learns from every customer's holdings
which offer tends to come next (collaborative.py, models.py); ranking.py combines them, and
wording.py says them in the customer's language. Who may be recommended anything (marketing
consent, the account's settings) is decided by actions/recommendations.py; this package reads
no consent and writes nothing. docs/recommendations.md describes it all.
"""
