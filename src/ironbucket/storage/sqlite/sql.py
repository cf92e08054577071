"""Every statement the SQLite store runs, in one place.

Keeping them here lets a test put each through ``EXPLAIN QUERY PLAN`` and prove none scans a
table: a lookup or a page must cost O(result), not O(bucket). The only deliberate scan,
``LIST_ACCOUNTS``, lists everything by contract and is named in ``FULL_SCANS``.
"""

# ruff: noqa: S608 - statements are assembled from this module's own literals; values are
# always bound as parameters, never formatted in.
from __future__ import annotations

# --- settings ------------------------------------------------------------------------------------
GET_SETTING = "SELECT value FROM settings WHERE name = ?"
PUT_SETTING = ("INSERT INTO settings (name, value) VALUES (?, ?) "
               "ON CONFLICT (name) DO UPDATE SET value = excluded.value")
DELETE_SETTING = "DELETE FROM settings WHERE name = ?"
# names in [?, ?) in order: a prefix range of the primary key
LIST_SETTINGS = ("SELECT name, value FROM settings WHERE name >= ? AND name > ? AND name < ? "
                 "ORDER BY name LIMIT ?")

# --- accounts and access keys --------------------------------------------------------------------
INSERT_ACCOUNT = "INSERT INTO accounts (account_id, canonical_id, doc) VALUES (?, ?, ?)"
GET_ACCOUNT = "SELECT account_id, canonical_id, doc FROM accounts WHERE account_id = ?"
LIST_ACCOUNTS = "SELECT account_id, canonical_id, doc FROM accounts ORDER BY account_id"
PUT_ACCESS_KEY = (
    "INSERT INTO access_keys (access_key_id, account_id, sealed_secret, doc) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (access_key_id) DO UPDATE SET account_id = excluded.account_id, "
    "sealed_secret = excluded.sealed_secret, doc = excluded.doc")
GET_ACCESS_KEY = ("SELECT access_key_id, account_id, sealed_secret, doc FROM access_keys "
                  "WHERE access_key_id = ?")

# --- buckets and their configuration documents ---------------------------------------------------
INSERT_BUCKET = "INSERT INTO buckets (name, owner_account_id, doc) VALUES (?, ?, ?)"
GET_BUCKET = "SELECT name, owner_account_id, doc FROM buckets WHERE name = ?"
# Names are contiguous from the prefix on; the caller stops at the first that lacks it.
LIST_BUCKETS = ("SELECT name, owner_account_id, doc FROM buckets "
                "WHERE owner_account_id = ? AND name >= ? AND name > ? ORDER BY name LIMIT ?")
UPDATE_BUCKET = "UPDATE buckets SET owner_account_id = ?, doc = ? WHERE name = ?"
DELETE_BUCKET = "DELETE FROM buckets WHERE name = ?"
BUCKET_HAS_VERSIONS = "SELECT 1 FROM versions WHERE bucket = ? LIMIT 1"
UPLOADS_OF_BUCKET = "SELECT upload_id FROM uploads WHERE bucket = ?"
GET_CONFIG = "SELECT value FROM bucket_configs WHERE bucket = ? AND name = ?"
PUT_CONFIG = ("INSERT INTO bucket_configs (bucket, name, value) VALUES (?, ?, ?) "
              "ON CONFLICT (bucket, name) DO UPDATE SET value = excluded.value")
DELETE_CONFIG = "DELETE FROM bucket_configs WHERE bucket = ? AND name = ?"
DELETE_CONFIGS = "DELETE FROM bucket_configs WHERE bucket = ?"

# --- object versions -----------------------------------------------------------------------------
VERSION_COLUMNS = ("v.seq, v.bucket, v.key, v.version_id, v.is_latest, v.is_delete_marker, v.size, "
                   "v.etag, v.last_modified, v.storage_class, v.owner, v.meta")
_WITH_DATA = f"SELECT {VERSION_COLUMNS}, d.data FROM versions v LEFT JOIN version_data d ON d.seq = v.seq"
# The latest version of a key is its highest seq.
GET_LATEST = (f"SELECT {VERSION_COLUMNS} FROM versions v WHERE v.bucket = ? AND v.key = ? "
              "ORDER BY v.seq DESC LIMIT 1")
GET_LATEST_DATA = f"{_WITH_DATA} WHERE v.bucket = ? AND v.key = ? ORDER BY v.seq DESC LIMIT 1"
GET_VERSION = (f"SELECT {VERSION_COLUMNS} FROM versions v "
               "WHERE v.bucket = ? AND v.key = ? AND v.version_id = ?")
GET_VERSION_DATA = f"{_WITH_DATA} WHERE v.bucket = ? AND v.key = ? AND v.version_id = ?"
# The WHERE repeats the partial index's condition word for word: that is what lets SQLite
# use versions_current, whose entries are exactly the current objects.
LIST_CURRENT = (f"SELECT {VERSION_COLUMNS} FROM versions v "
                "WHERE v.bucket = ? AND v.key >= ? AND v.key < ? "
                "AND v.is_latest = 1 AND v.is_delete_marker = 0 ORDER BY v.key LIMIT ?")
LIST_VERSIONS = (f"SELECT {VERSION_COLUMNS} FROM versions v "
                 "WHERE v.bucket = ? AND v.key >= ? AND v.key < ? ORDER BY v.key, v.seq DESC LIMIT ?")
LIST_OLDER_VERSIONS = (f"SELECT {VERSION_COLUMNS} FROM versions v "
                       "WHERE v.bucket = ? AND v.key = ? AND v.seq < ? ORDER BY v.seq DESC LIMIT ?")
SEQ_OF_VERSION = "SELECT seq FROM versions WHERE bucket = ? AND key = ? AND version_id = ?"
INSERT_VERSION = (
    "INSERT INTO versions (bucket, key, version_id, is_latest, is_delete_marker, size, etag, "
    "last_modified, storage_class, owner, meta) VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)")
INSERT_DATA = "INSERT INTO version_data (seq, data) VALUES (?, ?)"
UPDATE_VERSION = ("UPDATE versions SET last_modified = ?, storage_class = ?, owner = ?, meta = ? "
                  "WHERE seq = ?")
UNSET_LATEST = "UPDATE versions SET is_latest = 0 WHERE seq = ?"
SET_LATEST = ("UPDATE versions SET is_latest = 1 WHERE seq = "
              "(SELECT seq FROM versions WHERE bucket = ? AND key = ? ORDER BY seq DESC LIMIT 1)")
DELETE_VERSION = "DELETE FROM versions WHERE seq = ?"
DELETE_DATA = "DELETE FROM version_data WHERE seq = ?"

# --- blob references -----------------------------------------------------------------------------
ADD_REF = ("INSERT INTO blobs (blob_id, refs) VALUES (?, 1) "
           "ON CONFLICT (blob_id) DO UPDATE SET refs = refs + 1")
DROP_REF = "UPDATE blobs SET refs = refs - 1 WHERE blob_id = ? RETURNING refs"
DELETE_REF = "DELETE FROM blobs WHERE blob_id = ?"


def referenced(n: int) -> str:
    return f"SELECT blob_id FROM blobs WHERE blob_id IN ({', '.join('?' * n)})"


# --- multipart uploads ---------------------------------------------------------------------------
UPLOAD_COLUMNS = "upload_id, bucket, key, initiated_at, doc"
INSERT_UPLOAD = f"INSERT INTO uploads ({UPLOAD_COLUMNS}) VALUES (?, ?, ?, ?, ?)"
GET_UPLOAD = f"SELECT {UPLOAD_COLUMNS} FROM uploads WHERE upload_id = ?"
UPLOAD_EXISTS = "SELECT 1 FROM uploads WHERE upload_id = ?"
# Row values: "after (key marker, upload id marker)" as one index range.
LIST_UPLOADS = (f"SELECT {UPLOAD_COLUMNS} FROM uploads "
                "WHERE bucket = ? AND (key, upload_id) > (?, ?) AND key < ? "
                "ORDER BY key, upload_id LIMIT ?")
DELETE_UPLOAD = "DELETE FROM uploads WHERE upload_id = ?"
PART_COLUMNS = "upload_id, part_number, size, etag, last_modified, blob_id, blob_size, doc"
GET_PART_BLOB = "SELECT blob_id FROM parts WHERE upload_id = ? AND part_number = ?"
PUT_PART = (f"INSERT INTO parts ({PART_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (upload_id, part_number) DO UPDATE SET size = excluded.size, "
            "etag = excluded.etag, last_modified = excluded.last_modified, "
            "blob_id = excluded.blob_id, blob_size = excluded.blob_size, doc = excluded.doc")
LIST_PARTS = (f"SELECT {PART_COLUMNS} FROM parts WHERE upload_id = ? AND part_number > ? "
              "ORDER BY part_number LIMIT ?")
PART_BLOBS = "SELECT blob_id FROM parts WHERE upload_id = ? AND blob_id IS NOT NULL"
DELETE_PARTS = "DELETE FROM parts WHERE upload_id = ?"

FULL_SCANS = frozenset({"LIST_ACCOUNTS"})
