"""The optional language model: any OpenAI-compatible chat endpoint (Ollama, vLLM, hosted).

Off unless `BATON_LLM_BASE_URL` and `BATON_LLM_MODEL` are set. Used to phrase an answer from
retrieved passages and to write handoff summaries. Two rules hold whatever the endpoint:
- only redacted text leaves the host (emails, phone numbers, card numbers, IBANs and national
  ids are replaced by placeholders before the request is built);
- a generated answer is used only when every claim in it is supported by the passages
  (`grounding.GroundingChecker`); otherwise the caller falls back to the extractive answer.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from batondesk.knowledge.grounding import GroundingChecker, GroundingVerdict

log = logging.getLogger("batondesk.knowledge.llm")

ANSWER_INSTRUCTIONS = (
    "You are a bank's support assistant. Answer the customer's question using ONLY the "
    "passages given. Do not add facts, numbers or steps that are not in the passages. Keep it "
    "short (at most 4 sentences), friendly and direct. If the passages do not answer the "
    "question, reply exactly: NO_ANSWER"
)
SUMMARY_INSTRUCTIONS = (
    "Summarise this customer support conversation for the human agent taking over, in at "
    "most 3 short sentences: what the customer wants, what was already tried, and their mood. "
    "Do not invent details."
)


class LLMError(RuntimeError):
    pass


@dataclass(frozen=True)
class Completion:
    text: str
    tokens: int  # prompt and reply, as the endpoint reports them; 0 when it does not


@dataclass(frozen=True)
class ChatClient:
    """A minimal OpenAI-compatible `/chat/completions` client (no streaming, no tools)."""

    base_url: str
    model: str
    api_key: str = ""
    timeout_seconds: float = 20.0

    def complete(self, messages: list[dict[str, str]], *, max_tokens: int = 300) -> str:
        return self.complete_counted(messages, max_tokens=max_tokens).text

    def complete_counted(
        self, messages: list[dict[str, str]], *, max_tokens: int = 300
    ) -> Completion:
        """The reply and the tokens it used (the cost model counts them)."""
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        body: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "temperature": 0,
            "max_tokens": max_tokens,
        }
        try:
            response = httpx.post(
                f"{self.base_url.rstrip('/')}/chat/completions",
                json=body,
                headers=headers,
                timeout=self.timeout_seconds,
            )
            response.raise_for_status()
            data = response.json()
            text = str(data["choices"][0]["message"]["content"]).strip()
            usage = data.get("usage") or {}
            tokens = usage.get("total_tokens") if isinstance(usage, dict) else None
            return Completion(text, tokens if isinstance(tokens, int) and tokens > 0 else 0)
        except (httpx.HTTPError, KeyError, IndexError, TypeError, ValueError) as exc:
            # The error names the failure class only: it must never echo request text.
            raise LLMError(f"chat completion failed: {type(exc).__name__}") from None


@dataclass(frozen=True)
class GeneratedAnswer:
    text: str | None  # None: not usable (no answer, endpoint failure, or not grounded)
    outcome: str  # "grounded" / "unsupported" / "no_answer" / "error"
    verdict: GroundingVerdict | None = None
    tokens: int = 0  # what the call used, whether or not its answer is


class GroundedWriter:
    """Phrases answers and handoff summaries with a chat model, on redacted text only."""

    def __init__(self, client: ChatClient, checker: GroundingChecker | None = None) -> None:
        self.client = client
        self.checker = checker or GroundingChecker()

    def answer(self, question: str, passages: Sequence[str]) -> GeneratedAnswer:
        from batondesk.privacy.redaction import redact_text as redact

        if not passages:
            return GeneratedAnswer(None, "no_answer")
        safe_passages = [redact(p) for p in passages]
        numbered = "\n\n".join(f"[{n}] {p}" for n, p in enumerate(safe_passages, start=1))
        messages = [
            {"role": "system", "content": ANSWER_INSTRUCTIONS},
            {
                "role": "user",
                "content": f"Passages:\n{numbered}\n\nCustomer question: {redact(question)}",
            },
        ]
        try:
            completion = self.client.complete_counted(messages)
        except LLMError as exc:
            log.warning("LLM answer skipped: %s", exc)
            return GeneratedAnswer(None, "error")
        text, tokens = completion.text, completion.tokens
        if not text or "NO_ANSWER" in text:
            return GeneratedAnswer(None, "no_answer", tokens=tokens)
        verdict = self.checker.check(text, safe_passages)
        if not verdict.supported:
            log.info(
                "generated answer discarded: unsupported claim (weakest support %.2f)",
                verdict.weakest,
            )
            return GeneratedAnswer(None, "unsupported", verdict, tokens)
        return GeneratedAnswer(text, "grounded", verdict, tokens)

    def summarise(self, transcript: Sequence[tuple[str, str]]) -> str | None:
        """A short handoff summary of (speaker, text) turns, or None when the call fails."""
        from batondesk.privacy.redaction import redact_text as redact

        lines = "\n".join(f"{speaker}: {redact(text)}" for speaker, text in transcript)
        try:
            return (
                self.client.complete(
                    [
                        {"role": "system", "content": SUMMARY_INSTRUCTIONS},
                        {"role": "user", "content": lines},
                    ],
                    max_tokens=200,
                )
                or None
            )
        except LLMError as exc:
            log.warning("LLM summary skipped: %s", exc)
            return None


def writer_from_settings(
    base_url: str, model: str, api_key: str, timeout_seconds: float = 20.0
) -> GroundedWriter | None:
    """The writer when the LLM is configured, else None (the product works without it)."""
    if not base_url.strip() or not model.strip():
        return None
    return GroundedWriter(ChatClient(base_url.strip(), model.strip(), api_key, timeout_seconds))
