"""A wallet's seed phrase (BIP-39 mnemonic) after the word that names it.

``mnemonic: word word ...``, ``seed_phrase="..."``, ``secret recovery phrase: ...``: 12, 15,
18, 21 or 24 lower-case words of 3 to 8 letters (BIP-39's word list, in every language written
in Latin letters), quoted or not. Anyone holding them holds the wallet; a key-value pair alone
would keep all words but the first of a bare phrase.
"""

from __future__ import annotations

import re

from log_analyzer.logs.redact.rule import _inside_word, _swap

_SEED_PHRASE = re.compile(
    r"(?i:mnemonic|(?:seed|(?:secret[ _-]?)?recovery|backup)[ _-]?(?:phrase|words))s?"
    r"\\{0,3}[\"']?[ \t]*[:=][ \t]*\\{0,3}[\"']?"
    r"(?P<secret>[a-z]{3,8}(?:[ \t]+[a-z]{3,8}){11,23})(?![A-Za-z0-9_.:=-])"
    # No more words of a phrase follow (a 25th word makes prose); the next field may.
    r"(?![ \t]+[a-z]{3,8}(?![A-Za-z0-9_.:=-]))"
)
_SEED_PHRASE_HINTS = ("mnemonic", "phrase", "seed word", "recovery word", "backup word")
_SEED_WORDS = frozenset({12, 15, 18, 21, 24})
"""How many words a BIP-39 phrase has (128 to 256 bits of entropy and a checksum)."""


def _seed_phrase(match: re.Match[str]) -> tuple[str, str] | None:
    if _inside_word(match) or len(match.group("secret").split()) not in _SEED_WORDS:
        return None
    return _swap(match, "secret", "mnemonic")
