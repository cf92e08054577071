"""IAM users, groups and roles: the entity rows, group membership, tags.

Functions of a connection, run by the store on a reader (lookups, pages) or inside the writer's
transaction (mutations, which raise the ``Iam*`` errors with AWS's messages).
"""

# ruff: noqa: S608 - statements are assembled from this module's own literals; values are bound.
from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ironbucket.storage.interfaces import (
    IAM_GROUP,
    IAM_POLICY,
    IAM_ROLE,
    IAM_USER,
    PERMISSIONS_BOUNDARY,
    PERMISSIONS_POLICY,
    IamEntityExists,
    IamEntityInUse,
    IamGroup,
    IamNoSuchEntity,
    IamQuotaExceeded,
    IamRole,
    IamUser,
)
from ironbucket.storage.sqlite import codec
from ironbucket.storage.sqlite.iam_codec import (
    group_doc,
    group_from,
    name_key,
    policy_arn,
    role_doc,
    role_from,
    user_doc,
    user_from,
)

# Greater than every path character (paths are ASCII), so [prefix, prefix + PATH_END) is the range
# of paths that start with the prefix.
PATH_END = "\U0010ffff"


@dataclass(frozen=True, slots=True)
class Table:
    """The statements of one entity table (they share one layout)."""

    name: str
    id_column: str
    kind: str

    @property
    def insert(self) -> str:
        return (f"INSERT INTO {self.name} ({self.id_column}, account_id, name_key, path, doc) "
                "VALUES (?, ?, ?, ?, ?)")

    @property
    def by_name(self) -> str:
        return (f"SELECT {self.id_column}, account_id, path, doc FROM {self.name} "
                "WHERE account_id = ? AND name_key = ?")

    @property
    def by_id(self) -> str:
        return f"SELECT {self.id_column}, account_id, path, doc FROM {self.name} WHERE {self.id_column} = ?"

    @property
    def page(self) -> str:
        # The row-value comparison keeps the scan on one range of the (account_id, path, name_key) index.
        return (f"SELECT {self.id_column}, account_id, path, doc FROM {self.name} "
                "WHERE account_id = ? AND (path, name_key) > (?, ?) AND path < ? "
                "ORDER BY path, name_key LIMIT ?")

    @property
    def update(self) -> str:
        return f"UPDATE {self.name} SET name_key = ?, path = ?, doc = ? WHERE {self.id_column} = ?"

    @property
    def delete(self) -> str:
        return f"DELETE FROM {self.name} WHERE {self.id_column} = ?"


USERS = Table("iam_users", "user_id", IAM_USER)
GROUPS = Table("iam_groups", "group_id", IAM_GROUP)
ROLES = Table("iam_roles", "role_id", IAM_ROLE)
POLICIES = Table("iam_policies", "policy_id", IAM_POLICY)
TABLES = {t.kind: t for t in (USERS, GROUPS, ROLES, POLICIES)}
_TITLES = {IAM_USER: "User", IAM_GROUP: "Group", IAM_ROLE: "Role", IAM_POLICY: "Policy"}

BOUNDARY_OF = ("SELECT p.account_id, p.path, p.doc FROM iam_attachments a "
               "JOIN iam_policies p ON p.policy_id = a.policy_id "
               f"WHERE a.entity_id = ? AND a.usage = '{PERMISSIONS_BOUNDARY}'")
MEMBERS_PAGE = ("SELECT u.user_id, u.account_id, u.path, u.doc FROM iam_group_members m "
                "JOIN iam_users u ON u.user_id = m.user_id "
                "WHERE m.group_id = ? AND m.user_key > ? ORDER BY m.user_key LIMIT ?")
GROUPS_OF_USER_PAGE = ("SELECT g.group_id, g.account_id, g.path, g.doc FROM iam_group_members m "
                       "JOIN iam_groups g ON g.group_id = m.group_id "
                       "WHERE m.user_id = ? AND m.group_key > ? ORDER BY m.group_key LIMIT ?")
GROUP_IDS_OF_USER = "SELECT group_id FROM iam_group_members WHERE user_id = ?"
COUNT_GROUPS_OF_USER = "SELECT COUNT(*) FROM iam_group_members WHERE user_id = ?"
IS_MEMBER = "SELECT 1 FROM iam_group_members WHERE group_id = ? AND user_key = ?"
ADD_MEMBER = "INSERT INTO iam_group_members (group_id, user_key, user_id, group_key) VALUES (?, ?, ?, ?)"
REMOVE_MEMBER = "DELETE FROM iam_group_members WHERE group_id = ? AND user_id = ?"
RENAME_MEMBER_USER = "UPDATE iam_group_members SET user_key = ? WHERE user_id = ?"
RENAME_MEMBER_GROUP = "UPDATE iam_group_members SET group_key = ? WHERE group_id = ?"
HAS_MEMBERS = "SELECT 1 FROM iam_group_members WHERE group_id = ? LIMIT 1"
HAS_GROUPS = "SELECT 1 FROM iam_group_members WHERE user_id = ? LIMIT 1"
HAS_KEYS = "SELECT 1 FROM access_keys WHERE owner_id = ? LIMIT 1"
HAS_INLINE = "SELECT 1 FROM iam_inline_policies WHERE entity_id = ? LIMIT 1"
HAS_ATTACHED = (f"SELECT 1 FROM iam_attachments WHERE entity_id = ? AND usage = '{PERMISSIONS_POLICY}' "
                "LIMIT 1")
DROP_BOUNDARY = f"DELETE FROM iam_attachments WHERE entity_id = ? AND usage = '{PERMISSIONS_BOUNDARY}'"
RENAME_ATTACHMENTS = "UPDATE iam_attachments SET entity_key = ? WHERE entity_id = ?"
KEYS_OF_OWNER = "SELECT access_key_id, doc FROM access_keys WHERE owner_id = ?"
UPDATE_KEY_DOC = "UPDATE access_keys SET doc = ? WHERE access_key_id = ?"
BIND_BOUNDARY = ("INSERT INTO iam_attachments (entity_id, usage, policy_id, entity_kind, entity_key) "
                 f"VALUES (?, '{PERMISSIONS_BOUNDARY}', ?, ?, ?)")


def boundary_of(conn: sqlite3.Connection, entity_id: str) -> str | None:
    rows = conn.execute(BOUNDARY_OF, (entity_id,)).fetchall()
    return policy_arn(*rows[0]) if rows else None


def _bind_boundary(conn: sqlite3.Connection, kind: str, entity_id: str, account_id: str, name: str,
                   arn: str) -> None:
    """Make the managed policy ``arn`` (of the same account) the entity's permissions boundary."""
    head = f"arn:aws:iam::{account_id}:policy"
    path, _, policy_name = arn[len(head):].rpartition("/")
    rows = (conn.execute(POLICIES.by_name, (account_id, name_key(policy_name))).fetchall()
            if arn.startswith(head + "/") else [])
    if not rows or rows[0][2] != path + "/":
        raise IamNoSuchEntity(f"Scope ARN: {arn} does not exist or is not attachable.")
    conn.execute(BIND_BOUNDARY, (entity_id, rows[0][0], kind, name_key(name)))


def _user(conn: sqlite3.Connection, row: tuple[str, str, str, str]) -> IamUser:
    return user_from(*row, boundary=boundary_of(conn, row[0]))


def _role(conn: sqlite3.Connection, row: tuple[str, str, str, str]) -> IamRole:
    return role_from(*row, boundary=boundary_of(conn, row[0]))


def entity_row(conn: sqlite3.Connection, table: Table, entity_id: str) -> tuple[str, str, str, str]:
    rows = conn.execute(table.by_id, (entity_id,)).fetchall()
    if not rows:
        raise IamNoSuchEntity(f"The {table.kind} with id {entity_id} cannot be found.")
    return rows[0]  # type: ignore[no-any-return]


def _insert(conn: sqlite3.Connection, table: Table, entity_id: str, account_id: str, name: str,
            path: str, doc: str) -> None:
    if conn.execute(table.by_name, (account_id, name_key(name))).fetchall():
        raise IamEntityExists(f"{_TITLES[table.kind]} with name {name} already exists.")
    conn.execute(table.insert, (entity_id, account_id, name_key(name), path, doc))


def _page(conn: sqlite3.Connection, table: Table, account_id: str, path_prefix: str,
          after: tuple[str, str] | None, limit: int) -> list[tuple[str, str, str, str]]:
    low = (after[0], name_key(after[1])) if after is not None else (path_prefix, "")
    return conn.execute(table.page, (account_id, *low, path_prefix + PATH_END, limit)).fetchall()


# --- users ---------------------------------------------------------------------------------------------
def create_user(conn: sqlite3.Connection, user: IamUser) -> None:
    _insert(conn, USERS, user.user_id, user.account_id, user.name, user.path, user_doc(user))
    if user.permissions_boundary is not None:
        _bind_boundary(conn, IAM_USER, user.user_id, user.account_id, user.name, user.permissions_boundary)


def get_user(conn: sqlite3.Connection, account_id: str, name: str) -> IamUser | None:
    rows = conn.execute(USERS.by_name, (account_id, name_key(name))).fetchall()
    return _user(conn, rows[0]) if rows else None


def list_users(conn: sqlite3.Connection, account_id: str, path_prefix: str,
               after: tuple[str, str] | None, limit: int) -> list[IamUser]:
    return [_user(conn, r) for r in _page(conn, USERS, account_id, path_prefix, after, limit)]


def update_user(conn: sqlite3.Connection, user_id: str, new_name: str | None, new_path: str | None) -> None:
    user = _user(conn, entity_row(conn, USERS, user_id))
    name, path = new_name or user.name, new_path or user.path
    if name_key(name) != name_key(user.name):
        if conn.execute(USERS.by_name, (user.account_id, name_key(name))).fetchall():
            raise IamEntityExists(f"User with name {name} already exists.")
        conn.execute(RENAME_MEMBER_USER, (name_key(name), user_id))
        conn.execute(RENAME_ATTACHMENTS, (name_key(name), user_id))
    if name != user.name:
        # The key records name their owner: keep them in step, so the keys authenticate as the
        # renamed user at once.
        for key_id, doc in conn.execute(KEYS_OF_OWNER, (user_id,)).fetchall():
            d = codec.load(doc)
            d["owner_name"] = name
            conn.execute(UPDATE_KEY_DOC, (codec.dump(d), key_id))
    renamed = IamUser(account_id=user.account_id, name=name, user_id=user_id, path=path,
                      created_at=user.created_at, tags=user.tags)
    conn.execute(USERS.update, (name_key(name), path, user_doc(renamed), user_id))


def delete_user(conn: sqlite3.Connection, user_id: str) -> None:
    entity_row(conn, USERS, user_id)
    _refuse_if(conn, HAS_KEYS, user_id, "Cannot delete entity, must delete access keys first.")
    _refuse_if(conn, HAS_INLINE, user_id, "Cannot delete entity, must delete policies first.")
    _refuse_if(conn, HAS_ATTACHED, user_id, "Cannot delete entity, must detach all policies first.")
    _refuse_if(conn, HAS_GROUPS, user_id, "Cannot delete entity, must remove users from group first.")
    conn.execute(DROP_BOUNDARY, (user_id,))
    conn.execute(USERS.delete, (user_id,))


def _refuse_if(conn: sqlite3.Connection, statement: str, entity_id: str, message: str) -> None:
    if conn.execute(statement, (entity_id,)).fetchall():
        raise IamEntityInUse(message)


# --- groups --------------------------------------------------------------------------------------------
def create_group(conn: sqlite3.Connection, group: IamGroup) -> None:
    _insert(conn, GROUPS, group.group_id, group.account_id, group.name, group.path, group_doc(group))


def get_group(conn: sqlite3.Connection, account_id: str, name: str) -> IamGroup | None:
    rows = conn.execute(GROUPS.by_name, (account_id, name_key(name))).fetchall()
    return group_from(*rows[0]) if rows else None


def list_groups(conn: sqlite3.Connection, account_id: str, path_prefix: str,
                after: tuple[str, str] | None, limit: int) -> list[IamGroup]:
    return [group_from(*r) for r in _page(conn, GROUPS, account_id, path_prefix, after, limit)]


def update_group(conn: sqlite3.Connection, group_id: str, new_name: str | None,
                 new_path: str | None) -> None:
    group = group_from(*entity_row(conn, GROUPS, group_id))
    name, path = new_name or group.name, new_path or group.path
    if name_key(name) != name_key(group.name):
        if conn.execute(GROUPS.by_name, (group.account_id, name_key(name))).fetchall():
            raise IamEntityExists(f"Group with name {name} already exists.")
        conn.execute(RENAME_MEMBER_GROUP, (name_key(name), group_id))
        conn.execute(RENAME_ATTACHMENTS, (name_key(name), group_id))
    renamed = IamGroup(account_id=group.account_id, name=name, group_id=group_id, path=path,
                       created_at=group.created_at)
    conn.execute(GROUPS.update, (name_key(name), path, group_doc(renamed), group_id))


def delete_group(conn: sqlite3.Connection, group_id: str) -> None:
    entity_row(conn, GROUPS, group_id)
    _refuse_if(conn, HAS_MEMBERS, group_id, "Cannot delete entity, must remove users from group first.")
    _refuse_if(conn, HAS_INLINE, group_id, "Cannot delete entity, must delete policies first.")
    _refuse_if(conn, HAS_ATTACHED, group_id, "Cannot delete entity, must detach all policies first.")
    conn.execute(GROUPS.delete, (group_id,))


def add_member(conn: sqlite3.Connection, group_id: str, user_id: str, max_groups: int) -> None:
    group = group_from(*entity_row(conn, GROUPS, group_id))
    user = user_from(*entity_row(conn, USERS, user_id), boundary=None)
    if conn.execute(IS_MEMBER, (group_id, name_key(user.name))).fetchall():
        return  # AWS answers success when the user is already a member
    if conn.execute(COUNT_GROUPS_OF_USER, (user_id,)).fetchone()[0] >= max_groups:
        raise IamQuotaExceeded(f"Cannot exceed quota for GroupsPerUser: {max_groups}")
    conn.execute(ADD_MEMBER, (group_id, name_key(user.name), user_id, name_key(group.name)))


def remove_member(conn: sqlite3.Connection, group_id: str, user_id: str) -> None:
    user = user_from(*entity_row(conn, USERS, user_id), boundary=None)
    if conn.execute(REMOVE_MEMBER, (group_id, user_id)).rowcount == 0:
        raise IamNoSuchEntity(f"The user with name {user.name} cannot be found.")


def list_members(conn: sqlite3.Connection, group_id: str, after: str | None, limit: int) -> list[IamUser]:
    rows = conn.execute(MEMBERS_PAGE, (group_id, name_key(after or ""), limit)).fetchall()
    return [_user(conn, r) for r in rows]


def list_user_groups(conn: sqlite3.Connection, user_id: str, after: str | None,
                     limit: int) -> list[IamGroup]:
    rows = conn.execute(GROUPS_OF_USER_PAGE, (user_id, name_key(after or ""), limit)).fetchall()
    return [group_from(*r) for r in rows]


# --- roles ---------------------------------------------------------------------------------------------
def create_role(conn: sqlite3.Connection, role: IamRole) -> None:
    _insert(conn, ROLES, role.role_id, role.account_id, role.name, role.path, role_doc(role))
    if role.permissions_boundary is not None:
        _bind_boundary(conn, IAM_ROLE, role.role_id, role.account_id, role.name, role.permissions_boundary)


def get_role(conn: sqlite3.Connection, account_id: str, name: str) -> IamRole | None:
    rows = conn.execute(ROLES.by_name, (account_id, name_key(name))).fetchall()
    return _role(conn, rows[0]) if rows else None


def list_roles(conn: sqlite3.Connection, account_id: str, path_prefix: str,
               after: tuple[str, str] | None, limit: int) -> list[IamRole]:
    return [_role(conn, r) for r in _page(conn, ROLES, account_id, path_prefix, after, limit)]


def update_role(conn: sqlite3.Connection, role_id: str, trust_policy: str | None, description: str | None,
                max_session_duration: int | None) -> None:
    row = entity_row(conn, ROLES, role_id)
    d = codec.load(row[3])
    if trust_policy is not None:
        d["trust_policy"] = trust_policy
    if description is not None:
        d["description"] = description
    if max_session_duration is not None:
        d["max_session_duration"] = max_session_duration
    conn.execute(ROLES.update, (name_key(d["name"]), row[2], codec.dump(d), role_id))


def delete_role(conn: sqlite3.Connection, role_id: str) -> None:
    entity_row(conn, ROLES, role_id)
    _refuse_if(conn, HAS_INLINE, role_id, "Cannot delete entity, must delete policies first.")
    _refuse_if(conn, HAS_ATTACHED, role_id, "Cannot delete entity, must detach all policies first.")
    conn.execute(DROP_BOUNDARY, (role_id,))
    conn.execute(ROLES.delete, (role_id,))


# --- tags (users, roles, managed policies) -------------------------------------------------------------
def tag(conn: sqlite3.Connection, kind: str, entity_id: str, add: Mapping[str, str],
        remove: Sequence[str], max_tags: int) -> None:
    table = TABLES[kind]
    row = entity_row(conn, table, entity_id)
    d: dict[str, Any] = codec.load(row[3])
    tags: dict[str, str] = dict(d.get("tags") or {})
    for key in remove:
        tags.pop(key, None)
    tags.update(add)
    if len(tags) > max_tags:
        raise IamQuotaExceeded(f"Cannot exceed quota for TagsPer{_TITLES[kind]}: {max_tags}")
    d["tags"] = tags
    conn.execute(table.update, (name_key(d["name"]), row[2], codec.dump(d), entity_id))
