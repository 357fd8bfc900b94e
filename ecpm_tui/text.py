"""Clean user text: every string a user typed goes through here before it is stored or shown.

Terminals act on raw ESC bytes, and bidirectional override controls make text read
differently from what it is, so both are stripped. (Screens wrap the cleaned text as
literal Content with ``screens.base.safe``, because Textual parses ``[...]`` markup.)
"""

from __future__ import annotations

import re

# ESC-introduced sequences: OSC (ESC ] ... BEL or ST; unterminated ones run to the end),
# CSI (ESC [ params final), other two-character escapes, and their 8-bit C1 forms; then
# any remaining C0/C1 control except newline and tab, DEL, and the Unicode line/paragraph
# separators, and the bidirectional embedding/override/isolate controls (U+202A-U+202E,
# U+2066-U+2069) that make text display in a different order than it reads.
_OSC = re.compile(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?")
_CSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
_ESC_PAIR = re.compile(r"\x1b[@-Z\\-_]")
_C1_OSC = re.compile(r"\x9d[^\x07\x9c]*(?:\x07|\x9c)?")
_C1_CSI = re.compile(r"\x9b[0-?]*[ -/]*[@-~]")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

ELLIPSIS = "…"


def clean(value: object, max_len: int | None = None) -> str:
    """`value` as text without control characters or escape sequences.

    None gives "". Newlines (CR/CRLF become LF) and tabs are kept. With `max_len`, longer
    text is cut to `max_len` characters ending in "…".
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x1b" in text or "\x9b" in text or "\x9d" in text:
        text = _OSC.sub("", text)
        text = _CSI.sub("", text)
        text = _ESC_PAIR.sub("", text)
        text = _C1_OSC.sub("", text)
        text = _C1_CSI.sub("", text)
    text = _CONTROLS.sub("", text)
    return truncate(text, max_len)


def truncate(text: str, max_len: int | None) -> str:
    """`text` cut to at most `max_len` characters, ending in "…" when cut."""
    if max_len is None or len(text) <= max_len:
        return text
    if max_len <= 0:
        return ""
    return text[: max_len - 1] + ELLIPSIS


def one_line(value: object, max_len: int | None = None) -> str:
    """`clean` text on one line: newlines, tabs and runs of spaces become single spaces."""
    return truncate(" ".join(clean(value).split()), max_len)
