"""Limits a page must keep before it is parsed for extraction.

libxml2 (under lxml and parsel) stops building the tree at a nesting depth of 256 elements
(2,048 with `huge_tree`) and at a text node of 10,000,000 characters; the parser "recovers" by
dropping the rest of the page, so an article would be stored cut short, with no error anywhere.
Pages that come near those limits are not articles anyone wrote (a broken template repeating an
unclosed tag, a hostile page, a dump of data) and parsing them costs hundreds of MB. They are
refused with a stated reason instead, before any extraction. The real portals' pages in
crawler/sampleportals/ nest at most 31 levels deep.
"""

from __future__ import annotations

import lxml.etree

MAX_DEPTH = 200  # elements inside one another; libxml2 cuts pages off at 256
MAX_TEXT_RUN = 1_000_000  # characters of text between two tags

# True when some element sits MAX_DEPTH levels below the root: a path of that many steps.
_TOO_DEEP = lxml.etree.XPath("boolean(/" + "/".join(["*"] * MAX_DEPTH) + ")")


def longest_text_run(text: str) -> int:
    """Characters in the longest stretch of text between a '>' and the next '<' (a text node;
    attribute values such as base64 images inside a tag are not counted). Linear time."""
    longest = 0
    for piece in text.split("<"):
        run = len(piece) - piece.rfind(">") - 1
        if run > longest:
            longest = run
    return longest


def markup_problem(text: str) -> str | None:
    """Why this page is refused before extraction (None when it is fine)."""
    run = longest_text_run(text)
    if run > MAX_TEXT_RUN:
        return (
            f"a text node of {run:,} characters (more than {MAX_TEXT_RUN:,}): page refused, "
            "the HTML parser would cut it"
        )
    if text.count("<") < MAX_DEPTH:
        return None  # too few tags to nest that deep
    parser = lxml.etree.HTMLParser(encoding="utf-8", recover=True, no_network=True)
    root = lxml.etree.fromstring(text.encode("utf-8", "surrogatepass"), parser)
    if root is not None and _TOO_DEEP(root):
        return (
            f"HTML nested more than {MAX_DEPTH} elements deep: page refused, the HTML parser "
            "would drop what follows"
        )
    return None
