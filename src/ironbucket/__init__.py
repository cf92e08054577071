"""IronBucket: an S3-compatible object store that enforces the S3 security model."""

__version__ = "0.1.0"
