"""One change of the corpus at a time, across the threads of a worker and across the workers of a machine.

A console job (upload, delete, re-read) and the synchronous ``POST /api/v1/admin/reindex`` hold it while they change
the corpus folder and rebuild the index: an upload that fails and puts the corpus back must not race a re-read in
another worker that would index the file it takes away. Threads wait on a lock; workers on an exclusive ``flock`` of
a file in the shared data directory (released by the system if a worker dies).
"""

from __future__ import annotations

import fcntl
import threading
from pathlib import Path
from types import TracebackType
from typing import IO


class CorpusLock:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._threads = threading.Lock()
        self._file: IO[bytes] | None = None

    def __enter__(self) -> CorpusLock:
        self._threads.acquire()
        try:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            handle = self._path.open("ab")
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)  # waits while another worker changes the corpus
            self._file = handle
        except BaseException:
            self._threads.release()
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        handle, self._file = self._file, None
        try:
            if handle is not None:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
                handle.close()
        finally:
            self._threads.release()
