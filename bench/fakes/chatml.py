"""The fake model's text side: the recorded ChatML template and a deterministic tokenizer.

The recorded server runs SmolLM2, whose chat template (in `props.json`) wraps each message in
`<|im_start|>role ... <|im_end|>` and adds a default system message when there is none. The
tokenizer is not the model's: it cuts words of up to 8 letters (with their leading space),
single digits and single punctuation marks, about as many tokens as a real one for log text,
and like llama.cpp's its pieces always concatenate back to the exact input.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping, Sequence

_SPECIAL = {"<|im_start|>": 1, "<|im_end|>": 2}
_SPECIAL_SPLIT = re.compile("(" + "|".join(re.escape(token) for token in _SPECIAL) + ")")
# The last alternative takes any other single character, so the pieces cover the whole text.
_PIECE = re.compile(r" ?[^\W\d_]{1,8}| ?\d| ?[^\w\s]|[\s\S]")
_DEFAULT_SYSTEM = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"


def tokenize(text: str, parse_special: bool = True) -> list[tuple[int, str]]:
    """`(id, piece)` pairs whose pieces concatenate to `text`; the same text, the same ids."""
    parts = _SPECIAL_SPLIT.split(text) if parse_special else [text]
    tokens: list[tuple[int, str]] = []
    for part in parts:
        if part in _SPECIAL and parse_special:
            tokens.append((_SPECIAL[part], part))
        else:
            tokens.extend((100 + zlib.crc32(piece.encode()) % 49000, piece)
                          for piece in _PIECE.findall(part))  # fmt: skip
    return tokens


def apply_template(messages: Sequence[Mapping[str, str]]) -> str:
    """The recorded model's chat template, with the generation prompt."""
    turns = list(messages)
    if not turns or turns[0].get("role") != "system":
        turns.insert(0, {"role": "system", "content": _DEFAULT_SYSTEM})
    text = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in turns)
    return text + "<|im_start|>assistant\n"
