"""Inline policies of users, groups and roles: Put/Get/Delete{User,Group,Role}Policy and
List{User,Group,Role}Policies, one implementation per action shape, bound to each kind of entity.

The inline policies of one entity share a size quota (user 2,048, group 5,120, role 10,240
characters without whitespace), enforced by the store in the writing transaction."""

from __future__ import annotations

from ironbucket.http.xml import XmlWriter
from ironbucket.iam import render
from ironbucket.iam.call import ENTITY_PARAMS, Handler, IamCall, find_entity
from ironbucket.iam.documents import INLINE_POLICY_SIZE, encoded, read_document
from ironbucket.iam.errors import NoSuchEntity
from ironbucket.iam.paging import encode_marker, page, paging, write_truncation
from ironbucket.iam.params import POLICY_NAME


def put(kind: str) -> Handler:
    async def put_policy(call: IamCall) -> None:
        entity = await find_entity(call, kind)
        name = call.params.required("PolicyName", POLICY_NAME)
        document, size = read_document(call.params)
        await call.meta.iam_put_inline_policy(kind, entity.entity_id, name, document, size,
                                              INLINE_POLICY_SIZE[kind])
    return put_policy


def get(kind: str) -> Handler:
    async def get_policy(call: IamCall) -> XmlWriter:
        entity = await find_entity(call, kind)
        name = call.params.required("PolicyName", POLICY_NAME)
        document = await call.meta.iam_get_inline_policy(entity.entity_id, name)
        if document is None:
            raise NoSuchEntity(f"The {kind} policy with name {name} cannot be found.")
        w = call.result().element(ENTITY_PARAMS[kind][0], entity.name).element("PolicyName", name)
        return w.element("PolicyDocument", encoded(document))
    return get_policy


def delete(kind: str) -> Handler:
    async def delete_policy(call: IamCall) -> None:
        entity = await find_entity(call, kind)
        name = call.params.required("PolicyName", POLICY_NAME)
        await call.meta.iam_delete_inline_policy(kind, entity.entity_id, name)
    return delete_policy


def list_names(kind: str) -> Handler:
    async def list_policies(call: IamCall) -> XmlWriter:
        entity = await find_entity(call, kind)
        paged = paging(call.params)
        found = await call.meta.iam_list_inline_policies(entity.entity_id, paged.after_text(),
                                                         paged.max_items + 1)
        items, truncated = page(found, paged.max_items)
        w = call.result()
        render.names(w, items, "PolicyNames")
        write_truncation(w, truncated, encode_marker(items[-1]) if items else None)
        return w
    return list_policies
