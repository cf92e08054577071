"""Tags of users, roles and managed policies: Tag{User,Role,Policy}, Untag{User,Role,Policy},
List{User,Role,Policy}Tags. At most 50 tags per resource; a user's tags become its
``aws:PrincipalTag/...`` condition keys."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ironbucket.http.xml import XmlWriter
from ironbucket.iam import render
from ironbucket.iam.call import Handler, IamCall, find_policy, find_role, find_user
from ironbucket.iam.paging import encode_marker, paging, write_truncation
from ironbucket.iam.params import ARN, EXISTING_USER_NAME, MAX_TAGS, ROLE_NAME, invalid
from ironbucket.storage.interfaces import IAM_ROLE, IAM_USER


@dataclass(frozen=True, slots=True)
class Tagged:
    entity_id: str
    tags: Mapping[str, str]


async def _tagged(call: IamCall, kind: str) -> Tagged:
    if kind == IAM_USER:
        user = await find_user(call, call.params.required("UserName", EXISTING_USER_NAME))
        return Tagged(user.user_id, user.tags)
    if kind == IAM_ROLE:
        role = await find_role(call, call.params.required("RoleName", ROLE_NAME))
        return Tagged(role.role_id, role.tags)
    policy = await find_policy(call, call.params.required("PolicyArn", ARN))
    return Tagged(policy.policy_id, policy.tags)


def tag(kind: str) -> Handler:
    async def tag_resource(call: IamCall) -> None:
        target = await _tagged(call, kind)
        tags = call.params.tags()
        if not tags:
            raise invalid("Tags", None, "Member must not be null")
        await call.meta.iam_tag(kind, target.entity_id, tags, (), MAX_TAGS)
    return tag_resource


def untag(kind: str) -> Handler:
    async def untag_resource(call: IamCall) -> None:
        target = await _tagged(call, kind)
        keys = call.params.tag_keys()
        if not keys:
            raise invalid("TagKeys", None, "Member must not be null")
        await call.meta.iam_tag(kind, target.entity_id, {}, keys, MAX_TAGS)
    return untag_resource


def list_tags(kind: str) -> Handler:
    async def list_resource_tags(call: IamCall) -> XmlWriter:
        target = await _tagged(call, kind)
        paged = paging(call.params)
        keys = list(target.tags)
        after = paged.after_text()
        start = keys.index(after) + 1 if after is not None and after in target.tags else 0
        chosen = keys[start:start + paged.max_items]
        truncated = start + paged.max_items < len(keys)
        w = call.result()
        render.tags(w, {key: target.tags[key] for key in chosen})
        write_truncation(w, truncated, encode_marker(chosen[-1]) if chosen else None)
        return w
    return list_resource_tags

