"""Progress for long work: a bar with counts and rate on a terminal, silence in a pipe."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

#: makes a progress callback for *total* items (the CLI passes a terminal bar; a library caller, anything alike)
ProgressFactory = Callable[[int], AbstractContextManager[Callable[[int], None]]]


@contextlib.contextmanager
def progress_bar(
    total: int, description: str, *, enabled: bool | None = None, unit: str = "seg"
) -> Iterator[Callable[[int], None]]:
    """Yield a callback that advances a bar of *total* items on stderr.

    The bar shows only when stderr is a terminal (or *enabled* is true), so
    logs and pipes stay clean.  The callback takes the number of items done;
    its ``note`` attribute, when present, shows a text beside the bar.
    """
    show = sys.stderr.isatty() if enabled is None else enabled
    if not show or total <= 0:
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TextColumn("{task.fields[note]}"),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task(description, total=total, rate="", note="")

        def advance(n: int) -> None:
            bar.advance(task, n)
            speed = bar.tasks[0].speed
            bar.update(task, rate=f"{speed:.1f} {unit}/s" if speed else "")

        # A second count beside the bar (documents done, for an archive): callers look for it with getattr.
        advance.note = lambda text: bar.update(task, note=text)  # type: ignore[attr-defined]
        yield advance
