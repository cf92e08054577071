"""Records to rows and back.

Indexed fields live in columns; everything else goes into a JSON document that carries its
format version under ``"v"``. A reader upgrades older documents in memory ("migrate on read",
as Garage does), so adding a field never needs a table rewrite. A document from a newer
server is refused rather than half-understood.

Object keys are stored as BLOBs of their UTF-8 bytes: BLOBs compare with memcmp, which is
S3's key order (UTF-8 binary), and a BLOB keeps NUL and every other byte exactly.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from ironbucket.storage.interfaces import (
    AccessKey,
    Account,
    Bucket,
    ObjectVersion,
    Part,
    PartSummary,
    Segment,
    Upload,
)

FORMAT_VERSION = 1

# Upgrades from format N to N+1, applied in order when a document is read.
_UPGRADES: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}

_decode = json.JSONDecoder().decode
_EMPTY: Mapping[str, Any] = MappingProxyType({})
_NO_CHECKSUM = (None, None, None)

# Greater than every UTF-8 string: the byte 0xFF never occurs in UTF-8.
KEY_MAX = b"\xff"


# --- keys ----------------------------------------------------------------------------------------
def key_bytes(key: str) -> bytes:
    return key.encode("utf-8")


def key_str(raw: bytes) -> str:
    return raw.decode("utf-8")


def after(raw: bytes) -> bytes:
    """The smallest key greater than ``raw``: keys are byte strings, so ``raw + NUL``."""
    return raw + b"\x00"


def prefix_end(prefix: bytes) -> bytes:
    """The smallest byte string greater than every string that starts with ``prefix``."""
    stripped = prefix.rstrip(b"\xff")
    if not stripped:
        return KEY_MAX
    return stripped[:-1] + bytes([stripped[-1] + 1])


def key_range(prefix: str, start: str, inclusive: bool) -> tuple[bytes, bytes]:
    """``[low, high)`` covering keys that begin with ``prefix`` and come after (or from) ``start``."""
    p = key_bytes(prefix)
    low = p
    if start:
        s = key_bytes(start)
        s = s if inclusive else after(s)
        low = max(low, s)
    return low, prefix_end(p)


# --- JSON documents ------------------------------------------------------------------------------
def dump(doc: dict[str, Any]) -> str:
    doc["v"] = FORMAT_VERSION
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


def load(text: str) -> dict[str, Any]:
    doc: dict[str, Any] = _decode(text)
    version = doc.get("v", 1)
    if version == FORMAT_VERSION:
        return doc
    if version > FORMAT_VERSION:
        raise RuntimeError(f"stored record has format {version}; this server reads up to {FORMAT_VERSION}")
    while version < FORMAT_VERSION:
        doc = _UPGRADES[version](doc)
        version += 1
    return doc


def _plain(value: Any) -> Any:
    """``extra`` may hold bytes (sealed keys, ...): tag them so JSON can carry them."""
    if isinstance(value, bytes | bytearray):
        return {"$b": base64.b64encode(value).decode("ascii")}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _unplain(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and "$b" in value:
            return base64.b64decode(value["$b"])
        return {k: _unplain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unplain(v) for v in value]
    return value


# --- accounts, keys, buckets ---------------------------------------------------------------------
def account_doc(a: Account) -> str:
    return dump({"name": a.name, "created_at": a.created_at})


def account_from(account_id: str, canonical_id: str, doc: str) -> Account:
    d = load(doc)
    return Account(account_id=account_id, name=d["name"], canonical_id=canonical_id,
                   created_at=d["created_at"])


def access_key_doc(k: AccessKey) -> str:
    doc = {"owner_kind": k.owner_kind, "owner_name": k.owner_name, "active": k.active,
           "created_at": k.created_at}
    if k.source_arn is not None:
        doc["source_arn"] = k.source_arn
    return dump(doc)


def access_key_from(access_key_id: str, account_id: str, sealed: bytes, doc: str) -> AccessKey:
    d = load(doc)
    return AccessKey(access_key_id=access_key_id, account_id=account_id, owner_kind=d["owner_kind"],
                     owner_name=d["owner_name"], sealed_secret=bytes(sealed), active=d["active"],
                     created_at=d["created_at"], source_arn=d.get("source_arn"))


def bucket_doc(b: Bucket) -> str:
    return dump({"region": b.region, "created_at": b.created_at, "versioning": b.versioning,
                 "object_lock": b.object_lock})


def bucket_from(name: str, owner: str, doc: str) -> Bucket:
    d = load(doc)
    return Bucket(name=name, owner_account_id=owner, region=d["region"], created_at=d["created_at"],
                  versioning=d["versioning"], object_lock=d["object_lock"])


# --- object versions -----------------------------------------------------------------------------
def version_meta(v: ObjectVersion, segments: tuple[Segment, ...] | None = None) -> str:
    """The JSON ``meta`` column: every field of ``v`` that has no column of its own."""
    segs = v.segments if segments is None else segments
    doc: dict[str, Any] = {}
    if v.system_metadata:
        doc["sys"] = dict(v.system_metadata)
    if v.user_metadata:
        doc["user"] = dict(v.user_metadata)
    if v.tags:
        doc["tags"] = dict(v.tags)
    if v.checksum_algorithm is not None or v.checksum_value is not None or v.checksum_type is not None:
        doc["ck"] = [v.checksum_algorithm, v.checksum_value, v.checksum_type]
    if v.parts:
        doc["parts"] = [[p.part_number, p.size, p.etag, p.checksum] for p in v.parts]
    if segs:
        doc["segs"] = [[s.blob_id, s.size] for s in segs]
    if v.extra:
        doc["extra"] = _plain(v.extra)
    return dump(doc)


def segments_of(meta: str) -> tuple[Segment, ...]:
    return tuple(Segment(b, n) for b, n in load(meta).get("segs", ()))


# Column order of every SELECT that feeds version_from (see sql.VERSION_COLUMNS).
VersionRow = tuple[int, str, bytes, str, int, int, int, str, float, str, str, str]
SEQ, VERSION_ID, IS_LATEST, IS_DELETE_MARKER, ETAG, META = 0, 3, 4, 5, 7, 11


def version_from(row: VersionRow, data: bytes | None = None) -> ObjectVersion:
    # Hot: a 1000-key listing page decodes 1000 of these; shared empties, no work for
    # absent fields.
    (_seq, bucket, key, version_id, is_latest, is_dm, size, etag, last_modified, storage_class,
     owner, meta) = row
    d = load(meta)
    ck = d.get("ck", _NO_CHECKSUM)
    parts = d.get("parts")
    segs = d.get("segs")
    return ObjectVersion(
        bucket=bucket, key=key_str(key), version_id=version_id, last_modified=last_modified,
        owner_account_id=owner, size=size, etag=etag, is_delete_marker=bool(is_dm),
        is_latest=bool(is_latest), storage_class=storage_class,
        system_metadata=d.get("sys", _EMPTY), user_metadata=d.get("user", _EMPTY),
        tags=d.get("tags", _EMPTY), checksum_algorithm=ck[0], checksum_value=ck[1],
        checksum_type=ck[2],
        parts=tuple(PartSummary(n, s, e, c) for n, s, e, c in parts) if parts else (),
        data=data, segments=tuple(Segment(b, n) for b, n in segs) if segs else (),
        extra=_unplain(d["extra"]) if "extra" in d else _EMPTY,
    )


# --- multipart uploads ---------------------------------------------------------------------------
def upload_doc(u: Upload) -> str:
    doc: dict[str, Any] = {"owner": u.owner_account_id, "initiator": u.initiator_arn,
                           "storage_class": u.storage_class}
    if u.system_metadata:
        doc["sys"] = dict(u.system_metadata)
    if u.user_metadata:
        doc["user"] = dict(u.user_metadata)
    if u.tags:
        doc["tags"] = dict(u.tags)
    if u.checksum_algorithm is not None or u.checksum_type is not None:
        doc["ck"] = [u.checksum_algorithm, u.checksum_type]
    if u.extra:
        doc["extra"] = _plain(u.extra)
    return dump(doc)


def upload_from(upload_id: str, bucket: str, key: bytes, initiated_at: float, doc: str) -> Upload:
    d = load(doc)
    ck = d.get("ck", (None, None))
    return Upload(upload_id=upload_id, bucket=bucket, key=key_str(key), initiated_at=initiated_at,
                  owner_account_id=d["owner"], initiator_arn=d["initiator"],
                  storage_class=d["storage_class"], system_metadata=d.get("sys", {}),
                  user_metadata=d.get("user", {}), tags=d.get("tags", {}), checksum_algorithm=ck[0],
                  checksum_type=ck[1], extra=_unplain(d["extra"]) if "extra" in d else {})


def part_doc(p: Part) -> str:
    return dump({"ck": p.checksum} if p.checksum is not None else {})


PartRow = tuple[str, int, int, str, float, str | None, int | None, str]


def part_from(row: PartRow) -> Part:
    upload_id, number, size, etag, last_modified, blob_id, blob_size, doc = row
    segment = Segment(blob_id, blob_size or 0) if blob_id is not None else None
    return Part(upload_id=upload_id, part_number=number, size=size, etag=etag,
                last_modified=last_modified, segment=segment, checksum=load(doc).get("ck"))
