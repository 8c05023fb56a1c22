"""Tiny helpers that read settings from the environment (12-factor), parsed once at start.

A value that cannot be used is not raised here (a traceback at import names nothing useful)
and never reaches a request: the helper keeps the default, and the problem is recorded in
PROBLEMS, which the `settings` system check (config/checks.py) turns into an error naming
the setting. `manage.py check`, `migrate` and the app server's start (config/wsgi.py) fail on it.
"""

import json
import os
import re
from typing import NamedTuple
from urllib.parse import urlsplit

# (setting name, what is wrong) for every value that could not be used.
PROBLEMS: list[tuple[str, str]] = []


def _problem(name: str, value: str, expected: str):
    PROBLEMS.append((name, f"{name}={value!r} cannot be used: {expected}"))


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    return None if value is None or value.strip() == "" else value.strip()


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    _problem(name, value, "write true or false")
    return default


def envint(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        _problem(name, value, "write a whole number")
        return default
    if minimum is not None and number < minimum:
        _problem(name, value, f"the smallest allowed value is {minimum}")
        return default
    return number


def envfloat(name: str, default: float, *, minimum: float | None = None) -> float:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        _problem(name, value, "write a number")
        return default
    if number != number or number in (float("inf"), float("-inf")):
        _problem(name, value, "write a finite number")
        return default
    if minimum is not None and number < minimum:
        _problem(name, value, f"the smallest allowed value is {minimum}")
        return default
    return number


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


class Rate(NamedTuple):
    """A limit of `count` events per `seconds`, written "count/seconds" (e.g. "60/3600")."""

    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> "Rate":
        """The rate a text means; ValueError saying how to write it otherwise."""
        match = re.fullmatch(r"\s*(\d{1,9})\s*/\s*(\d{1,9})\s*", text or "")
        if not match:
            raise ValueError("write count/seconds, for example 60/3600")
        rate = cls(int(match[1]), int(match[2]))
        if rate.count < 1 or rate.seconds < 1:
            raise ValueError("count and seconds must both be at least 1")
        return rate

    def __str__(self) -> str:
        return f"{self.count}/{self.seconds}"


def envrate(name: str, default: str) -> Rate:
    value = _raw(name)
    try:
        return Rate.parse(value if value is not None else default)
    except ValueError as exc:
        _problem(name, value or default, str(exc))
        return Rate.parse(default)


def envjson(name: str, default, *, kind: type = dict):
    """JSON text of the given kind (an object by default)."""
    value = _raw(name)
    if value is None:
        return default
    try:
        data = json.loads(value)
    except ValueError as exc:
        _problem(name, value, f"not valid JSON ({exc})")
        return default
    if not isinstance(data, kind):
        _problem(name, value, f"write a JSON {'object' if kind is dict else kind.__name__}")
        return default
    return data


def envurl(
    name: str, default: str = "", *, schemes: tuple[str, ...] = ("http", "https"), path=True
) -> str:
    """An absolute URL with one of `schemes` and a host ("" when unset and no default)."""
    value = _raw(name)
    if value is None:
        return default
    parts = urlsplit(value)
    try:
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError:
        _problem(name, value, "the port is not a number")
        return default
    if parts.scheme not in schemes or not parts.hostname:
        _problem(name, value, f"write an absolute {' or '.join(schemes)} URL with a host")
        return default
    if not path and parts.path not in ("", "/"):
        _problem(name, value, "write the address without a path")
        return default
    return value


def envchoice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of `choices` (compared in lower case)."""
    value = _raw(name)
    if value is None:
        return default
    if value.lower() not in choices:
        _problem(name, value, "write one of " + ", ".join(c for c in choices if c) + " or nothing")
        return default
    return value.lower()
