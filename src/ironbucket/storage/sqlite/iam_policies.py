"""IAM policies: inline policies of users, groups and roles; customer-managed policies with their
versions; attachments and permissions boundaries."""

# ruff: noqa: S608 - statements are assembled from this module's own literals; values are bound.
from __future__ import annotations

import sqlite3

from ironbucket.storage.interfaces import (
    PERMISSIONS_BOUNDARY,
    PERMISSIONS_POLICY,
    IamEntityExists,
    IamEntityInUse,
    IamNoSuchEntity,
    IamQuotaExceeded,
    ManagedPolicy,
    PolicyEntity,
    PolicyVersion,
)
from ironbucket.storage.sqlite import codec
from ironbucket.storage.sqlite.iam_codec import name_key, next_version_of, policy_doc, policy_from
from ironbucket.storage.sqlite.iam_entities import PATH_END, POLICIES, TABLES, entity_row

# --- statements ----------------------------------------------------------------------------------------
PUT_INLINE = ("INSERT INTO iam_inline_policies (entity_id, name, size, document) VALUES (?, ?, ?, ?) "
              "ON CONFLICT (entity_id, name) DO UPDATE SET size = excluded.size, "
              "document = excluded.document")
INLINE_SIZE_OF_OTHERS = ("SELECT COALESCE(SUM(size), 0) FROM iam_inline_policies "
                         "WHERE entity_id = ? AND name != ?")
GET_INLINE = "SELECT document FROM iam_inline_policies WHERE entity_id = ? AND name = ?"
DELETE_INLINE = "DELETE FROM iam_inline_policies WHERE entity_id = ? AND name = ?"
INLINE_PAGE = "SELECT name FROM iam_inline_policies WHERE entity_id = ? AND name > ? ORDER BY name LIMIT ?"
ALL_INLINE = "SELECT name, document FROM iam_inline_policies WHERE entity_id = ? ORDER BY name"

COUNT_USES = "SELECT COUNT(*) FROM iam_attachments WHERE policy_id = ? AND usage = ?"
IS_USED = "SELECT 1 FROM iam_attachments WHERE policy_id = ? LIMIT 1"
_PAGE_HEAD = ("SELECT p.policy_id, p.account_id, p.path, p.doc FROM iam_policies p "
              "WHERE p.account_id = ? AND (p.path, p.name_key) > (?, ?) AND p.path < ? ")
POLICIES_PAGE = _PAGE_HEAD + "ORDER BY p.path, p.name_key LIMIT ?"
ATTACHED_POLICIES_PAGE = (_PAGE_HEAD + "AND EXISTS (SELECT 1 FROM iam_attachments a "
                          "WHERE a.policy_id = p.policy_id) ORDER BY p.path, p.name_key LIMIT ?")
USED_POLICIES_PAGE = (_PAGE_HEAD + "AND EXISTS (SELECT 1 FROM iam_attachments a "
                      "WHERE a.policy_id = p.policy_id AND a.usage = ?) ORDER BY p.path, p.name_key LIMIT ?")

INSERT_VERSION = ("INSERT INTO iam_policy_versions (policy_id, number, created_at, document) "
                  "VALUES (?, ?, ?, ?)")
GET_VERSION = ("SELECT number, created_at, document FROM iam_policy_versions "
               "WHERE policy_id = ? AND number = ?")
VERSIONS = ("SELECT number, created_at, document FROM iam_policy_versions WHERE policy_id = ? "
            "ORDER BY number DESC")
COUNT_VERSIONS = "SELECT COUNT(*) FROM iam_policy_versions WHERE policy_id = ?"
DELETE_VERSION = "DELETE FROM iam_policy_versions WHERE policy_id = ? AND number = ?"
DELETE_VERSIONS = "DELETE FROM iam_policy_versions WHERE policy_id = ?"
UPDATE_POLICY_DOC = "UPDATE iam_policies SET doc = ? WHERE policy_id = ?"

IS_ATTACHED = "SELECT 1 FROM iam_attachments WHERE entity_id = ? AND usage = ? AND policy_id = ?"
COUNT_ATTACHED = "SELECT COUNT(*) FROM iam_attachments WHERE entity_id = ? AND usage = ?"
ATTACH = ("INSERT INTO iam_attachments (entity_id, usage, policy_id, entity_kind, entity_key) "
          "VALUES (?, ?, ?, ?, ?)")
DETACH = "DELETE FROM iam_attachments WHERE entity_id = ? AND usage = ? AND policy_id = ?"
DETACH_ALL = "DELETE FROM iam_attachments WHERE entity_id = ? AND usage = ?"
ATTACHED_TO = ("SELECT p.policy_id, p.account_id, p.path, p.doc FROM iam_attachments a "
               "JOIN iam_policies p ON p.policy_id = a.policy_id WHERE a.entity_id = ? AND a.usage = ?")
ENTITIES_PAGE = ("SELECT entity_kind, entity_key, entity_id FROM iam_attachments WHERE policy_id = ? "
                 "AND (entity_kind, entity_key) > (?, ?) ORDER BY entity_kind, entity_key LIMIT ?")
ENTITIES_BY_USAGE_PAGE = ("SELECT entity_kind, entity_key, entity_id FROM iam_attachments "
                          "WHERE policy_id = ? AND usage = ? AND (entity_kind, entity_key) > (?, ?) "
                          "ORDER BY entity_kind, entity_key LIMIT ?")

_TITLES = {"user": "User", "group": "Group", "role": "Role"}


def _entity_name(conn: sqlite3.Connection, kind: str, entity_id: str) -> tuple[str, str]:
    """(name, path) of an entity, or IamNoSuchEntity."""
    row = entity_row(conn, TABLES[kind], entity_id)
    return str(codec.load(row[3])["name"]), str(row[2])


# --- inline policies -----------------------------------------------------------------------------------
def put_inline(conn: sqlite3.Connection, kind: str, entity_id: str, name: str, document: str, size: int,
               max_total: int) -> None:
    entity, _ = _entity_name(conn, kind, entity_id)
    if conn.execute(INLINE_SIZE_OF_OTHERS, (entity_id, name)).fetchone()[0] + size > max_total:
        raise IamQuotaExceeded(f"Maximum policy size of {max_total} bytes exceeded for {kind} {entity}")
    conn.execute(PUT_INLINE, (entity_id, name, size, document))


def get_inline(conn: sqlite3.Connection, entity_id: str, name: str) -> str | None:
    rows = conn.execute(GET_INLINE, (entity_id, name)).fetchall()
    return str(rows[0][0]) if rows else None


def delete_inline(conn: sqlite3.Connection, kind: str, entity_id: str, name: str) -> None:
    _entity_name(conn, kind, entity_id)
    if conn.execute(DELETE_INLINE, (entity_id, name)).rowcount == 0:
        raise IamNoSuchEntity(f"The {kind} policy with name {name} cannot be found.")


def list_inline(conn: sqlite3.Connection, entity_id: str, after: str | None, limit: int) -> list[str]:
    return [r[0] for r in conn.execute(INLINE_PAGE, (entity_id, after or "", limit)).fetchall()]


def all_inline(conn: sqlite3.Connection, entity_id: str) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in conn.execute(ALL_INLINE, (entity_id,)).fetchall()]


# --- managed policies ----------------------------------------------------------------------------------
def policy_with_counts(conn: sqlite3.Connection, row: tuple[str, str, str, str]) -> ManagedPolicy:
    attached = conn.execute(COUNT_USES, (row[0], PERMISSIONS_POLICY)).fetchone()[0]
    bounding = conn.execute(COUNT_USES, (row[0], PERMISSIONS_BOUNDARY)).fetchone()[0]
    return policy_from(*row, attachments=attached, boundaries=bounding)


def create_policy(conn: sqlite3.Connection, policy: ManagedPolicy, document: str) -> None:
    if conn.execute(POLICIES.by_name, (policy.account_id, name_key(policy.name))).fetchall():
        raise IamEntityExists(f"A policy called {policy.name} already exists. "
                              "Duplicate names are not allowed.")
    conn.execute(POLICIES.insert, (policy.policy_id, policy.account_id, name_key(policy.name), policy.path,
                                   policy_doc(policy, next_version=2)))
    conn.execute(INSERT_VERSION, (policy.policy_id, 1, policy.created_at, document))


def get_policy(conn: sqlite3.Connection, account_id: str, name: str) -> ManagedPolicy | None:
    rows = conn.execute(POLICIES.by_name, (account_id, name_key(name))).fetchall()
    return policy_with_counts(conn, rows[0]) if rows else None


def list_policies(conn: sqlite3.Connection, account_id: str, path_prefix: str,
                  after: tuple[str, str] | None, limit: int, only_attached: bool,
                  usage: str | None) -> list[ManagedPolicy]:
    low = (after[0], name_key(after[1])) if after is not None else (path_prefix, "")
    head = (account_id, *low, path_prefix + PATH_END)
    if usage is not None:
        rows = conn.execute(USED_POLICIES_PAGE, (*head, usage, limit)).fetchall()
    elif only_attached:
        rows = conn.execute(ATTACHED_POLICIES_PAGE, (*head, limit)).fetchall()
    else:
        rows = conn.execute(POLICIES_PAGE, (*head, limit)).fetchall()
    return [policy_with_counts(conn, r) for r in rows]


def _policy(conn: sqlite3.Connection, policy_id: str) -> tuple[ManagedPolicy, int]:
    row = entity_row(conn, POLICIES, policy_id)
    return policy_from(*row), next_version_of(row[3])


def delete_policy(conn: sqlite3.Connection, policy_id: str) -> None:
    _policy(conn, policy_id)
    if conn.execute(IS_USED, (policy_id,)).fetchall():
        raise IamEntityInUse("Cannot delete a policy attached to entities.")
    if conn.execute(COUNT_VERSIONS, (policy_id,)).fetchone()[0] > 1:
        raise IamEntityInUse("This policy has more than one version. Before you delete a policy, you must "
                             "delete the policy's versions. The default version is deleted with the policy.")
    conn.execute(DELETE_VERSIONS, (policy_id,))
    conn.execute(POLICIES.delete, (policy_id,))


def _number(version_id: str) -> int | None:
    digits = version_id[1:].split(".", 1)[0]
    return int(digits) if version_id.startswith("v") and digits.isdigit() else None


def _save(conn: sqlite3.Connection, policy: ManagedPolicy, next_version: int) -> None:
    conn.execute(UPDATE_POLICY_DOC, (policy_doc(policy, next_version), policy.policy_id))


def create_version(conn: sqlite3.Connection, policy_id: str, document: str, set_default: bool, now: float,
                   max_versions: int) -> PolicyVersion:
    policy, number = _policy(conn, policy_id)
    if conn.execute(COUNT_VERSIONS, (policy_id,)).fetchone()[0] >= max_versions:
        raise IamQuotaExceeded(f"A managed policy can have up to {max_versions} versions. Before you create "
                               "a new version, you must delete an existing version.")
    conn.execute(INSERT_VERSION, (policy_id, number, now, document))
    version_id = f"v{number}"
    if set_default:
        policy = _replace_default(policy, version_id, now)
    _save(conn, policy, number + 1)
    return PolicyVersion(version_id=version_id, document=document, created_at=now, is_default=set_default)


def _replace_default(policy: ManagedPolicy, version_id: str, now: float) -> ManagedPolicy:
    return ManagedPolicy(account_id=policy.account_id, name=policy.name, policy_id=policy.policy_id,
                         path=policy.path, created_at=policy.created_at, updated_at=now,
                         default_version=version_id, description=policy.description, tags=policy.tags)


def get_version(conn: sqlite3.Connection, policy_id: str, version_id: str) -> PolicyVersion | None:
    number = _number(version_id)
    row = entity_row(conn, POLICIES, policy_id)
    rows = conn.execute(GET_VERSION, (policy_id, number)).fetchall() if number is not None else []
    if not rows:
        return None
    default = policy_from(*row).default_version
    return PolicyVersion(version_id=f"v{rows[0][0]}", document=rows[0][2], created_at=rows[0][1],
                         is_default=f"v{rows[0][0]}" == default)


def list_versions(conn: sqlite3.Connection, policy_id: str) -> list[PolicyVersion]:
    default = policy_from(*entity_row(conn, POLICIES, policy_id)).default_version
    return [PolicyVersion(version_id=f"v{n}", document=doc, created_at=at, is_default=f"v{n}" == default)
            for n, at, doc in conn.execute(VERSIONS, (policy_id,)).fetchall()]


def delete_version(conn: sqlite3.Connection, policy_id: str, version_id: str) -> None:
    policy, _ = _policy(conn, policy_id)
    number = _number(version_id)
    if number is None or not conn.execute(GET_VERSION, (policy_id, number)).fetchall():
        raise IamNoSuchEntity(f"Policy {policy.arn} version {version_id} does not exist or is not deletable.")
    if f"v{number}" == policy.default_version:
        raise IamEntityInUse("Cannot delete the default version of a policy.")
    conn.execute(DELETE_VERSION, (policy_id, number))


def set_default_version(conn: sqlite3.Connection, policy_id: str, version_id: str, now: float) -> None:
    policy, next_version = _policy(conn, policy_id)
    number = _number(version_id)
    if number is None or not conn.execute(GET_VERSION, (policy_id, number)).fetchall():
        raise IamNoSuchEntity(f"Policy {policy.arn} version {version_id} does not exist.")
    _save(conn, _replace_default(policy, f"v{number}", now), next_version)


def default_document(conn: sqlite3.Connection, policy: ManagedPolicy) -> str:
    number = _number(policy.default_version)
    rows = conn.execute(GET_VERSION, (policy.policy_id, number)).fetchall()
    return str(rows[0][2]) if rows else ""


# --- attachments and boundaries ------------------------------------------------------------------------
def attach(conn: sqlite3.Connection, kind: str, entity_id: str, policy_id: str, max_attached: int) -> None:
    name, _ = _entity_name(conn, kind, entity_id)
    _policy(conn, policy_id)
    if conn.execute(IS_ATTACHED, (entity_id, PERMISSIONS_POLICY, policy_id)).fetchall():
        return  # attaching twice is a success that changes nothing
    if conn.execute(COUNT_ATTACHED, (entity_id, PERMISSIONS_POLICY)).fetchone()[0] >= max_attached:
        raise IamQuotaExceeded(f"Cannot exceed quota for PoliciesPer{_TITLES[kind]}: {max_attached}")
    conn.execute(ATTACH, (entity_id, PERMISSIONS_POLICY, policy_id, kind, name_key(name)))


def detach(conn: sqlite3.Connection, kind: str, entity_id: str, policy_id: str) -> None:
    _entity_name(conn, kind, entity_id)
    policy, _ = _policy(conn, policy_id)
    if conn.execute(DETACH, (entity_id, PERMISSIONS_POLICY, policy_id)).rowcount == 0:
        raise IamNoSuchEntity(f"Policy {policy.arn} was not found.")


def attached(conn: sqlite3.Connection, entity_id: str,
             usage: str = PERMISSIONS_POLICY) -> list[ManagedPolicy]:
    policies = [policy_from(*r) for r in conn.execute(ATTACHED_TO, (entity_id, usage)).fetchall()]
    return sorted(policies, key=lambda p: name_key(p.name))


def set_boundary(conn: sqlite3.Connection, kind: str, entity_id: str, policy_id: str | None) -> None:
    name, _ = _entity_name(conn, kind, entity_id)
    conn.execute(DETACH_ALL, (entity_id, PERMISSIONS_BOUNDARY))
    if policy_id is not None:
        _policy(conn, policy_id)
        conn.execute(ATTACH, (entity_id, PERMISSIONS_BOUNDARY, policy_id, kind, name_key(name)))


def entities(conn: sqlite3.Connection, policy_id: str, usage: str | None, kind: str | None,
             path_prefix: str, after: tuple[str, str] | None, limit: int) -> list[PolicyEntity]:
    """Entities using a policy, by (kind, name). An entity holding the policy both ways is listed
    once: its two rows are adjacent in this order."""
    _policy(conn, policy_id)
    cursor = (after[0], name_key(after[1])) if after is not None else (kind or "", "")
    out: list[PolicyEntity] = []
    batch = min(max(2 * limit, 16), 2000)
    while len(out) < limit:
        if usage is None:
            rows = conn.execute(ENTITIES_PAGE, (policy_id, *cursor, batch)).fetchall()
        else:
            rows = conn.execute(ENTITIES_BY_USAGE_PAGE, (policy_id, usage, *cursor, batch)).fetchall()
        if not rows:
            break
        for entity_kind, entity_key, entity_id in rows:
            if (entity_kind, entity_key) <= cursor:
                continue  # the second row of an entity holding the policy both ways
            cursor = (entity_kind, entity_key)
            if kind is not None and entity_kind != kind:
                return out
            name, path = _entity_name(conn, entity_kind, entity_id)
            if path.startswith(path_prefix):
                out.append(PolicyEntity(kind=entity_kind, name=name, entity_id=entity_id))
                if len(out) == limit:
                    break
    return out
