"""Running a notebook in a fresh Jupyter kernel, started again when it dies before it answers.

Lesson exports (:mod:`mblib.export.lesson`) and reports (:mod:`mblib.analytics.report`) both
run notebooks with nbclient. A kernel can die before it replies to ``kernel_info``: a port taken
by a kernel another worker started at the same moment, a slow or busy machine. It was then
given no cell, so starting it again is safe; a kernel that dies after running a cell is not
retried (its cells may have had effects).

>>> class Flaky:  # stands in for nbclient.NotebookClient
...     starts = 0
...     def __init__(self, nb, **kwargs):
...         self.code_cells_executed = 0
...     def execute(self, **kwargs):
...         Flaky.starts += 1
...         if Flaky.starts < 3:
...             raise RuntimeError("Kernel died before replying to kernel_info")
>>> execute_with_fresh_kernel({}, Flaky, [], timeout=5, kernel_name="python3", path=".", pause=0)
>>> Flaky.starts
3
"""

from __future__ import annotations

import subprocess
import time
from typing import Any

#: how many times a kernel that dies while starting is started
KERNEL_START_ATTEMPTS = 3


def did_not_start(error: BaseException) -> bool:
    """Whether ``error`` is nbclient's "the kernel died before it answered" (it ran no cell)."""
    return isinstance(error, RuntimeError) and "before replying to kernel_info" in str(error)


def execute_with_fresh_kernel(
    nb: Any,
    client_class: Any,
    clients: list[Any],
    *,
    timeout: int,
    kernel_name: str,
    path: str,
    allow_errors: bool = True,
    pause: float = 0.5,
) -> None:
    """Run ``nb`` in place with ``client_class`` (nbclient's ``NotebookClient``); a kernel that dies
    while starting is started again, at most :data:`KERNEL_START_ATTEMPTS` times in all. Each
    client made is appended to ``clients`` (the last one ran the cells); the last error is raised."""
    for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
        client = client_class(
            nb,
            timeout=timeout,
            kernel_name=kernel_name,
            allow_errors=allow_errors,
            resources={"metadata": {"path": path}},
        )
        clients.append(client)
        try:
            client.execute(stderr=subprocess.DEVNULL)  # the kernel's own log lines; errors come as outputs
            return
        except RuntimeError as e:
            started = getattr(client, "code_cells_executed", 0)
            if not did_not_start(e) or started or attempt == KERNEL_START_ATTEMPTS:
                raise
            time.sleep(pause * attempt)


__all__ = ["KERNEL_START_ATTEMPTS", "did_not_start", "execute_with_fresh_kernel"]
