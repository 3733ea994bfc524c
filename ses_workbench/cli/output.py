"""Text from templates, fixtures, folder names and SES on a terminal: control characters made visible.

Template text may come from anyone with write access to the SES account (``pull``), from an imported file
or a cloned repository, and the local endpoint's events from any local process.  Printed raw, ``ESC ] 0 ;``
retitles the terminal, ``ESC [2J`` clears it, OSC 52 writes the clipboard in some terminals, a lone ``CR``
or a bidi override (``U+202E``) makes a line show something else than it says.

:func:`visible` replaces each such character by its Python escape (``\\x1b``, ``\\u202e``); newlines, tabs
and CRLF line ends stay.  Two policies, one helper:

- **human output** (error lines, lint findings, ``status``, ``events``, diffs, push/pull reports) is always
  made visible — it is read by people, also through ``| less`` or ``| tee``, and machines get ``--format
  json`` (whose encoder escapes C0 control characters such as ESC itself);
- **content output** (``render``, ``render --part``, ``remote-render``) is made visible only when it goes to a
  terminal (:func:`for_stream`): redirected to a file or a pipe it stays byte for byte what SES renders, so
  ``render --part html > out.html`` is exact.
"""

from __future__ import annotations

import re
from typing import TextIO

__all__ = ["for_stream", "visible"]

# C0 except TAB and LF, DEL, C1 (8-bit CSI/OSC...), a CR not ending a line, and the bidi/directional marks.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
                     "|\r(?!\n)")


def _escape(m: re.Match[str]) -> str:
    code = ord(m.group())
    if code == 0x0D:
        return "\\r"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with every terminal control character replaced by its escape (``\\x1b``)."""
    return _UNSAFE.sub(_escape, text)


def for_stream(text: str, stream: TextIO) -> str:
    """``text`` made :func:`visible` when ``stream`` is a terminal, unchanged otherwise (content output)."""
    isatty = getattr(stream, "isatty", None)
    return visible(text) if isatty is not None and isatty() else text
