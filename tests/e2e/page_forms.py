"""Read an HTML form as a browser without JavaScript would submit it: every named input (checkboxes only when
checked), textarea and select (its selected option, else the first), but no submit button unless one is pressed."""

from html.parser import HTMLParser

import httpx


class _FormReader(HTMLParser):
    def __init__(self, action: str):
        super().__init__(convert_charrefs=True)
        self.action = action
        self.inside = False
        self.found = False
        self.fields: dict[str, str] = {}
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("action") == self.action and not self.found
            self.found = self.found or self.inside
        if not self.inside or "name" not in a:
            if tag == "option" and self.inside and self._select:
                self._option(a)
            return
        if tag == "input" and a.get("type") not in ("submit", "button"):
            if a.get("type") != "checkbox" or "checked" in a:
                self.fields[a["name"]] = a.get("value", "on" if a.get("type") == "checkbox" else "")
        elif tag == "textarea":
            self._textarea = a["name"]
            self.fields[a["name"]] = ""
        elif tag == "select":
            self._select = a["name"]

    def _option(self, a: dict) -> None:
        if self._select not in self.fields or "selected" in a:
            self.fields[self._select] = a.get("value", "")

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self.inside = False


def form_of(page: httpx.Response, action: str) -> dict[str, str]:
    """The values the form posting to `action` would send; fails when the page has no such form."""
    reader = _FormReader(action)
    reader.feed(page.text)
    assert reader.found, f"no form posting to {action} on {page.url}"
    return dict(reader.fields)
