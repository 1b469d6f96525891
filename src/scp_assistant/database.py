"""The SQL database behind what the server keeps between requests: answer records, feedback, chat sessions.

SQLite in the data dir by default: the workers of one machine share the file. PostgreSQL for a
``postgresql://`` URL, when workers on several machines share the state. Stores write portable SQL with
``{p}`` placeholders and ``ON CONFLICT … DO UPDATE`` upserts (both dialects understand them); the database
turns the placeholders into its driver's style. Each thread keeps one open connection and reuses it.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol

from scp_assistant.errors import BackendUnavailableError, ConfigError


class Database(Protocol):
    def transaction(self) -> AbstractContextManager[Any]:
        """A connection (``execute(sql, args)``) whose work is committed on success, rolled back on error."""

    def sql(self, statement: str) -> str:
        """``statement`` with its ``{p}`` placeholders in the driver's style."""


class _PerThread:
    """One open connection per thread, reopened when it broke. Driver errors of an unreachable or busy database
    become BackendUnavailableError (HTTP 503), never a stack trace."""

    name = "Die Datenbank"

    def __init__(self, unavailable: tuple[type[Exception], ...]) -> None:
        self._local = threading.local()
        self._unavailable = unavailable

    def _open(self) -> Any:
        raise NotImplementedError

    def _usable(self, conn: Any) -> bool:
        return True

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        conn = getattr(self._local, "conn", None)
        if conn is None or not self._usable(conn):
            conn = self._local.conn = self._open()
        try:
            yield conn
            conn.commit()
        except BaseException as exc:
            try:
                conn.rollback()
            except Exception:  # a broken connection: forget it, the next call opens a new one
                self._local.conn = None
            if isinstance(exc, self._unavailable):
                raise BackendUnavailableError(f"{self.name} ist nicht erreichbar: {exc}") from exc
            raise


def _use_wal(path: Path, attempts: int = 50) -> None:
    """Put the file in WAL mode (kept in the file). Switching takes the file to itself, and the busy timeout does not
    wait for it: two workers starting at once on a new file saw "database is locked" (integration test, round 44). A
    file already in WAL mode is left alone; a switch that meets another process is tried again."""
    for attempt in range(attempts):
        db = sqlite3.connect(path, timeout=10)
        try:
            if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
        finally:
            db.close()
        time.sleep(0.1)


class SQLiteDatabase(_PerThread):
    """A file in the data dir, in WAL mode: readers never wait for the writer, no fsync per commit."""

    def __init__(self, path: Path) -> None:
        super().__init__((sqlite3.OperationalError,))
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        _use_wal(path)

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=10)
        conn.execute("PRAGMA synchronous=NORMAL")  # a commit survives a crash of the process
        return conn

    def sql(self, statement: str) -> str:
        return statement.replace("{p}", "?")


class PostgresDatabase(_PerThread):
    """One PostgreSQL database for several workers or machines (extra ``postgres``)."""

    name = "PostgreSQL"

    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError as exc:
            raise ConfigError("Für PostgreSQL fehlt ein Paket: pip install 'scp-assistant[postgres]'") from exc
        super().__init__((psycopg.OperationalError,))
        self._psycopg = psycopg
        self._url = url
        try:
            self._open().close()
        except psycopg.OperationalError as exc:
            raise BackendUnavailableError(f"PostgreSQL ist nicht erreichbar: {exc}") from exc

    def _open(self) -> Any:
        return self._psycopg.connect(self._url, connect_timeout=10)

    def _usable(self, conn: Any) -> bool:
        return not (conn.closed or conn.broken)

    def sql(self, statement: str) -> str:
        return statement.replace("{p}", "%s")


def open_database(database_url: str, data_dir: Path) -> Database:
    """SQLite in the data dir by default (or at a sqlite:/// path); PostgreSQL for a postgresql:// URL."""
    if not database_url or database_url.startswith("sqlite"):
        path = database_url.split("///", 1)[1] if database_url.startswith("sqlite:///") else ""
        return SQLiteDatabase(Path(path) if path else data_dir / "feedback.sqlite3")
    if database_url.startswith(("postgresql://", "postgres://")):
        return PostgresDatabase(database_url)
    raise ConfigError(f"SCP_DATABASE_URL wird nicht unterstützt: {database_url.split(':', 1)[0]}://…")
