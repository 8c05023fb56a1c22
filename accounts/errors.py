"""The base of the errors the domain raises on purpose, each with a stable code. It sits in
the bottom layer so that every app can raise and catch it."""


class DomainError(Exception):
    """A request the domain refuses; `code` is stable for APIs, forms and tests."""

    code = "invalid"

    def __init__(self, message: str = "", *, code: str | None = None):
        super().__init__(message)
        if code:
            self.code = code

    @property
    def detail(self) -> str:
        return str(self)
