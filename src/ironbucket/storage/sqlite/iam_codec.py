"""IAM records to rows and back. Indexed fields are columns; the rest is a versioned JSON document
(``codec.dump`` / ``codec.load``: a newer server's document is refused, an older one upgraded)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ironbucket.storage.interfaces import IamGroup, IamRole, IamUser, ManagedPolicy
from ironbucket.storage.sqlite import codec


def name_key(name: str) -> str:
    """The uniqueness key of a name: IAM names may only hold ASCII, so lower() is case folding."""
    return name.lower()


def _tags(doc: dict[str, Any]) -> Mapping[str, str]:
    return MappingProxyType(dict(doc.get("tags") or {}))


def user_doc(u: IamUser) -> str:
    return codec.dump({"name": u.name, "created_at": u.created_at, "tags": dict(u.tags)})


def user_from(user_id: str, account_id: str, path: str, doc: str, boundary: str | None) -> IamUser:
    d = codec.load(doc)
    return IamUser(account_id=account_id, name=d["name"], user_id=user_id, path=path,
                   created_at=d["created_at"], permissions_boundary=boundary, tags=_tags(d))


def group_doc(g: IamGroup) -> str:
    return codec.dump({"name": g.name, "created_at": g.created_at})


def group_from(group_id: str, account_id: str, path: str, doc: str) -> IamGroup:
    d = codec.load(doc)
    return IamGroup(account_id=account_id, name=d["name"], group_id=group_id, path=path,
                    created_at=d["created_at"])


def role_doc(r: IamRole) -> str:
    return codec.dump({
        "name": r.name, "created_at": r.created_at, "trust_policy": r.trust_policy,
        "description": r.description, "max_session_duration": r.max_session_duration,
        "tags": dict(r.tags), "last_used_at": r.last_used_at, "last_used_region": r.last_used_region,
    })


def role_from(role_id: str, account_id: str, path: str, doc: str, boundary: str | None) -> IamRole:
    d = codec.load(doc)
    return IamRole(account_id=account_id, name=d["name"], role_id=role_id, path=path,
                   created_at=d["created_at"], trust_policy=d["trust_policy"],
                   description=d.get("description"), max_session_duration=d["max_session_duration"],
                   permissions_boundary=boundary, tags=_tags(d), last_used_at=d.get("last_used_at"),
                   last_used_region=d.get("last_used_region"))


def policy_doc(p: ManagedPolicy, next_version: int) -> str:
    return codec.dump({
        "name": p.name, "created_at": p.created_at, "updated_at": p.updated_at,
        "default_version": p.default_version, "next_version": next_version,
        "description": p.description, "tags": dict(p.tags),
    })


def policy_from(policy_id: str, account_id: str, path: str, doc: str, attachments: int = 0,
                boundaries: int = 0) -> ManagedPolicy:
    d = codec.load(doc)
    return ManagedPolicy(account_id=account_id, name=d["name"], policy_id=policy_id, path=path,
                         created_at=d["created_at"], updated_at=d["updated_at"],
                         default_version=d["default_version"], description=d.get("description"),
                         tags=_tags(d), attachment_count=attachments, boundary_usage_count=boundaries)


def next_version_of(doc: str) -> int:
    return int(codec.load(doc)["next_version"])


def policy_arn(account_id: str, path: str, doc: str) -> str:
    return f"arn:aws:iam::{account_id}:policy{path}{codec.load(doc)['name']}"
