"""Shared checks for the notebook tests (a module with a unique name: tests are not packages)."""

from __future__ import annotations

from html.parser import HTMLParser

EVIL = "<script>alert('pwned')</script>\"><img src=x onerror=alert(1)></iframe><script>x()</script>"


class Tags(HTMLParser):
    """Every start tag of a page, with its attributes (what a browser would build)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(page)
    parser.close()
    return parser.tags


def assert_inert(page: str) -> None:
    """No script can run in the notebook page itself: no <script>, no event handler attributes."""
    for tag, attrs in tags_of(page):
        assert tag not in ("script", "object", "embed"), tag
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        if tag == "iframe":
            assert attrs.get("sandbox") == "", attrs  # every restriction on
            assert "src" not in attrs
