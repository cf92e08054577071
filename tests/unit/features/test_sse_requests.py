"""Server-side encryption headers: what a request asks for, S3's error for each malformed
combination (class, message, ArgumentName/ArgumentValue), the stored record and what responses
report. The SSE-C errors name ``x-amz-server-side-encryption`` whichever header is wrong, as S3's
recorded answers do."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from ironbucket.errors import InvalidArgument, InvalidEncryptionAlgorithmError, InvalidRequest, S3Error
from ironbucket.features.sse import (
    COPY_SOURCE_CUSTOMER,
    CUSTOMER,
    H_ALGORITHM,
    H_BUCKET_KEY,
    H_CONTEXT,
    H_KMS_KEY,
    NEEDS_CUSTOMER_KEY,
    NOT_CUSTOMER_ENCRYPTED,
    SSE_C,
    SSE_KMS,
    SSE_KMS_DSSE,
    SSE_S3,
    CustomerKey,
    Encryption,
    Requested,
    check_customer_key,
    customer_key,
    requested,
    response_headers,
)

RAW_KEY = bytes(range(32))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _md5(data: bytes) -> str:
    return _b64(hashlib.md5(data, usedforsecurity=False).digest())


KEY = _b64(RAW_KEY)
MD5 = _md5(RAW_KEY)
SHORT = bytes(range(16))
LONG = bytes(range(33))


def _trio(prefix: str = CUSTOMER, algorithm: str | None = "AES256", key: str | None = KEY,
          md5: str | None = MD5) -> dict[str, str]:
    out = {prefix + "algorithm": algorithm, prefix + "key": key, prefix + "key-md5": md5}
    return {name: value for name, value in out.items() if value is not None}


def _context(doc: object) -> str:
    return _b64(json.dumps(doc).encode())


GOOD_CUSTOMER = CustomerKey(RAW_KEY, MD5)

MISSING_ALGORITHM = ("Requests specifying Server Side Encryption with Customer provided keys must "
                     "provide a valid encryption algorithm.")
MISSING_KEY = ("Requests specifying Server Side Encryption with Customer provided keys must provide "
               "an appropriate secret key.")
MISSING_MD5 = ("Requests specifying Server Side Encryption with Customer provided keys must provide "
               "the client calculated MD5 of the secret key.")
BAD_KEY = "The secret key was invalid for the specified algorithm."
BAD_MD5 = "The calculated MD5 hash of the key did not match the hash that was provided."
BAD_ALGORITHM = "The Encryption request you specified is not valid. Supported value: AES256."
UNSUPPORTED = "The encryption method specified is not supported"
INCOMPATIBLE = ("Server Side Encryption with Customer provided key is incompatible with the "
                "encryption method specified")
KMS_ONLY = ("Server Side Encryption with AWS KMS managed key requires HTTP header "
            "x-amz-server-side-encryption : aws:kms")
BAD_CONTEXT = ("The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 "
               "string holding JSON which represents a string-string map")


# --- customer keys, for the request's headers and the copy source's ------------------------------
# (headers as given without prefix, error class, message, ArgumentValue)
CUSTOMER_ERRORS: list[tuple[str, dict[str, str | None], type[S3Error], str, str]] = [
    ("key and md5, no algorithm", {"algorithm": None}, InvalidArgument, MISSING_ALGORITHM, "null"),
    ("key only", {"algorithm": None, "md5": None}, InvalidArgument, MISSING_ALGORITHM, "null"),
    ("md5 only", {"algorithm": None, "key": None}, InvalidArgument, MISSING_ALGORITHM, "null"),
    ("algorithm only", {"key": None, "md5": None}, InvalidArgument, MISSING_KEY, "null"),
    ("algorithm and md5, no key", {"key": None}, InvalidArgument, MISSING_KEY, "null"),
    ("bad algorithm, no key", {"algorithm": "AES128", "key": None}, InvalidArgument, MISSING_KEY,
     "null"),
    ("aws:kms as algorithm", {"algorithm": "aws:kms"}, InvalidEncryptionAlgorithmError,
     BAD_ALGORITHM, "aws:kms"),
    ("lower-case algorithm", {"algorithm": "aes256"}, InvalidEncryptionAlgorithmError,
     BAD_ALGORITHM, "aes256"),
    ("empty algorithm", {"algorithm": ""}, InvalidEncryptionAlgorithmError, BAD_ALGORITHM, ""),
    ("algorithm and key, no md5", {"md5": None}, InvalidArgument, MISSING_MD5, "null"),
    ("key not base64", {"key": "not base64!"}, InvalidArgument, BAD_KEY, "null"),
    ("key short, md5 matching", {"key": _b64(SHORT), "md5": _md5(SHORT)}, InvalidArgument,
     BAD_KEY, "null"),
    ("key long, md5 matching", {"key": _b64(LONG), "md5": _md5(LONG)}, InvalidArgument,
     BAD_KEY, "null"),
    ("empty key, md5 matching", {"key": "", "md5": _md5(b"")}, InvalidArgument, BAD_KEY, "null"),
    # S3 compares the MD5 first: a short key under the wrong MD5 is an MD5 mismatch.
    ("key short, md5 of the right key", {"key": _b64(SHORT)}, InvalidArgument, BAD_MD5, "null"),
    ("md5 of another key", {"md5": _md5(LONG)}, InvalidArgument, BAD_MD5, "null"),
    ("md5 as hex", {"md5": hashlib.md5(RAW_KEY, usedforsecurity=False).hexdigest()},
     InvalidArgument, BAD_MD5, "null"),
    ("md5 of the base64 text", {"md5": _md5(KEY.encode())}, InvalidArgument, BAD_MD5, "null"),
    ("empty md5", {"md5": ""}, InvalidArgument, BAD_MD5, "null"),
]


@pytest.mark.parametrize("prefix", [CUSTOMER, COPY_SOURCE_CUSTOMER])
@pytest.mark.parametrize(("case", "change", "error", "message", "value"), CUSTOMER_ERRORS,
                         ids=[c[0] for c in CUSTOMER_ERRORS])
def test_customer_key_errors(prefix: str, case: str, change: dict[str, str | None],
                             error: type[S3Error], message: str, value: str) -> None:
    given: dict[str, str | None] = {"algorithm": "AES256", "key": KEY, "md5": MD5, **change}
    headers = _trio(prefix, given["algorithm"], given["key"], given["md5"])
    with pytest.raises(error) as raised:
        customer_key(headers, prefix)
    assert type(raised.value) is error
    assert raised.value.message == message
    assert raised.value.fields == {"ArgumentName": H_ALGORITHM, "ArgumentValue": value}
    # Through requested() too, for the request's own headers.
    if prefix == CUSTOMER:
        with pytest.raises(error):
            requested(headers)


@pytest.mark.parametrize("prefix", [CUSTOMER, COPY_SOURCE_CUSTOMER])
def test_customer_key_accepted(prefix: str) -> None:
    assert customer_key(_trio(prefix), prefix) == GOOD_CUSTOMER
    # The MD5 is compared without surrounding blanks, and reported back as compared.
    assert customer_key(_trio(prefix, md5=f" {MD5} "), prefix) == GOOD_CUSTOMER
    assert customer_key({}, prefix) is None
    assert customer_key({H_ALGORITHM: "AES256"}, prefix) is None


def test_the_two_prefixes_are_independent() -> None:
    headers = {**_trio(CUSTOMER), **_trio(COPY_SOURCE_CUSTOMER, key=None, md5=None)}
    assert customer_key(headers, CUSTOMER) == GOOD_CUSTOMER
    with pytest.raises(InvalidArgument):
        customer_key(headers, COPY_SOURCE_CUSTOMER)
    assert customer_key(_trio(COPY_SOURCE_CUSTOMER), CUSTOMER) is None
    # A copy source's key does not make the destination SSE-C.
    assert requested(_trio(COPY_SOURCE_CUSTOMER)) == Requested()


def test_customer_key_repr_hides_the_key() -> None:
    assert KEY not in repr(GOOD_CUSTOMER) and repr(RAW_KEY) not in repr(GOOD_CUSTOMER)


# --- requested() ---------------------------------------------------------------------------------
CTX = {"team": "blue", "ü": "✓"}

ACCEPTED: list[tuple[str, dict[str, str], Requested]] = [
    ("nothing: the bucket default", {}, Requested()),
    ("SSE-S3", {H_ALGORITHM: SSE_S3}, Requested(algorithm=SSE_S3)),
    ("SSE-KMS, default key", {H_ALGORITHM: SSE_KMS}, Requested(algorithm=SSE_KMS)),
    ("DSSE-KMS", {H_ALGORITHM: SSE_KMS_DSSE}, Requested(algorithm=SSE_KMS_DSSE)),
    ("SSE-KMS with a key", {H_ALGORITHM: SSE_KMS, H_KMS_KEY: "alias/mine"},
     Requested(algorithm=SSE_KMS, kms_key_id="alias/mine")),
    ("key id trimmed", {H_ALGORITHM: SSE_KMS, H_KMS_KEY: "  alias/mine "},
     Requested(algorithm=SSE_KMS, kms_key_id="alias/mine")),
    ("DSSE-KMS with a key", {H_ALGORITHM: SSE_KMS_DSSE, H_KMS_KEY: "k"},
     Requested(algorithm=SSE_KMS_DSSE, kms_key_id="k")),
    ("SSE-KMS with context", {H_ALGORITHM: SSE_KMS, H_CONTEXT: _context(CTX)},
     Requested(algorithm=SSE_KMS, context=CTX)),
    ("empty context", {H_ALGORITHM: SSE_KMS, H_CONTEXT: _context({})},
     Requested(algorithm=SSE_KMS, context={})),
    ("bucket key true", {H_ALGORITHM: SSE_KMS, H_BUCKET_KEY: "true"},
     Requested(algorithm=SSE_KMS, bucket_key=True)),
    ("bucket key false", {H_ALGORITHM: SSE_KMS, H_BUCKET_KEY: "false"},
     Requested(algorithm=SSE_KMS, bucket_key=False)),
    ("bucket key TRUE", {H_ALGORITHM: SSE_KMS, H_BUCKET_KEY: "TRUE"},
     Requested(algorithm=SSE_KMS, bucket_key=True)),
    ("bucket key False", {H_ALGORITHM: SSE_KMS, H_BUCKET_KEY: "False"},
     Requested(algorithm=SSE_KMS, bucket_key=False)),
    ("bucket key alone", {H_BUCKET_KEY: "true"}, Requested(bucket_key=True)),
    ("everything KMS", {H_ALGORITHM: SSE_KMS, H_KMS_KEY: "k", H_CONTEXT: _context({"a": "b"}),
                        H_BUCKET_KEY: "false"},
     Requested(algorithm=SSE_KMS, kms_key_id="k", bucket_key=False, context={"a": "b"})),
    ("SSE-C", _trio(), Requested(customer=GOOD_CUSTOMER)),
]


@pytest.mark.parametrize(("case", "headers", "expected"), ACCEPTED, ids=[c[0] for c in ACCEPTED])
def test_requested(case: str, headers: dict[str, str], expected: Requested) -> None:
    assert requested(headers) == expected


# (case, headers, error class, message, ArgumentName, ArgumentValue or None when absent)
REFUSED: list[tuple[str, dict[str, str], type[S3Error], str | None, str, str | None]] = [
    ("unknown algorithm", {H_ALGORITHM: "AES512"}, InvalidArgument, UNSUPPORTED, H_ALGORITHM,
     "AES512"),
    ("lower-case AES256", {H_ALGORITHM: "aes256"}, InvalidArgument, UNSUPPORTED, H_ALGORITHM,
     "aes256"),
    ("empty algorithm", {H_ALGORITHM: ""}, InvalidArgument, UNSUPPORTED, H_ALGORITHM, ""),
    ("aes:kms typo", {H_ALGORITHM: "aes:kms"}, InvalidArgument, UNSUPPORTED, H_ALGORITHM, "aes:kms"),
    ("the record's SSE-C name", {H_ALGORITHM: SSE_C}, InvalidArgument, UNSUPPORTED, H_ALGORITHM,
     SSE_C),
    ("SSE-C with AES256", {H_ALGORITHM: SSE_S3, **_trio()}, InvalidArgument, INCOMPATIBLE,
     H_ALGORITHM, SSE_S3),
    ("SSE-C with aws:kms", {H_ALGORITHM: SSE_KMS, **_trio()}, InvalidArgument, INCOMPATIBLE,
     H_ALGORITHM, SSE_KMS),
    # The combination is refused before the customer headers' values are looked at.
    ("bad SSE-C with AES256", {H_ALGORITHM: SSE_S3, **_trio(key=_b64(SHORT))}, InvalidArgument,
     INCOMPATIBLE, H_ALGORITHM, SSE_S3),
    ("partial SSE-C with AES256", {H_ALGORITHM: SSE_S3, **_trio(algorithm=None, md5=None)},
     InvalidArgument, INCOMPATIBLE, H_ALGORITHM, SSE_S3),
    ("KMS key with AES256", {H_ALGORITHM: SSE_S3, H_KMS_KEY: "k"}, InvalidArgument, KMS_ONLY,
     H_KMS_KEY, None),
    ("KMS key alone", {H_KMS_KEY: "k"}, InvalidArgument, KMS_ONLY, H_KMS_KEY, None),
    ("KMS key with SSE-C", {H_KMS_KEY: "k", **_trio()}, InvalidArgument, KMS_ONLY, H_KMS_KEY, None),
    ("context with AES256", {H_ALGORITHM: SSE_S3, H_CONTEXT: _context({"a": "b"})},
     InvalidArgument, KMS_ONLY, H_CONTEXT, None),
    ("context alone", {H_CONTEXT: _context({"a": "b"})}, InvalidArgument, KMS_ONLY, H_CONTEXT, None),
    ("empty KMS key", {H_ALGORITHM: SSE_KMS, H_KMS_KEY: ""}, InvalidArgument, None, H_KMS_KEY, None),
    ("blank KMS key", {H_ALGORITHM: SSE_KMS, H_KMS_KEY: "  "}, InvalidArgument, None, H_KMS_KEY,
     None),
    ("bucket key yes", {H_ALGORITHM: SSE_KMS, H_BUCKET_KEY: "yes"}, InvalidArgument, None,
     H_BUCKET_KEY, None),
    ("bucket key 1", {H_ALGORITHM: SSE_KMS, H_BUCKET_KEY: "1"}, InvalidArgument, None,
     H_BUCKET_KEY, None),
    ("bucket key empty", {H_ALGORITHM: SSE_KMS, H_BUCKET_KEY: ""}, InvalidArgument, None,
     H_BUCKET_KEY, None),
    ("bucket key with SSE-C", {H_BUCKET_KEY: "true", **_trio()}, InvalidArgument, None,
     H_BUCKET_KEY, None),
    ("bucket key false with SSE-C", {H_BUCKET_KEY: "false", **_trio()}, InvalidArgument, None,
     H_BUCKET_KEY, None),
]

BAD_CONTEXTS: list[tuple[str, str]] = [
    ("not base64", "{not base64}"),
    ("base64 of non-JSON", _b64(b"team=blue")),
    ("base64 of non-UTF-8", _b64(b'{"a": "\xff"}')),
    ("JSON array", _context(["a", "b"])),
    ("JSON string", _context("a")),
    ("JSON null", _context(None)),
    ("number value", _context({"a": 1})),
    ("null value", _context({"a": None})),
    ("nested object", _context({"a": {"b": "c"}})),
    ("list value", _context({"a": ["b"]})),
    ("bool value", _context({"a": True})),
    ("empty header", ""),
    ("deeply nested", _b64(b"[" * 5000)),  # must not become a 500 (RecursionError)
    ("truncated JSON", _b64(b'{"a": "b"')),
]
REFUSED += [(f"context: {case}", {H_ALGORITHM: SSE_KMS, H_CONTEXT: value}, InvalidArgument,
             BAD_CONTEXT, H_CONTEXT, None) for case, value in BAD_CONTEXTS]


@pytest.mark.parametrize(("case", "headers", "error", "message", "name", "value"), REFUSED,
                         ids=[c[0] for c in REFUSED])
def test_requested_refuses(case: str, headers: dict[str, str], error: type[S3Error],
                           message: str | None, name: str, value: str | None) -> None:
    with pytest.raises(error) as raised:
        requested(headers)
    assert type(raised.value) is error
    if message is not None:
        assert raised.value.message == message
    assert raised.value.fields.get("ArgumentName") == name
    assert raised.value.fields.get("ArgumentValue") == value


# --- the stored record ---------------------------------------------------------------------------
RECORDS: list[Encryption] = [
    Encryption(SSE_S3, b"\x01" * 60, kek_id="kek-1"),
    Encryption(SSE_KMS, b"\x02" * 80, kms_key_arn="arn:aws:kms:us-east-1:111122223333:key/k",
               context={"aws:s3:arn": "arn:aws:s3:::b/k", "team": "blue"}),
    Encryption(SSE_KMS, b"\x03" * 60, kms_key_arn="arn:aws:kms:us-east-1:111122223333:key/k",
               bucket_key=b"\x04" * 90, context={"aws:s3:arn": "arn:aws:s3:::b"}),
    Encryption(SSE_KMS_DSSE, b"\x05" * 80, kms_key_arn="arn:aws:kms:us-east-1:111122223333:key/k",
               context={}),
    Encryption(SSE_C, b"\x06" * 60, salt=b"\x07" * 16, key_mac=b"\x08" * 32, key_md5=MD5),
]


@pytest.mark.parametrize("record", RECORDS, ids=[r.algorithm for r in RECORDS])
def test_record_round_trip(record: Encryption) -> None:
    extra = {"sse": record.to_extra(), "lock": {"mode": "GOVERNANCE"}}
    assert Encryption.from_extra(extra) == record
    # Only what is set is stored.
    assert all(value is not None for value in record.to_extra().values())


def test_record_of_an_object_stored_before_encryption() -> None:
    assert Encryption.from_extra({}) is None
    assert Encryption.from_extra({"lock": {}}) is None


def test_record_of_an_unknown_version_is_refused() -> None:
    doc = {**RECORDS[0].to_extra(), "v": 2}
    with pytest.raises(ValueError, match="version"):
        Encryption.from_extra({"sse": doc})


def test_record_repr_hides_key_material() -> None:
    text = repr(RECORDS[4]) + repr(RECORDS[2])
    for secret in (b"\x06" * 60, b"\x08" * 32, b"\x04" * 90):
        assert repr(secret) not in text


# --- response headers ----------------------------------------------------------------------------
ARN = "arn:aws:kms:us-east-1:111122223333:key/k"
RESPONSES: list[tuple[Encryption | None, dict[str, str]]] = [
    (None, {}),
    (RECORDS[0], {H_ALGORITHM: SSE_S3}),
    (RECORDS[1], {H_ALGORITHM: SSE_KMS, H_KMS_KEY: ARN}),
    (RECORDS[2], {H_ALGORITHM: SSE_KMS, H_KMS_KEY: ARN, H_BUCKET_KEY: "true"}),
    (RECORDS[3], {H_ALGORITHM: SSE_KMS_DSSE, H_KMS_KEY: ARN}),
    # SSE-C: the algorithm and the key's MD5, never x-amz-server-side-encryption.
    (RECORDS[4], {CUSTOMER + "algorithm": "AES256", CUSTOMER + "key-md5": MD5}),
]


@pytest.mark.parametrize(("record", "expected"), RESPONSES)
def test_response_headers(record: Encryption | None, expected: dict[str, str]) -> None:
    headers = response_headers(record)
    assert headers == expected
    assert H_CONTEXT not in headers  # S3 never reports the context on reads


# --- customer keys against stored objects --------------------------------------------------------
CHECKS: list[tuple[str, Encryption, CustomerKey | None, str | None]] = [
    ("SSE-C object, key given", RECORDS[4], GOOD_CUSTOMER, None),
    ("SSE-C object, no key", RECORDS[4], None, NEEDS_CUSTOMER_KEY),
    ("SSE-S3 object, no key", RECORDS[0], None, None),
    ("SSE-S3 object, key given", RECORDS[0], GOOD_CUSTOMER, NOT_CUSTOMER_ENCRYPTED),
    ("SSE-KMS object, key given", RECORDS[1], GOOD_CUSTOMER, NOT_CUSTOMER_ENCRYPTED),
    ("DSSE-KMS object, no key", RECORDS[3], None, None),
]


@pytest.mark.parametrize(("case", "stored", "given", "message"), CHECKS, ids=[c[0] for c in CHECKS])
@pytest.mark.parametrize("copy_source", [False, True])
def test_check_customer_key(case: str, stored: Encryption, given: CustomerKey | None,
                            message: str | None, copy_source: bool) -> None:
    if message is None:
        check_customer_key(stored, given, copy_source=copy_source)
        return
    with pytest.raises(InvalidRequest) as raised:
        check_customer_key(stored, given, copy_source=copy_source)
    assert raised.value.message == message and raised.value.status == 400
