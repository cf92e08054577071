"""Conditional requests: If-Match & co. on reads, on a copy's source, and on writes.

AWS: https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-requests.html
     https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html (If-* headers)
     https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html (x-amz-copy-source-if-*)
     https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html

S3 follows RFC 9110 §13.2.2's order: If-Match, else If-Unmodified-Since; then If-None-Match, else
If-Modified-Since. That order yields both combination rules the S3 docs spell out: If-Match true
with If-Unmodified-Since false proceeds, and If-None-Match false with If-Modified-Since true is 304.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from ironbucket.errors import NoSuchKey, NotModified, PreconditionFailed
from ironbucket.errors import NotImplemented as S3NotImplemented


def check_read_conditions(
    headers: Mapping[str, str], etag: str, last_modified: datetime, *, now: datetime | None = None
) -> None:
    """GetObject/HeadObject preconditions: PreconditionFailed (412) or NotModified (304), else return.

    ``headers`` has lower-case names; ``etag`` may be quoted. ``now`` lets a future
    If-Modified-Since be ignored, as RFC 9110 §13.1.3 asks (such a date is invalid).
    """
    _check(headers, "", etag, last_modified, now, not_modified=True)


def check_copy_source_conditions(
    headers: Mapping[str, str], etag: str, last_modified: datetime, *, now: datetime | None = None
) -> None:
    """CopyObject/UploadPartCopy ``x-amz-copy-source-if-*``: every failure is PreconditionFailed.

    The CopyObject reference: if-match true with if-unmodified-since false copies; if-none-match
    false with if-modified-since true is 412.
    """
    _check(headers, "x-amz-copy-source-", etag, last_modified, now, not_modified=False)


def _check(
    headers: Mapping[str, str],
    prefix: str,
    etag: str,
    last_modified: datetime,
    now: datetime | None,
    *,
    not_modified: bool,
) -> None:
    # HTTP dates carry whole seconds; an object written at 12:00:00.700 is "not modified since 12:00:00".
    modified = _utc(last_modified).replace(microsecond=0)
    if_match = headers.get(prefix + "if-match")
    if if_match is not None:
        if not etag_matches(if_match, etag):
            raise _failed(prefix, "If-Match")
    else:
        since = parse_http_date(headers.get(prefix + "if-unmodified-since"))
        if since is not None and modified > since:
            raise _failed(prefix, "If-Unmodified-Since")

    if_none_match = headers.get(prefix + "if-none-match")
    if if_none_match is not None:
        if etag_matches(if_none_match, etag):
            raise NotModified() if not_modified else _failed(prefix, "If-None-Match")
    else:
        since = parse_http_date(headers.get(prefix + "if-modified-since"))
        if since is not None and (now is None or since <= _utc(now)) and modified <= since:
            raise NotModified() if not_modified else _failed(prefix, "If-Modified-Since")


def _failed(prefix: str, header: str) -> PreconditionFailed:
    # S3 names the condition that failed in a <Condition> element (x-amz-copy-source-If-Match, ...).
    return PreconditionFailed(Condition=prefix + header)


def etag_matches(header_value: str, etag: str) -> bool:
    """Whether an If-Match/If-None-Match list (``*``, ``"a", "b"``, quoted or not) names ``etag``.

    Weak tags (``W/"..."``) compare by their opaque part: S3 never issues weak ETags, and clients
    that add ``W/`` mean the same object.
    """
    wanted = _unquote(etag)
    for item in header_value.split(","):
        candidate = item.strip()
        if candidate == "*":
            return True
        candidate = _unquote(candidate.removeprefix("W/"))
        if candidate and candidate == wanted:
            return True
    return False


def _unquote(etag: str) -> str:
    etag = etag.strip()
    if len(etag) >= 2 and etag[0] == etag[-1] == '"':
        return etag[1:-1]
    return etag


def parse_http_date(value: str | None) -> datetime | None:
    """An HTTP-date (IMF-fixdate, RFC 850 or asctime; ISO 8601 too), in UTC; None if unparseable.

    Unparseable dates are ignored rather than refused, as RFC 9110 §13.1.3/§13.1.4 require.
    """
    if value is None or not value.strip():
        return None
    value = value.strip()
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
    return _utc(parsed)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


# --- conditional writes ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class WritePrecondition:
    """PutObject/CompleteMultipartUpload preconditions; the caller checks them under its write lock."""

    if_none_match_star: bool  # succeed only if no object exists at the key
    if_match_etag: str | None  # succeed only if the current object's ETag is this (unquoted)

    def check(self, current_etag: str | None) -> None:
        """PreconditionFailed unless the object at the key (its ETag, None if absent) allows the write."""
        if self.if_none_match_star and current_etag is not None:
            raise PreconditionFailed(Condition="If-None-Match")
        if self.if_match_etag is not None:
            if current_etag is None:
                # AWS answers If-Match on a missing key with 404, not 412 (conditional-writes.html).
                raise NoSuchKey()
            if _unquote(current_etag) != self.if_match_etag:
                raise PreconditionFailed(Condition="If-Match")


def write_precondition(headers: Mapping[str, str]) -> WritePrecondition:
    """Parse ``If-None-Match: *`` / ``If-Match: "etag"`` of a write.

    S3 supports only ``*`` for If-None-Match on writes and not both headers together; the rest is
    501 NotImplemented naming the header (conditional-writes.html).
    """
    if_none_match = headers.get("if-none-match")
    if_match = headers.get("if-match")
    if if_none_match is not None and if_match is not None:
        raise S3NotImplemented(Header="If-Match,If-None-Match")
    if if_none_match is not None and if_none_match.strip() != "*":
        raise S3NotImplemented(Header="If-None-Match")
    return WritePrecondition(
        if_none_match_star=if_none_match is not None,
        if_match_etag=_unquote(if_match) if if_match is not None else None,
    )
