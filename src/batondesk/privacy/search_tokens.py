"""Words -> keyed tokens, for searching sealed text without storing it.

A message's words are normalised (Unicode NFKC, case folded, accents removed, so "Café" finds
"cafe") and each distinct word becomes HMAC-SHA256(account search key, word), cut to 128 bits.
An email address in the text is also kept whole ("ana@example.com" is one token besides "ana",
"example" and "com"). A search hashes its words the same way and looks the tokens up.

The account's search key is a system key in the key store (wrapped by the master key, never in
the main database; `search-index|<account id>`), so a stolen copy of the database alone cannot
test guesses against the tokens. What the copy does show: which messages share a word, and how
often each (unknown) word occurs. Tokens of one account say nothing about another's. Only
whole words are found (no prefixes): a prefix index would show much more of each word.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata

from sqlalchemy.orm import Session

from batondesk.privacy.keys import keys_of

# A word: letters and digits (any script); an email address is also taken whole.
_WORD = re.compile(r"\w+", re.UNICODE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Longer "words" are pasted tokens or noise, and would only bloat the index.
MAX_WORD_CHARS = 64
# A search with more words than this is refused (each word is one more index lookup).
MAX_QUERY_WORDS = 8
TOKEN_HEX_CHARS = 32


def normalise(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).casefold()
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """The distinct searchable words of `text`, in order of first appearance."""
    plain = normalise(text)
    found = [m.group(0).strip(".") for m in _EMAIL.finditer(plain)]
    found += [w for w in _WORD.findall(plain) if w != "_"]
    seen: dict[str, None] = {}
    for word in found:
        if word and len(word) <= MAX_WORD_CHARS:
            seen.setdefault(word, None)
    return list(seen)


def query_terms(text: str) -> list[str]:
    """The terms a search must all find: each email address whole (a contact's email, or the
    address in a message), and the words of the rest."""
    plain = normalise(text)
    emails = [m.group(0) for m in _EMAIL.finditer(plain)]
    rest = _EMAIL.sub(" ", plain)
    terms = list(dict.fromkeys(emails + [w for w in _WORD.findall(rest) if w != "_"]))
    return [t for t in terms if len(t) <= MAX_WORD_CHARS]


def is_email(term: str) -> bool:
    return _EMAIL.fullmatch(term) is not None


def search_key_name(account_id: int) -> str:
    return f"search-index|{account_id}"


class SearchHasher:
    """Turns words into one account's tokens."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    @classmethod
    def for_account(cls, session: Session, account_id: int) -> SearchHasher:
        return cls(keys_of(session).keystore.system_key(search_key_name(account_id)))

    def token(self, word: str) -> str:
        digest = hmac.new(self._key, word.encode(), hashlib.sha256).hexdigest()
        return digest[:TOKEN_HEX_CHARS]

    def tokens(self, text: str) -> list[str]:
        return [self.token(word) for word in words(text)]
