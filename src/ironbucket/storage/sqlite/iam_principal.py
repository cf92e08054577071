"""Everything the policy engine needs about one user or role, gathered in one read: the identity
policies that apply (own inline and attached; for a user, those of its groups too) and the
permissions boundary. Managed policies contribute their default version."""

from __future__ import annotations

import sqlite3

from ironbucket.storage.interfaces import (
    IAM_GROUP,
    IAM_ROLE,
    IAM_USER,
    PERMISSIONS_BOUNDARY,
    PrincipalPolicies,
)
from ironbucket.storage.sqlite import codec
from ironbucket.storage.sqlite.iam_codec import name_key
from ironbucket.storage.sqlite.iam_entities import GROUP_IDS_OF_USER, GROUPS, ROLES, USERS
from ironbucket.storage.sqlite.iam_policies import all_inline, attached, default_document


def _documents(conn: sqlite3.Connection, kind: str, name: str, entity_id: str) -> list[tuple[str, str]]:
    docs = [(f"{kind}/{name}/inline/{policy}", text) for policy, text in all_inline(conn, entity_id)]
    docs += [(f"{kind}/{name}/managed/{policy.arn}", default_document(conn, policy))
             for policy in attached(conn, entity_id)]
    return docs


def principal_policies(conn: sqlite3.Connection, account_id: str, kind: str, name: str) -> PrincipalPolicies:
    if kind not in (IAM_USER, IAM_ROLE):
        raise ValueError(f"policies apply to users and roles, not to a {kind!r}")
    table = USERS if kind == IAM_USER else ROLES
    rows = conn.execute(table.by_name, (account_id, name_key(name))).fetchall()
    if not rows:
        return PrincipalPolicies(found=False)
    entity_id = rows[0][0]
    stored_name = codec.load(rows[0][3])["name"]
    docs = _documents(conn, kind, stored_name, entity_id)
    if kind == IAM_USER:
        for (group_id,) in conn.execute(GROUP_IDS_OF_USER, (entity_id,)).fetchall():
            group = conn.execute(GROUPS.by_id, (group_id,)).fetchone()
            docs += _documents(conn, IAM_GROUP, codec.load(group[3])["name"], group_id)
    boundary = None
    for policy in attached(conn, entity_id, PERMISSIONS_BOUNDARY):
        boundary = (f"boundary/{policy.arn}", default_document(conn, policy))
    return PrincipalPolicies(found=True, identity=tuple(docs), boundary=boundary)
