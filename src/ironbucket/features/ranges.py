"""The GetObject/HeadObject ``Range`` header: one byte range, or the whole object.

AWS: https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html ("Range": S3 supports
one range per request, as RFC 9110 §14.1.2 describes). S3 ignores a Range header it cannot
parse (or one asking for several ranges) and answers 200 with the whole object; a range that
starts at or past the end is 416 InvalidRange with <ActualObjectSize> and <RangeRequested>.
"""

from __future__ import annotations

import re

from ironbucket.errors import InvalidArgument, InvalidRange

# ASCII digits only: str.isdigit() would accept "²" or Arabic-Indic digits.
_SPEC = re.compile(r"([0-9]*)-([0-9]*)")


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The inclusive ``(start, end)`` to serve from an object of ``size`` bytes, or None for all of it.

    - ``bytes=a-b``: end clamped to ``size - 1``; ``b < a`` is invalid, so ignored.
    - ``bytes=a-``: from ``a`` to the end.
    - ``bytes=-n``: the last ``n`` bytes (all of them if ``n >= size``); ``-0`` is unsatisfiable.
    - ``a >= size`` is InvalidRange, which makes every first-byte range on an empty object 416.
      A suffix range on an empty object is satisfiable by RFC 9110 §14.1.1 but has no bytes to
      name, so the whole (empty) object is served, as S3 does.
    """
    if header is None:
        return None
    unit, equals, spec = header.strip().partition("=")
    if not equals or unit.strip().lower() != "bytes":
        return None
    match = _SPEC.fullmatch(spec.strip())
    if match is None:  # also several ranges ("0-1,5-6"): S3 serves the whole object
        return None
    first, last = match.group(1), match.group(2)
    if not first:
        if not last:
            return None
        suffix = int(last)
        if suffix == 0:
            raise _unsatisfiable(header, size)
        if size == 0:
            return None
        return max(size - suffix, 0), size - 1
    start = int(first)
    if last and int(last) < start:
        return None
    if start >= size:
        raise _unsatisfiable(header, size)
    end = min(int(last), size - 1) if last else size - 1
    return start, end


def _unsatisfiable(header: str, size: int) -> InvalidRange:
    error = InvalidRange(ActualObjectSize=str(size), RangeRequested=header)
    error.headers["Content-Range"] = unsatisfied_content_range(size)
    return error


def content_range(start: int, end: int, size: int) -> str:
    """The 206 response's ``Content-Range`` (RFC 9110 §14.4)."""
    return f"bytes {start}-{end}/{size}"


def unsatisfied_content_range(size: int) -> str:
    """The 416 response's ``Content-Range``: the size, so the client can ask again."""
    return f"bytes */{size}"


_COPY_RANGE = re.compile(r"bytes=(\d+)-(\d+)")


def parse_copy_range(header: str, size: int) -> tuple[int, int]:
    """UploadPartCopy's ``x-amz-copy-source-range: bytes=first-last``: both ends required,
    and inside the source object (AWS answers 400 InvalidArgument otherwise)."""
    match = _COPY_RANGE.fullmatch(header.strip())
    if match is None:
        raise InvalidArgument(
            "The x-amz-copy-source-range value must be of the form bytes=first-last where first and "
            "last are the zero-based offsets of the first and last bytes to copy",
            ArgumentName="x-amz-copy-source-range", ArgumentValue=header)
    first, last = int(match.group(1)), int(match.group(2))
    if first > last or last >= size:
        raise InvalidArgument(f"Range specified is not valid for source object of size: {size}",
                              ArgumentName="x-amz-copy-source-range", ArgumentValue=header)
    return first, last
