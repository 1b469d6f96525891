"""Our exception hierarchy. No HTTP or CLI knowledge here: entry points map these to codes."""

from __future__ import annotations


class ScpError(Exception):
    """Base of every error SCP Assistant raises on purpose; the message is meant for the user (German)."""


class InputError(ScpError):
    """The user's input cannot be processed (empty question, too long, bad arguments)."""


class CorpusError(ScpError):
    """The corpus directory is missing or holds nothing we can ingest."""


class DocumentError(ScpError):
    """One document cannot be loaded (corrupt or encrypted PDF, invalid front matter, ...)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.reason = message


class IndexMismatchError(ScpError):
    """The stored index was built with another embedder than the configured one."""


class IndexEmptyError(ScpError):
    """No index exists yet: the corpus has not been ingested."""


class ConfigError(ScpError):
    """A setting is invalid or names a backend that is not installed."""


class BackendUnavailableError(ScpError):
    """An external backend (Chroma server, ...) cannot be reached."""


class NotFoundError(ScpError):
    """A requested object (document, answer, file) does not exist."""


class AuthError(ScpError):
    """Missing or wrong credentials for a protected operation."""


class ForbiddenError(ScpError):
    """The operation is not allowed (e.g. admin routes without a configured token)."""
