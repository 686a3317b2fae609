"""During a suite run, platform warnings (the faults the cases inject) go to the run's log file, not the terminal."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def logs_to(path: Path) -> Iterator[None]:
    """Every log record to `path`; terminal handlers only show errors meanwhile. Restored afterwards."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    streams = [h for logger in [root, *(logging.getLogger(n) for n in list(logging.root.manager.loggerDict))]
               for h in getattr(logger, "handlers", []) if type(h) is logging.StreamHandler]
    levels = [(h, h.level) for h in streams]
    root_level = root.level
    root.addHandler(handler)
    root.setLevel(min(root_level or logging.WARNING, logging.INFO))
    for h in streams:
        h.setLevel(max(h.level, logging.ERROR))
    try:
        yield
    finally:
        root.removeHandler(handler)
        handler.close()
        root.setLevel(root_level)
        for h, level in levels:
            h.setLevel(level)
