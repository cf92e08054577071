"""The ``KmsStore`` half of ``SqliteMetadataStore`` (a mixin: the store supplies the plumbing).

KMS records are configuration: every mutation goes through ``_write_config`` (invalidating
every worker's cache) and single-record reads are ``_cached``, so a disabled or deleted key is
seen by the next request on any worker.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from ironbucket.storage.kms_records import KmsAlias, KmsGrant, KmsKey, KmsMaterial
from ironbucket.storage.sqlite import kms_sql as sql

P = ParamSpec("P")
T = TypeVar("T")
_FORMAT = 1


def _key_doc(key: KmsKey) -> str:
    return json.dumps({
        "v": _FORMAT, "region": key.region, "created_at": key.created_at, "state": key.state,
        "description": key.description, "policy": key.policy, "manager": key.manager,
        "current_material": key.current_material, "rotation_enabled": key.rotation_enabled,
        "rotation_period_days": key.rotation_period_days, "next_rotation_at": key.next_rotation_at,
        "on_demand_rotations": key.on_demand_rotations, "deletion_at": key.deletion_at,
        "pending_window_days": key.pending_window_days, "tags": dict(key.tags)})


def _key(key_id: str, account_id: str, text: str) -> KmsKey:
    doc: dict[str, Any] = json.loads(text)
    return KmsKey(
        key_id=key_id, account_id=account_id, region=doc["region"], created_at=doc["created_at"],
        state=doc["state"], description=doc["description"], policy=doc["policy"],
        manager=doc["manager"], current_material=doc["current_material"],
        rotation_enabled=doc["rotation_enabled"], rotation_period_days=doc["rotation_period_days"],
        next_rotation_at=doc["next_rotation_at"], on_demand_rotations=doc["on_demand_rotations"],
        deletion_at=doc["deletion_at"], pending_window_days=doc["pending_window_days"],
        tags=doc["tags"])


def _grant_doc(g: KmsGrant) -> str:
    return json.dumps({
        "v": _FORMAT, "name": g.name, "grantee": g.grantee, "retiring": g.retiring,
        "operations": list(g.operations), "subset": g.context_subset, "equals": g.context_equals,
        "issuing_account": g.issuing_account, "created_at": g.created_at, "token_hash": g.token_hash,
        "key_id": g.key_id, "grant_id": g.grant_id})


def _grant(text: str) -> KmsGrant:
    d: dict[str, Any] = json.loads(text)
    return KmsGrant(key_id=d["key_id"], grant_id=d["grant_id"], name=d["name"], grantee=d["grantee"],
                    retiring=d["retiring"], operations=tuple(d["operations"]),
                    context_subset=d["subset"], context_equals=d["equals"],
                    issuing_account=d["issuing_account"], created_at=d["created_at"],
                    token_hash=d["token_hash"])


def _alias(row: tuple[Any, ...]) -> KmsAlias:
    return KmsAlias(account_id=row[0], name=row[1], key_id=row[2], created_at=row[3], updated_at=row[4])


def put_key(conn: sqlite3.Connection, key: KmsKey) -> None:
    conn.execute(sql.PUT_KEY, (key.key_id, key.account_id, _key_doc(key)))


def get_key(conn: sqlite3.Connection, key_id: str) -> KmsKey | None:
    row = conn.execute(sql.GET_KEY, (key_id,)).fetchone()
    return None if row is None else _key(key_id, row[0], row[1])


def list_keys(conn: sqlite3.Connection, account_id: str, after: str, limit: int) -> list[KmsKey]:
    return [_key(r[0], r[1], r[2]) for r in conn.execute(sql.LIST_KEYS, (account_id, after, limit))]


def delete_key(conn: sqlite3.Connection, key_id: str) -> None:
    row = conn.execute(sql.GET_KEY, (key_id,)).fetchone()
    if row is None:
        return
    for alias in key_aliases(conn, key_id):
        conn.execute(sql.DELETE_KEY_ALIASES, (alias.account_id, alias.name))
    conn.execute(sql.DELETE_KEY_GRANTS, (key_id,))
    conn.execute(sql.DELETE_MATERIALS, (key_id,))
    conn.execute(sql.DELETE_KEY, (key_id,))


def add_material(conn: sqlite3.Connection, key: KmsKey, material: KmsMaterial) -> None:
    conn.execute(sql.ADD_MATERIAL, (material.key_id, material.version, material.created_at,
                                    material.sealed))
    put_key(conn, key)


def get_material(conn: sqlite3.Connection, key_id: str, version: int) -> KmsMaterial | None:
    row = conn.execute(sql.GET_MATERIAL, (key_id, version)).fetchone()
    return None if row is None else KmsMaterial(key_id, version, row[0], bytes(row[1]))


def _alias_row(a: KmsAlias) -> tuple[str, str, str, float, float]:
    return (a.account_id, a.name, a.key_id, a.created_at, a.updated_at)


def create_alias(conn: sqlite3.Connection, alias: KmsAlias) -> bool:
    return conn.execute(sql.INSERT_ALIAS, _alias_row(alias)).rowcount == 1


def put_alias(conn: sqlite3.Connection, alias: KmsAlias) -> None:
    conn.execute(sql.PUT_ALIAS, _alias_row(alias))


def get_alias(conn: sqlite3.Connection, account_id: str, name: str) -> KmsAlias | None:
    row = conn.execute(sql.GET_ALIAS, (account_id, name)).fetchone()
    return None if row is None else _alias(row)


def delete_alias(conn: sqlite3.Connection, account_id: str, name: str) -> None:
    conn.execute(sql.DELETE_ALIAS, (account_id, name))


def list_aliases(conn: sqlite3.Connection, account_id: str, after: str, limit: int) -> list[KmsAlias]:
    return [_alias(r) for r in conn.execute(sql.LIST_ALIASES, (account_id, after, limit))]


def key_aliases(conn: sqlite3.Connection, key_id: str) -> list[KmsAlias]:
    return [_alias(r) for r in conn.execute(sql.KEY_ALIASES, (key_id,))]


def put_grant(conn: sqlite3.Connection, grant: KmsGrant) -> None:
    conn.execute(sql.PUT_GRANT, (grant.key_id, grant.grant_id, _grant_doc(grant)))


def delete_grant(conn: sqlite3.Connection, key_id: str, grant_id: str) -> None:
    conn.execute(sql.DELETE_GRANT, (key_id, grant_id))


def list_grants(conn: sqlite3.Connection, key_id: str, after: str, limit: int) -> list[KmsGrant]:
    return [_grant(r[0]) for r in conn.execute(sql.LIST_GRANTS, (key_id, after, limit))]


class SqliteKmsStore:
    if TYPE_CHECKING:  # provided by SqliteMetadataStore
        def _read(self, fn: Callable[Concatenate[sqlite3.Connection, P], T],
                  *args: P.args, **kwargs: P.kwargs) -> T: ...
        async def _write_config(self, fn: Callable[Concatenate[sqlite3.Connection, P], T],
                                *args: P.args, **kwargs: P.kwargs) -> T: ...
        def _cached(self, key: tuple[str, ...], fn: Callable[Concatenate[sqlite3.Connection, P], T],
                    *args: P.args, **kwargs: P.kwargs) -> T: ...

    async def kms_put_key(self, key: KmsKey) -> None:
        await self._write_config(put_key, key)

    async def kms_get_key(self, key_id: str) -> KmsKey | None:
        return self._cached(("kms-key", key_id), get_key, key_id)

    async def kms_list_keys(self, account_id: str, after: str, limit: int) -> list[KmsKey]:
        return self._read(list_keys, account_id, after, limit)

    async def kms_delete_key(self, key_id: str) -> None:
        await self._write_config(delete_key, key_id)

    async def kms_add_material(self, key: KmsKey, material: KmsMaterial) -> None:
        await self._write_config(add_material, key, material)

    async def kms_get_material(self, key_id: str, version: int) -> KmsMaterial | None:
        return self._cached(("kms-material", key_id, str(version)), get_material, key_id, version)

    async def kms_create_alias(self, alias: KmsAlias) -> bool:
        return await self._write_config(create_alias, alias)

    async def kms_put_alias(self, alias: KmsAlias) -> None:
        await self._write_config(put_alias, alias)

    async def kms_get_alias(self, account_id: str, name: str) -> KmsAlias | None:
        return self._cached(("kms-alias", account_id, name), get_alias, account_id, name)

    async def kms_delete_alias(self, account_id: str, name: str) -> None:
        await self._write_config(delete_alias, account_id, name)

    async def kms_list_aliases(self, account_id: str, after: str, limit: int) -> list[KmsAlias]:
        return self._read(list_aliases, account_id, after, limit)

    async def kms_key_aliases(self, key_id: str) -> list[KmsAlias]:
        return self._read(key_aliases, key_id)

    async def kms_put_grant(self, grant: KmsGrant) -> None:
        await self._write_config(put_grant, grant)

    async def kms_delete_grant(self, key_id: str, grant_id: str) -> None:
        await self._write_config(delete_grant, key_id, grant_id)

    async def kms_list_grants(self, key_id: str, after: str, limit: int) -> list[KmsGrant]:
        return self._read(list_grants, key_id, after, limit)
