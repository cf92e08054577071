"""``value_class``: a dataclass that is frozen for the type checker and plain at run time.

Per-request value objects (an Address, a Check, an Authentication) are built on every request.
A frozen dataclass's ``__init__`` assigns each field through ``object.__setattr__``; for an
8-field class that was 1.3 µs against 0.2 µs for a plain slots dataclass (CPython 3.11), ~2% of
a small GET over the three built per request. ``mypy --strict`` (part of the test suite) still
refuses every assignment to their fields, and hashing and equality are the frozen ones'.

Capabilities that code must not be able to forge or widen at run time (AccessGrant) stay truly
frozen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar, dataclass_transform

T = TypeVar("T")


@dataclass_transform(frozen_default=True)
def value_class(cls: type[T]) -> type[T]:
    return dataclass(slots=True, unsafe_hash=True)(cls)
