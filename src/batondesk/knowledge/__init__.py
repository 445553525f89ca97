"""Knowledge base, hybrid retrieval and grounded answers.

- `articles`, `importing`: articles with version history; Markdown / CSV / HTML imports.
- `chunking`, `lexical`, `embedding`, `retrieval`, `index`: passages, BM25 + MiniLM search
  fused by reciprocal rank, per-account indexes refreshed when an article changes.
- `templates`, `intent_responses`: per-intent responses filled from the customer's profile.
- `llm`, `grounding`: the optional OpenAI-compatible model, on redacted text, with every
  generated claim checked against the passages.

When the bot answers from an article is the customer's turn's decision (`engine.turn`), not
this package's.

Modules are imported directly (no re-exports here) so that importing one part never loads the
sentence encoder or the database layer it does not need.
"""
