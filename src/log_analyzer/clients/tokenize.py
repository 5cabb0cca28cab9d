"""llama.cpp's ``/tokenize`` answer with pieces, read: where each token starts, which are markers.

:meth:`~log_analyzer.clients.llm.LlamaClient.price_chat` charges each token to the span its
first byte lies in, and reports the tokens that look like a chat template's control tokens.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import Any

# A token whose piece is a whole tag or bracketed word is, in practice, a special token: a
# tokenizer learns "<", "repo" and "_name" from text, not "<repo_name>".
_MARKER_PIECE = re.compile(r"<[^<>\s]{1,64}>|\[[^\[\]\s]{1,64}\]")


def markers_in(tokens: list[Any], starts: list[int], begin: int, end: int) -> frozenset[str]:
    """Pieces of the tokens starting in bytes ``[begin, end)`` that look like control tokens."""
    found = set()
    for index in range(bisect_left(starts, begin), bisect_left(starts, end)):
        token = tokens[index]
        piece = token.get("piece") if isinstance(token, dict) else None
        if (
            isinstance(piece, str)
            and _MARKER_PIECE.fullmatch(piece)
            and any(char.isalpha() for char in piece)
        ):
            found.add(piece)
    return frozenset(found)


def piece_sizes(tokens: list[Any]) -> list[int]:
    """The byte length of each token's piece (a string, or a list of bytes if not UTF-8)."""
    try:
        return [len(token["piece"].encode()) for token in tokens]  # the common case, fast
    except (TypeError, KeyError, AttributeError):
        return [_piece_bytes(token) for token in tokens]


def _piece_bytes(token: Any) -> int:
    piece = token.get("piece", "") if isinstance(token, dict) else ""
    return len(piece) if isinstance(piece, list) else len(str(piece).encode())
