"""The embedded metadata store: SQLite in WAL mode with group commit."""

from ironbucket.storage.sqlite.store import SqliteMetadataStore

__all__ = ["SqliteMetadataStore"]
