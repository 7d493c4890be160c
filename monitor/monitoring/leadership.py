"""Electing the one scheduler that acts: a PostgreSQL advisory lock, or a file lock for SQLite."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
from pathlib import Path
from typing import IO

from sqlalchemy import Connection, text
from sqlalchemy.exc import SQLAlchemyError

from monitor.core.db import Database

logger = logging.getLogger(__name__)


class Leadership:
    """Held by at most one scheduler per database; released when its holder dies."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._conn: Connection | None = None
        self._file: IO[str] | None = None
        # Why the lock cannot even be tried (a short label: "read-only", "disk full", ...).
        self.problem: str | None = None

    @property
    def held(self) -> bool:
        """True while this process holds the lock (as far as it last checked)."""
        return self._conn is not None or self._file is not None

    def try_acquire(self) -> bool:
        """Take the lock if nobody holds it; True when this process now holds it."""
        if self.held:
            return self.check()
        if self.db.is_postgresql:
            return self._acquire_postgres()
        return self._acquire_file()

    def check(self) -> bool:
        """Confirm the lock is still ours (the database connection that holds it is alive)."""
        if self._conn is None:
            return self._file is not None
        try:
            self._conn.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            logger.warning("lost the scheduler lock: its database connection failed")
            self._drop_conn()
            return False

    def release(self) -> None:
        """Give the lock up."""
        if self._conn is not None:
            with contextlib.suppress(SQLAlchemyError):
                self._conn.execute(text("SELECT pg_advisory_unlock_all()"))
            self._drop_conn()
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def _acquire_postgres(self) -> bool:
        # A session-level advisory lock lives exactly as long as this connection: when the
        # process dies, PostgreSQL drops the connection and the lock with it.
        try:
            conn = self.db.engine.connect()
            got = conn.execute(
                text("SELECT pg_try_advisory_lock(hashtext(current_schema() || :name))"),
                {"name": "/camwatch-scheduler"},
            ).scalar()
            conn.commit()
        except SQLAlchemyError as exc:
            if self.problem is None:  # once per outage, not every tick
                logger.warning(
                    "cannot reach the database for the scheduler lock: %s", type(exc).__name__
                )
            self.problem = "database unreachable"
            return False
        self.problem = None
        if got:
            self._conn = conn
            logger.info("this scheduler now leads (PostgreSQL advisory lock)")
            return True
        conn.close()
        return False

    def _acquire_file(self) -> bool:
        path = Path(str(self.db.engine.url.database or "camwatch") + ".scheduler.lock")
        try:
            handle = open(path, "a+")  # noqa: SIM115 - held open for as long as we lead
        except OSError as exc:
            self.problem = {errno.EROFS: "read-only", errno.ENOSPC: "disk full"}.get(
                exc.errno or 0, "lock file cannot be opened"
            )
            return False
        self.problem = None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle
        logger.info("this scheduler now leads (lock file %s)", path)
        return True

    def _drop_conn(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(SQLAlchemyError):
                self._conn.close()
            self._conn = None
