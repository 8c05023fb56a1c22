"""Progress of a long run (an import, a seed, a print run, a sweep): a bar for a person at a
terminal. A project helper every app may use, like config.env and config.city."""

import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Protocol, TypeVar

from tqdm import tqdm

T = TypeVar("T")


Total = int | Callable[[], int] | None


class Progress(Protocol):
    def __call__(
        self, items: Iterable[T], *, total: Total = None, desc: str = "", unit: str = "it"
    ) -> Iterable[T]: ...


def silent(items: Iterable[T], *, total: Total = None, desc: str = "", unit: str = "it"):
    """No bar: what the services show unless a command asks for one."""
    return items


def terminal(items: Iterable[T], *, total: Total = None, desc: str = "", unit: str = "it"):
    """A bar on stderr with counts, rate and time left, drawn only when stderr is a terminal
    (tqdm's disable=None), so cron mail, logs and pipes get nothing and stdout keeps the
    results. A total given as a function (a count query) is asked only where a bar is drawn."""
    if callable(total):
        total = total() if sys.stderr.isatty() else None
    return tqdm(
        items,
        total=total,
        desc=desc,
        unit=unit,
        disable=None,
        file=sys.stderr,
        dynamic_ncols=True,
    )


def batches(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """`items` in lists of `size` (the last one shorter), taken lazily."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
