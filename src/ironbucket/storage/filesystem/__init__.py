"""The embedded blob store: one file per blob under a local directory."""

from ironbucket.storage.filesystem.blobstore import FileBlobStore
from ironbucket.storage.filesystem.writer import FileBlobWriter

__all__ = ["FileBlobStore", "FileBlobWriter"]
