"""Text a visitor sent, shown back as text: never as Markdown.

Streamlit renders st.warning / st.error / st.info / st.caption / st.markdown as Markdown, so a
share-link parameter named ``[Log in again](https://evil.example/login)`` would become a
working link inside the app's own warning, and ``![x](https://…)`` an image the browser loads.
Everything echoed from a link or a file (link warnings, CSV and run file names, their error
sentences, Compare's warnings) goes through ``plain`` where it is drawn.

Backslash-escaping an ASCII punctuation character is always allowed in CommonMark and shows
the character itself; a line break becomes a space (no headings or lists sneak in).
tests/test_browser_hostile.py checks in Chromium that no link or image is drawn.
"""
from __future__ import annotations

import re

# the characters that start or end a Markdown construct (links, images, emphasis, code, HTML,
# entities, lists, tables, math, Streamlit's :color[...] and :emoji:); quotes, "=", "," and "/"
# start none, so a sentence like  Ignored race='nope'  keeps its own text
_SPECIAL = "\\`*_{}[]()#+-.!|<>~$:@&^"
_ESCAPE = {ord(c): "\\" + c for c in _SPECIAL}
# Streamlit's Markdown (GitHub-flavoured) links bare addresses *after* escapes are resolved,
# so "https\:\/\/…" would still become a link (seen in Chromium): a zero-width space after ":"
# and "@", and after "www", breaks every form of bare address (https://, mailto:, a@b.c, www.)
_ESCAPE[ord(":")] = "\\:\u200b"
_ESCAPE[ord("@")] = "\\@\u200b"
_ESCAPE.update({ord("\n"): " ", ord("\r"): " ", ord("\t"): " "})
_WWW = re.compile("(www)", re.IGNORECASE)


def plain(text) -> str:
    """``text`` as Markdown that displays these characters (line breaks as spaces; invisible
    zero-width spaces keep addresses from becoming links)."""
    return _WWW.sub("\\1\u200b", str(text).translate(_ESCAPE))


__all__ = ["plain"]
