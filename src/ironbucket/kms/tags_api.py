"""TagResource, UntagResource, ListResourceTags. Tags are enforced: a key's tags are the
``aws:ResourceTag/<k>`` condition keys of every check on it."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from ironbucket.authz.context import Keys
from ironbucket.kms import states
from ironbucket.kms.access import authorized_key
from ironbucket.kms.call import KmsCall
from ironbucket.kms.errors import InvalidMarkerException, LimitExceededException, TagException
from ironbucket.kms.render import page

MAX_TAGS = 50


def parse_tags(items: Sequence[dict[str, Any]]) -> dict[str, str]:
    tags: dict[str, str] = {}
    for item in items:
        key, value = item.get("TagKey"), item.get("TagValue")
        if not isinstance(key, str) or not isinstance(value, str):
            raise TagException("Each tag needs a TagKey and a TagValue.")
        if not 1 <= len(key) <= 128 or len(value) > 256:
            raise TagException("Tag keys are 1 to 128 characters, tag values at most 256.")
        if key.lower().startswith("aws:"):
            raise TagException("Tags beginning with aws: are reserved.")
        tags[key] = value
    if len(tags) > MAX_TAGS:
        raise LimitExceededException(f"A key can have at most {MAX_TAGS} tags.")
    return tags


async def tag_resource(call: KmsCall) -> None:
    tags = parse_tags(call.params.structs("Tags"))
    extra: Keys = {f"aws:requesttag/{k.lower()}": (v,) for k, v in tags.items()}
    extra["aws:tagkeys"] = tuple(tags)
    key = await authorized_key(call, call.params.required("KeyId"), "kms:TagResource",
                               aliases=False, extra=extra)
    states.admit(key, "TagResource")
    merged = {**key.tags, **tags}
    if len(merged) > MAX_TAGS:
        raise LimitExceededException(f"A key can have at most {MAX_TAGS} tags.")
    await call.meta.kms_put_key(dataclasses.replace(key, tags=merged))


async def untag_resource(call: KmsCall) -> None:
    names = call.params.string_list("TagKeys")
    key = await authorized_key(call, call.params.required("KeyId"), "kms:UntagResource",
                               aliases=False, extra={"aws:tagkeys": tuple(names)})
    states.admit(key, "UntagResource")
    await call.meta.kms_put_key(dataclasses.replace(
        key, tags={k: v for k, v in key.tags.items() if k not in names}))


async def list_resource_tags(call: KmsCall) -> dict[str, Any]:
    limit = call.params.integer("Limit", 1, 50) or 50
    marker = call.params.string("Marker", max_len=1024) or ""
    key = await authorized_key(call, call.params.required("KeyId"), "kms:ListResourceTags",
                               aliases=False)
    names = sorted(key.tags)
    if marker and marker not in key.tags:
        raise InvalidMarkerException()
    after = names[names.index(marker) + 1:] if marker else names
    items, paging = page(after, limit, lambda k: k)
    return {"Tags": [{"TagKey": k, "TagValue": key.tags[k]} for k in items], **paging}
