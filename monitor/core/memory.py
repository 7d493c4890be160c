"""Keeping the process's memory compact: fewer glibc malloc arenas for a threaded service."""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

logger = logging.getLogger(__name__)

# mallopt's parameter number for the arena limit (glibc malloc.h).
_M_ARENA_MAX = -8


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Cap glibc's malloc arenas (default 8 per core); True when the cap was set.

    Each thread that allocates (database sessions run in worker threads) gets an arena of its
    own, which keeps freed memory for that thread: a few threads grow the resident size by tens
    of megabytes that the rest of the process cannot reuse. Nothing happens off glibc.
    """
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        return bool(libc.mallopt(_M_ARENA_MAX, arenas))
    except (OSError, AttributeError):
        logger.debug("mallopt is not available; malloc arenas left as they are")
        return False
