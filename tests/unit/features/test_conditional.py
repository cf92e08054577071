"""Conditional reads, copy-source conditions and conditional writes, as S3 answers them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ironbucket.errors import NoSuchKey, NotModified, PreconditionFailed, S3Error
from ironbucket.errors import NotImplemented as S3NotImplemented
from ironbucket.features.conditional import (
    WritePrecondition,
    check_copy_source_conditions,
    check_read_conditions,
    etag_matches,
    parse_http_date,
    write_precondition,
)

ETAG = '"5eb63bbbe01eeed093cb22bb8f5acdc3"'
MODIFIED = datetime(2024, 5, 1, 12, 0, 0, 700_000, tzinfo=UTC)  # sub-second, as stored
NOW = datetime(2024, 6, 1, tzinfo=UTC)

BEFORE = "Tue, 30 Apr 2024 12:00:00 GMT"
SAME_SECOND = "Wed, 01 May 2024 12:00:00 GMT"
AFTER = "Thu, 02 May 2024 12:00:00 GMT"
FUTURE = "Sat, 01 Jun 2024 00:00:01 GMT"  # after NOW
OTHER = '"0000"'

OK, E412, E304 = None, PreconditionFailed, NotModified

# (case, headers, expected outcome)
READ_CASES: list[tuple[str, dict[str, str], type[S3Error] | None]] = [
    ("no conditions", {}, OK),
    ("If-Match equal", {"if-match": ETAG}, OK),
    ("If-Match unquoted", {"if-match": ETAG.strip('"')}, OK),
    ("If-Match star", {"if-match": "*"}, OK),
    ("If-Match list", {"if-match": f"{OTHER}, {ETAG}"}, OK),
    ("If-Match other", {"if-match": OTHER}, E412),
    ("If-Unmodified-Since after", {"if-unmodified-since": AFTER}, OK),
    ("If-Unmodified-Since same second", {"if-unmodified-since": SAME_SECOND}, OK),
    ("If-Unmodified-Since before", {"if-unmodified-since": BEFORE}, E412),
    ("If-Unmodified-Since garbage is ignored", {"if-unmodified-since": "yesterday"}, OK),
    ("If-None-Match other", {"if-none-match": OTHER}, OK),
    ("If-None-Match equal", {"if-none-match": ETAG}, E304),
    ("If-None-Match star", {"if-none-match": "*"}, E304),
    ("If-None-Match weak", {"if-none-match": f"W/{ETAG}"}, E304),
    ("If-Modified-Since before", {"if-modified-since": BEFORE}, OK),
    ("If-Modified-Since same second", {"if-modified-since": SAME_SECOND}, E304),
    ("If-Modified-Since after", {"if-modified-since": AFTER}, E304),
    ("If-Modified-Since in the future is ignored", {"if-modified-since": FUTURE}, OK),
    ("If-Modified-Since garbage is ignored", {"if-modified-since": "not a date"}, OK),
    # AWS's documented combinations (GetObject reference):
    ("If-Match true + If-Unmodified-Since false", {"if-match": ETAG, "if-unmodified-since": BEFORE}, OK),
    (
        "If-None-Match false + If-Modified-Since true",
        {"if-none-match": ETAG, "if-modified-since": BEFORE},
        E304,
    ),
    # RFC 9110 §13.2.2 order for the rest:
    ("If-Match false + If-Unmodified-Since true", {"if-match": OTHER, "if-unmodified-since": AFTER}, E412),
    (
        "If-None-Match true + If-Modified-Since false",
        {"if-none-match": OTHER, "if-modified-since": AFTER},
        OK,
    ),
    ("If-Match false + If-None-Match false: 412 wins", {"if-match": OTHER, "if-none-match": ETAG}, E412),
    (
        "If-Unmodified-Since false + If-None-Match false",
        {"if-unmodified-since": BEFORE, "if-none-match": ETAG},
        E412,
    ),
    ("If-Match true + If-None-Match false", {"if-match": ETAG, "if-none-match": ETAG}, E304),
]


@pytest.mark.parametrize(("case", "headers", "outcome"), READ_CASES, ids=[c[0] for c in READ_CASES])
def test_check_read_conditions(case: str, headers: dict[str, str], outcome: type[S3Error] | None) -> None:
    if outcome is None:
        check_read_conditions(headers, ETAG, MODIFIED, now=NOW)
    else:
        with pytest.raises(outcome):
            check_read_conditions(headers, ETAG, MODIFIED, now=NOW)


def test_failed_condition_is_named() -> None:
    with pytest.raises(PreconditionFailed) as caught:
        check_read_conditions({"if-unmodified-since": BEFORE}, ETAG, MODIFIED)
    assert caught.value.fields == {"Condition": "If-Unmodified-Since"}
    assert caught.value.status == 412


def test_without_now_a_future_if_modified_since_counts() -> None:
    with pytest.raises(NotModified):
        check_read_conditions({"if-modified-since": FUTURE}, ETAG, MODIFIED)


def test_naive_last_modified_is_utc() -> None:
    with pytest.raises(NotModified):
        check_read_conditions({"if-modified-since": SAME_SECOND}, ETAG, MODIFIED.replace(tzinfo=None))


COPY = "x-amz-copy-source-"
COPY_CASES: list[tuple[str, dict[str, str], str | None]] = [
    ("no conditions", {}, None),
    ("if-match equal", {COPY + "if-match": ETAG}, None),
    ("if-match other", {COPY + "if-match": OTHER}, "x-amz-copy-source-If-Match"),
    ("if-none-match equal", {COPY + "if-none-match": ETAG}, "x-amz-copy-source-If-None-Match"),
    ("if-none-match other", {COPY + "if-none-match": OTHER}, None),
    ("if-modified-since after", {COPY + "if-modified-since": AFTER}, "x-amz-copy-source-If-Modified-Since"),
    ("if-modified-since before", {COPY + "if-modified-since": BEFORE}, None),
    (
        "if-unmodified-since before",
        {COPY + "if-unmodified-since": BEFORE},
        "x-amz-copy-source-If-Unmodified-Since",
    ),
    ("if-unmodified-since after", {COPY + "if-unmodified-since": AFTER}, None),
    # CopyObject reference combinations:
    (
        "match true + unmodified-since false",
        {COPY + "if-match": ETAG, COPY + "if-unmodified-since": BEFORE},
        None,
    ),
    (
        "none-match false + modified-since true",
        {COPY + "if-none-match": ETAG, COPY + "if-modified-since": BEFORE},
        "x-amz-copy-source-If-None-Match",
    ),
    # The object's own If-* headers are not the source's conditions.
    ("plain If-Match is not a copy condition", {"if-match": OTHER}, None),
]


@pytest.mark.parametrize(("case", "headers", "condition"), COPY_CASES, ids=[c[0] for c in COPY_CASES])
def test_check_copy_source_conditions(case: str, headers: dict[str, str], condition: str | None) -> None:
    if condition is None:
        check_copy_source_conditions(headers, ETAG, MODIFIED, now=NOW)
    else:
        with pytest.raises(PreconditionFailed) as caught:
            check_copy_source_conditions(headers, ETAG, MODIFIED, now=NOW)
        assert caught.value.fields["Condition"] == condition


@pytest.mark.parametrize(
    ("header", "etag", "expected"),
    [
        ("*", ETAG, True),
        (ETAG, ETAG, True),
        (ETAG.strip('"'), ETAG, True),
        (ETAG, ETAG.strip('"'), True),
        (f"W/{ETAG}", ETAG, True),
        (f" {OTHER} ,{ETAG} ", ETAG, True),
        (OTHER, ETAG, False),
        ("", ETAG, False),
        (",", ETAG, False),
        ('""', ETAG, False),
        ('"abc-2"', '"abc-2"', True),
    ],
)
def test_etag_matches(header: str, etag: str, expected: bool) -> None:
    assert etag_matches(header, etag) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Wed, 01 May 2024 12:00:00 GMT", datetime(2024, 5, 1, 12, tzinfo=UTC)),
        ("Wednesday, 01-May-24 12:00:00 GMT", datetime(2024, 5, 1, 12, tzinfo=UTC)),
        ("Wed May  1 12:00:00 2024", datetime(2024, 5, 1, 12, tzinfo=UTC)),
        ("Wed, 01 May 2024 14:00:00 +0200", datetime(2024, 5, 1, 12, tzinfo=UTC)),
        ("2024-05-01T12:00:00Z", datetime(2024, 5, 1, 12, tzinfo=UTC)),
        ("2024-05-01T12:00:00.000Z", datetime(2024, 5, 1, 12, tzinfo=UTC)),
        ("", None),
        ("   ", None),
        (None, None),
        ("tomorrow", None),
        ("Wed, 32 May 2024 12:00:00 GMT", None),
    ],
)
def test_parse_http_date(value: str | None, expected: datetime | None) -> None:
    assert parse_http_date(value) == expected


# --- conditional writes --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, WritePrecondition(False, None)),
        ({"if-none-match": "*"}, WritePrecondition(True, None)),
        ({"if-none-match": " * "}, WritePrecondition(True, None)),
        ({"if-match": ETAG}, WritePrecondition(False, ETAG.strip('"'))),
        ({"if-match": "abc"}, WritePrecondition(False, "abc")),
    ],
)
def test_write_precondition(headers: dict[str, str], expected: WritePrecondition) -> None:
    assert write_precondition(headers) == expected


@pytest.mark.parametrize(
    ("headers", "named"),
    [
        ({"if-none-match": ETAG}, "If-None-Match"),
        ({"if-none-match": "W/*"}, "If-None-Match"),
        ({"if-none-match": "*", "if-match": ETAG}, "If-Match,If-None-Match"),
    ],
)
def test_write_precondition_not_implemented(headers: dict[str, str], named: str) -> None:
    with pytest.raises(S3NotImplemented) as caught:
        write_precondition(headers)
    assert caught.value.status == 501
    assert caught.value.fields == {"Header": named}


WRITE_CHECKS: list[tuple[str, WritePrecondition, str | None, type[S3Error] | None]] = [
    ("no precondition, no object", WritePrecondition(False, None), None, None),
    ("no precondition, object", WritePrecondition(False, None), ETAG, None),
    ("if-none-match *, no object", WritePrecondition(True, None), None, None),
    ("if-none-match *, object", WritePrecondition(True, None), ETAG, PreconditionFailed),
    ("if-match, same etag", WritePrecondition(False, ETAG.strip('"')), ETAG, None),
    ("if-match, other etag", WritePrecondition(False, "0000"), ETAG, PreconditionFailed),
    ("if-match, no object", WritePrecondition(False, "0000"), None, NoSuchKey),
]


@pytest.mark.parametrize(
    ("case", "pre", "current", "outcome"), WRITE_CHECKS, ids=[c[0] for c in WRITE_CHECKS]
)
def test_write_precondition_check(
    case: str, pre: WritePrecondition, current: str | None, outcome: type[S3Error] | None
) -> None:
    if outcome is None:
        pre.check(current)
    else:
        with pytest.raises(outcome):
            pre.check(current)


def test_write_failure_names_condition() -> None:
    with pytest.raises(PreconditionFailed) as caught:
        WritePrecondition(True, None).check(ETAG)
    assert caught.value.fields == {"Condition": "If-None-Match"}


def test_copy_if_modified_since_in_future_ignored_with_now() -> None:
    check_copy_source_conditions({COPY + "if-modified-since": FUTURE}, ETAG, MODIFIED, now=NOW)
    with pytest.raises(PreconditionFailed):
        check_copy_source_conditions(
            {COPY + "if-modified-since": FUTURE}, ETAG, MODIFIED, now=NOW + timedelta(days=1)
        )
