"""Splitting articles into passages small enough to retrieve and to quote.

Passages are short on purpose: the sentence encoder reads at most 64 word pieces, and a
passage that answers one thing scores higher for a question about that thing than a whole
article does. Every passage keeps its article's title in front, because customers' questions
often echo the title rather than the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# ~40 words of body text plus the title stay under the encoder's 64 word pieces.
MAX_PASSAGE_WORDS = 40

_HEADING = re.compile(r"^(#{1,6})\s*(.+?)\s*#*\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9*\"'(£€$])")


@dataclass(frozen=True)
class Passage:
    """One retrievable piece of an article. `text` is plain text without the title."""

    article_id: int
    position: int  # order within the article, from 0
    heading: str  # the section heading ("" for the opening)
    text: str

    def indexed_text(self, title: str) -> str:
        """What the retrievers see: title, section heading and text."""
        parts = [title]
        if self.heading:
            parts.append(self.heading)
        parts.append(self.text)
        return ". ".join(part.rstrip(".") for part in parts if part)


def markdown_to_text(markdown: str) -> str:
    """Markdown as plain text: emphasis, links, images and table rules removed, lines kept."""
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<!\w)[*_](\S(?:.*?\S)?)[*_](?!\w)", r"\1", text)
    text = re.sub(r"`([^`]*)`", r"\1", text)
    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if re.fullmatch(r"\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?", stripped):
            continue  # table rule
        if stripped.startswith("|"):
            cells = [cell.strip() for cell in stripped.strip("|").split("|")]
            stripped = ": ".join(cell for cell in cells if cell)
        stripped = re.sub(r"^([-*+]|\d+[.)])\s+", "", stripped)
        stripped = re.sub(r"^>\s?", "", stripped)
        lines.append(stripped)
    return "\n".join(lines).strip()


def split_sections(markdown: str) -> list[tuple[str, str]]:
    """(heading, markdown body) pairs in order; the opening section has heading ""."""
    sections: list[tuple[str, list[str]]] = [("", [])]
    for line in markdown.splitlines():
        match = _HEADING.match(line.strip())
        if match:
            sections.append((match.group(2).strip(), []))
        else:
            sections[-1][1].append(line)
    return [
        (heading, "\n".join(lines).strip())
        for heading, lines in sections
        if heading or "\n".join(lines).strip()
    ]


def chunk_article(article_id: int, body: str, max_words: int = MAX_PASSAGE_WORDS) -> list[Passage]:
    """Passages of at most ~`max_words` words, never crossing a section boundary."""
    passages: list[Passage] = []
    for heading, section in split_sections(body):
        units: list[str] = []
        for block in re.split(r"\n\s*\n", markdown_to_text(section)):
            for line in block.splitlines():
                line = line.strip()
                if line:
                    units.extend(s.strip() for s in _SENTENCE_END.split(line) if s.strip())
        window: list[str] = []
        words = 0
        for unit in units:
            size = len(unit.split())
            if window and words + size > max_words:
                passages.append(Passage(article_id, len(passages), heading, " ".join(window)))
                window, words = [], 0
            window.append(unit)
            words += size
        if window:
            passages.append(Passage(article_id, len(passages), heading, " ".join(window)))
        elif heading and not units:
            passages.append(Passage(article_id, len(passages), heading, heading))
    return passages
