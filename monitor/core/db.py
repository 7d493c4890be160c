"""Database engine and sessions (SQLite by default, PostgreSQL through the URL)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from monitor.core.settings import Settings


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine; SQLite files get WAL mode, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: object) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)


class Database:
    """One engine and its session factory."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer: threads of one process that write take turns here instead of
        # in SQLite's busy handler, which sleeps in steps of up to 100 ms.
        self._write_turn = threading.Lock() if self.engine.dialect.name == "sqlite" else None

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold this process's turn to write (SQLite); nothing on PostgreSQL."""
        if self._write_turn is None:
            yield
            return
        with self._write_turn:
            yield

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        """Open the database the settings point at."""
        return cls(settings.resolved_database_url)

    @property
    def is_postgresql(self) -> bool:
        """True when the backend is PostgreSQL."""
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on error."""
        session = self.sessionmaker()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:  # readiness must report any database failure, not crash
            return False

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def insert_unless_taken(session: Session, row: object) -> bool:
    """Insert `row` now; False when a unique constraint says another writer inserted it first.

    On PostgreSQL the insert runs in a savepoint, so a conflict leaves the transaction usable.
    On SQLite, pysqlite commits a SAVEPOINT that opened the transaction as soon as it is released
    (the rest of the transaction would then become visible in two steps); SQLite has one writer
    at a time (one scheduler holds the lock file), so the row is inserted in the transaction itself.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.add(row)
        session.flush()
        return True
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        return False
    return True
