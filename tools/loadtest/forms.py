"""What a resident's browser sends back: the fields of one HTML form, read as a browser would.

The load test drives the real pages, so it fills in the real form: the CSRF token, the
idempotency key the page gave, the hidden fields (staged photo tokens after a form came back),
the category's questions with what they show selected, and the submit button's own name and
value ("send anyway" is `force_new=1` on a page that lists duplicates)."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id: str, form_class: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.form_class = form_id, form_class
        self.inside = False
        self.found = False
        self.fields: list[tuple[str, str]] = []
        self.radios: dict[str, list[tuple[str, bool]]] = {}
        self.buttons: list[tuple[str, str]] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = {name: value if value is not None else "" for name, value in attrs}
        if tag == "form":
            if self.found:
                return  # the first form that matches only
            classes = attrs.get("class", "").split()
            self.inside = (
                attrs.get("id") == self.form_id if self.form_id else self.form_class in classes
            )
            self.found |= self.inside
            return
        if not self.inside:
            return
        name = attrs.get("name", "")
        kind = attrs.get("type", "text").lower() if tag == "input" else tag
        if tag == "input" and name:
            if kind == "radio":
                self.radios.setdefault(name, []).append(
                    (attrs.get("value", "on"), "checked" in attrs)
                )
            elif kind == "checkbox":
                if "checked" in attrs:
                    self.fields.append((name, attrs.get("value", "on")))
            elif kind == "submit":
                self.buttons.append((name, attrs.get("value", "")))
            elif kind != "file":
                self.fields.append((name, attrs.get("value", "")))
        elif tag == "button" and attrs.get("type", "submit") == "submit":
            self.buttons.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self._select, self._options = name, []
        elif tag == "option" and self._select is not None:
            self._options.append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self._select is not None:
            chosen = [value for value, selected in self._options if selected]
            if chosen or self._options:
                self.fields.append((self._select, (chosen or [self._options[0][0]])[0]))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops the one newline that follows <textarea>.
            self.fields.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None


class Form:
    """One form of a page: its fields as a browser would send them."""

    def __init__(self, fields, radios, buttons):
        self.fields, self.radios, self.buttons = fields, radios, buttons

    def value(self, name: str) -> str:
        for field, value in self.fields:
            if field == name:
                return value
        for value, checked in self.radios.get(name, []):
            if checked:
                return value
        return ""

    def choices(self, name: str) -> list[str]:
        return [value for value, _ in self.radios.get(name, [])]

    def data(self, **chosen: str) -> list[tuple[str, str]]:
        """The fields to send: each as the page shows it, `chosen` ones replaced (radios
        included), then the first submit button's name and value when it has a name."""
        out = [(name, value) for name, value in self.fields if name not in chosen]
        for name, options in self.radios.items():
            if name in chosen:
                continue
            checked = [value for value, is_checked in options if is_checked]
            if checked:
                out.append((name, checked[0]))
        out += list(chosen.items())
        button = next(iter(self.buttons), None)
        if button and button[0] and button[0] not in chosen:
            out.append(button)
        return out


def form_read(html: str, form_id: str = "", *, form_class: str = "") -> Form | None:
    """The (first) form with this id, or with this class, on the page; None when none."""
    reader = _FormReader(form_id, form_class)
    reader.feed(html)
    reader.close()
    if not reader.found:
        return None
    return Form(reader.fields, reader.radios, reader.buttons)
