"""Bucket default encryption: the ServerSideEncryptionConfiguration document and its stored form.

https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketEncryption.html
https://docs.aws.amazon.com/AmazonS3/latest/userguide/default-bucket-encryption.html

Pure: no I/O. What S3 accepts, and how it answers the rest:
* exactly one ``Rule`` (none, or two, is MalformedXML), holding ``ApplyServerSideEncryptionByDefault``
  with a required ``SSEAlgorithm`` (AES256, aws:kms or aws:kms:dsse) and an optional
  ``KMSMasterKeyID``, and an optional ``BucketKeyEnabled`` boolean;
* ``KMSMasterKeyID`` with AES256 is InvalidArgument, in S3's words; an empty one is refused too
  (InvalidArgument; S3's answer is not documented), since it could only fail every write;
* anything else, or a document that is not well-formed, is MalformedXML.
S3 does not check at Put time that the KMS key exists or what form its id takes ("Amazon S3
doesn't validate the KMS key ID provided in PutBucketEncryption requests"): a wrong key fails
the object write that uses it.
* ``BlockedEncryptionTypes`` holds ``EncryptionType`` values: ``SSE-C`` blocks writes that ask
  for customer-provided keys (PutObject, CopyObject, PostObject, CreateMultipartUpload answer
  403 AccessDenied; existing SSE-C objects stay readable), ``NONE`` blocks nothing. It may stand
  alone in the rule (the default stays SSE-S3); ``NONE`` beside ``SSE-C`` contradicts itself and
  is InvalidArgument (S3's answer is not documented).

A bucket without a stored configuration (one created before IronBucket blocked SSE-C on new
buckets) has S3's default since January 2023: SSE-S3 (AES256) with no bucket key. Buckets are
created with S3's default since April 2026, which also blocks SSE-C writes
(``NEW_BUCKET_DEFAULT``); DeleteBucketEncryption restores that.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from xml.etree.ElementTree import Element

from ironbucket.errors import InvalidArgument, MalformedXML
from ironbucket.http import xml
from ironbucket.http.xml import XmlWriter

CONFIG_NAME = "encryption"  # the bucket configuration document; absent means SSE_S3_DEFAULT
AES256 = "AES256"
KMS = "aws:kms"
KMS_DSSE = "aws:kms:dsse"
ALGORITHMS = frozenset({AES256, KMS, KMS_DSSE})
KMS_ALGORITHMS = frozenset({KMS, KMS_DSSE})
SSE_C = "SSE-C"  # a BlockedEncryptionTypes/EncryptionType value; the other is NONE
_ENCRYPTION_TYPES = frozenset({"NONE", SSE_C})
_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}  # xsd:boolean's lexical forms
_STORED_VERSION = 1


@dataclass(frozen=True, slots=True)
class DefaultEncryption:
    """The encryption S3 applies to a new object whose request names none."""

    algorithm: str  # "AES256" | "aws:kms" | "aws:kms:dsse"
    # As configured (key id, key ARN, alias name or alias ARN); None = the AWS managed key aws/s3.
    kms_key_id: str | None
    # Recorded as given, also with AES256 (S3 accepts it there; objects then report no bucket key).
    bucket_key_enabled: bool
    blocked: tuple[str, ...] = ()  # BlockedEncryptionTypes as given (sorted, once each)

    @property
    def blocks_sse_c(self) -> bool:
        return SSE_C in self.blocked


SSE_S3_DEFAULT = DefaultEncryption(AES256, None, False)
NEW_BUCKET_DEFAULT = DefaultEncryption(AES256, None, False, (SSE_C,))


# --- the request document ----------------------------------------------------------------------
def parse_encryption_config(body: bytes) -> DefaultEncryption:
    """The configuration a PutBucketEncryption body asks for, validated as S3 does: schema errors
    (MalformedXML) first, then S3's own checks (InvalidArgument), then what is not supported here."""
    root = xml.expect_root(xml.parse(body), "ServerSideEncryptionConfiguration")
    rules = _fields(root, {"Rule"}, repeat=True).get("Rule", [])
    if len(rules) != 1:
        raise MalformedXML()
    rule = _single(_fields(rules[0], {"ApplyServerSideEncryptionByDefault", "BucketKeyEnabled",
                                      "BlockedEncryptionTypes"}))
    bucket_key = False
    if "BucketKeyEnabled" in rule:
        value = _BOOLEANS.get(_text(rule["BucketKeyEnabled"]).strip())
        if value is None:
            raise MalformedXML()
        bucket_key = value
    apply = rule.get("ApplyServerSideEncryptionByDefault")
    element = rule.get("BlockedEncryptionTypes")
    blocked = _blocked_types(element) if element is not None else ()
    if apply is None:
        if element is None:
            raise MalformedXML()
        return DefaultEncryption(AES256, None, bucket_key, blocked)  # blocking alone: SSE-S3 stays
    return dataclasses.replace(_by_default(apply, bucket_key), blocked=blocked)


def _by_default(apply: Element, bucket_key: bool) -> DefaultEncryption:
    by_default = _single(_fields(apply, {"SSEAlgorithm", "KMSMasterKeyID"}))
    if "SSEAlgorithm" not in by_default:
        raise MalformedXML()
    algorithm = _text(by_default["SSEAlgorithm"]).strip()
    if algorithm not in ALGORITHMS:
        raise MalformedXML()
    key_id: str | None = None
    if "KMSMasterKeyID" in by_default:
        key_text = _text(by_default["KMSMasterKeyID"])
        if algorithm not in KMS_ALGORITHMS:
            raise InvalidArgument(
                "a KMSMasterKeyID is not applicable if the default sse algorithm is not "
                "aws:kms or aws:kms:dsse",
                ArgumentName="ApplyServerSideEncryptionByDefault")
        # Surrounding whitespace comes from pretty-printed XML; no KMS identifier contains any.
        key_id = key_text.strip()
        if not key_id:  # would name no key and fail every object write: refuse it now
            raise InvalidArgument("KMSMasterKeyID must not be empty",
                                  ArgumentName="KMSMasterKeyID", ArgumentValue="")
    return DefaultEncryption(algorithm, key_id, bucket_key)


def _fields(parent: Element, allowed: set[str], *, repeat: bool = False) -> dict[str, list[Element]]:
    """The children of ``parent`` by name; an unknown child or text beside them is MalformedXML,
    and so is a repeated child unless ``repeat``."""
    if (parent.text or "").strip():
        raise MalformedXML()
    found: dict[str, list[Element]] = {}
    for child in parent:
        name = xml.local_name(child)
        if name not in allowed or (child.tail or "").strip() or (name in found and not repeat):
            raise MalformedXML()
        found.setdefault(name, []).append(child)
    return found


def _single(fields: dict[str, list[Element]]) -> dict[str, Element]:
    return {name: elements[0] for name, elements in fields.items()}


def _text(element: Element) -> str:
    """A leaf's text; a leaf with child elements is MalformedXML."""
    if len(element):
        raise MalformedXML()
    return element.text or ""


def _blocked_types(blocked: Element) -> tuple[str, ...]:
    elements = _fields(blocked, {"EncryptionType"}, repeat=True).get("EncryptionType", [])
    types = {_text(t).strip() for t in elements}
    if not types or not types <= _ENCRYPTION_TYPES:
        raise MalformedXML()
    if len(types) > 1:
        raise InvalidArgument("BlockedEncryptionTypes cannot both block SSE-C and block nothing (NONE)",
                              ArgumentName="BlockedEncryptionTypes")
    return tuple(sorted(types))


# --- the response document ---------------------------------------------------------------------
def render_encryption_config(config: DefaultEncryption) -> bytes:
    """GetBucketEncryption's body."""
    writer = XmlWriter("ServerSideEncryptionConfiguration").start("Rule")
    writer.start("ApplyServerSideEncryptionByDefault").element("SSEAlgorithm", config.algorithm)
    writer.element("KMSMasterKeyID", config.kms_key_id).end()
    writer.element("BucketKeyEnabled", config.bucket_key_enabled)
    if config.blocked:
        writer.start("BlockedEncryptionTypes")
        for value in config.blocked:
            writer.element("EncryptionType", value)
        writer.end()
    return writer.render()


# --- the stored form ---------------------------------------------------------------------------
def to_stored(config: DefaultEncryption) -> str:
    """Canonical text for the bucket configuration store (a versioned JSON object)."""
    doc = {"v": _STORED_VERSION, "algorithm": config.algorithm, "kms_key_id": config.kms_key_id,
           "bucket_key_enabled": config.bucket_key_enabled}
    if config.blocked:
        doc["blocked"] = list(config.blocked)
    return json.dumps(doc, separators=(",", ":"))


def from_stored(text: str) -> DefaultEncryption:
    """The configuration ``to_stored`` wrote. ValueError for anything else: a stored document
    that cannot be read must fail the write that consults it, never fall back to a default."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError("stored default encryption is not JSON") from exc
    if not isinstance(data, dict) or data.get("v") != _STORED_VERSION:
        raise ValueError("unknown stored default encryption format")
    algorithm, key_id = data.get("algorithm"), data.get("kms_key_id")
    bucket_key = data.get("bucket_key_enabled")
    blocked = data.get("blocked", [])
    if (algorithm not in ALGORITHMS or not isinstance(bucket_key, bool)
            or not (key_id is None or (isinstance(key_id, str) and key_id and algorithm in KMS_ALGORITHMS))
            or not isinstance(blocked, list) or len(blocked) > 1
            or not all(isinstance(b, str) and b in _ENCRYPTION_TYPES for b in blocked)):
        raise ValueError("invalid stored default encryption")
    return DefaultEncryption(algorithm, key_id, bucket_key, tuple(blocked))
