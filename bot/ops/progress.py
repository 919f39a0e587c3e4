"""A progress bar for long commands, on a terminal only (none when the output is piped)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


@contextmanager
def month_progress(
    total: int, what: str, *, console: Console | None = None
) -> Iterator[Callable[[], None]]:
    """`advance()` once per month done; a bar on stderr when it is a terminal, else nothing."""
    console = console or Console(stderr=True)
    if not console.is_terminal:
        yield lambda: None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("months"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task(what, total=total)
        yield lambda: progress.advance(task)
