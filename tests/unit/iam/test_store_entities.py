"""The IAM store: users, groups and roles, their names, paths, pages, renames and deletion rules."""

from __future__ import annotations

import pytest

from ironbucket.iam.ids import GROUP, ROLE, USER, new_id
from ironbucket.storage.interfaces import (
    IAM_ROLE,
    IAM_USER,
    AccessKey,
    IamEntityExists,
    IamEntityInUse,
    IamGroup,
    IamNoSuchEntity,
    IamQuotaExceeded,
    IamRole,
    IamUser,
)
from ironbucket.storage.sqlite import SqliteMetadataStore
from tests.unit.iam.support import NOW, OTHER, OWNER, TRUST_EC2


def user(name: str, path: str = "/", account_id: str = OWNER, **kw: object) -> IamUser:
    return IamUser(account_id=account_id, name=name, user_id=new_id(USER), path=path, created_at=NOW,
                   **kw)  # type: ignore[arg-type]


def group(name: str, path: str = "/") -> IamGroup:
    return IamGroup(account_id=OWNER, name=name, group_id=new_id(GROUP), path=path,
                    created_at=NOW)


def role(name: str, path: str = "/") -> IamRole:
    return IamRole(account_id=OWNER, name=name, role_id=new_id(ROLE),
                   trust_policy=TRUST_EC2, path=path, created_at=NOW)


async def test_names_are_unique_per_account_without_regard_to_case(meta: SqliteMetadataStore) -> None:
    await meta.iam_create_user(user("Alice", tags={"team": "x"}))
    with pytest.raises(IamEntityExists, match="User with name alice already exists"):
        await meta.iam_create_user(user("alice"))
    await meta.iam_create_user(user("alice", account_id=OTHER))  # another account: fine
    found = await meta.iam_get_user(OWNER, "ALICE")
    assert found is not None and found.name == "Alice" and dict(found.tags) == {"team": "x"}
    assert found.arn == f"arn:aws:iam::{OWNER}:user/Alice"
    assert await meta.iam_get_user(OWNER, "bob") is None


async def test_users_page_by_path_then_name(meta: SqliteMetadataStore) -> None:
    for name, path in [("d", "/"), ("B", "/"), ("a", "/eng/"), ("c", "/eng/x/"), ("e", "/ops/")]:
        await meta.iam_create_user(user(name, path))
    everyone = await meta.iam_list_users(OWNER, "/", None, 100)
    assert [(u.path, u.name) for u in everyone] == [("/", "B"), ("/", "d"), ("/eng/", "a"),
                                                   ("/eng/x/", "c"), ("/ops/", "e")]
    first = await meta.iam_list_users(OWNER, "/", None, 2)
    rest = await meta.iam_list_users(OWNER, "/", (first[-1].path, first[-1].name), 100)
    assert [u.name for u in first + rest] == [u.name for u in everyone]
    assert [u.name for u in await meta.iam_list_users(OWNER, "/eng/", None, 100)] == ["a", "c"]
    assert [u.name for u in await meta.iam_list_users(OWNER, "/eng/x", None, 100)] == ["c"]
    assert await meta.iam_list_users(OTHER, "/", None, 100) == []


async def test_rename_moves_memberships_attachments_and_keys(meta: SqliteMetadataStore) -> None:
    await meta.iam_create_user(user("alice"))
    await meta.iam_create_group(group("devs"))
    alice = await meta.iam_get_user(OWNER, "alice")
    devs = await meta.iam_get_group(OWNER, "devs")
    assert alice is not None and devs is not None
    await meta.iam_add_group_member(devs.group_id, alice.user_id, 10)
    key = AccessKey(access_key_id="AKIAALICE0000000001", account_id=OWNER, owner_kind="user",
                    owner_name="alice", sealed_secret=b"s", created_at=NOW)
    await meta.iam_create_access_key(key, alice.user_id, 2)
    await meta.iam_create_user(user("zed"))
    with pytest.raises(IamEntityExists):
        await meta.iam_update_user(alice.user_id, "ZED", None)
    await meta.iam_update_user(alice.user_id, "alicia", "/new/")
    assert await meta.iam_get_user(OWNER, "alice") is None
    renamed = await meta.iam_get_user(OWNER, "alicia")
    assert renamed is not None and renamed.arn.endswith(":user/new/alicia")
    assert [u.name for u in await meta.iam_list_group_members(devs.group_id, None, 10)] == ["alicia"]
    stored = await meta.get_access_key(key.access_key_id)
    assert stored is not None and stored.owner_name == "alicia"
    await meta.iam_update_group(devs.group_id, "developers", None)
    assert [g.name for g in await meta.iam_list_user_groups(alice.user_id, None, 10)] == ["developers"]


async def test_membership_pages_and_quota(meta: SqliteMetadataStore) -> None:
    await meta.iam_create_user(user("u"))
    u = await meta.iam_get_user(OWNER, "u")
    assert u is not None
    for i in range(3):
        await meta.iam_create_group(group(f"g{i}"))
        g = await meta.iam_get_group(OWNER, f"g{i}")
        assert g is not None
        await meta.iam_add_group_member(g.group_id, u.user_id, 3)
        await meta.iam_add_group_member(g.group_id, u.user_id, 3)  # again: no change
    await meta.iam_create_group(group("g3"))
    g3 = await meta.iam_get_group(OWNER, "g3")
    assert g3 is not None
    with pytest.raises(IamQuotaExceeded, match="GroupsPerUser: 3"):
        await meta.iam_add_group_member(g3.group_id, u.user_id, 3)
    page1 = await meta.iam_list_user_groups(u.user_id, None, 2)
    page2 = await meta.iam_list_user_groups(u.user_id, page1[-1].name, 2)
    assert [g.name for g in page1 + page2] == ["g0", "g1", "g2"]
    with pytest.raises(IamNoSuchEntity):
        await meta.iam_remove_group_member(g3.group_id, u.user_id)


async def test_delete_user_refuses_while_it_holds_anything(meta: SqliteMetadataStore) -> None:
    await meta.iam_create_user(user("alice"))
    await meta.iam_create_group(group("devs"))
    alice = await meta.iam_get_user(OWNER, "alice")
    devs = await meta.iam_get_group(OWNER, "devs")
    assert alice is not None and devs is not None
    await meta.iam_add_group_member(devs.group_id, alice.user_id, 10)
    with pytest.raises(IamEntityInUse, match="remove users from group"):
        await meta.iam_delete_user(alice.user_id)
    with pytest.raises(IamEntityInUse, match="remove users from group"):
        await meta.iam_delete_group(devs.group_id)
    await meta.iam_remove_group_member(devs.group_id, alice.user_id)
    await meta.iam_put_inline_policy(IAM_USER, alice.user_id, "p", "{}", 2, 2048)
    with pytest.raises(IamEntityInUse, match="delete policies first"):
        await meta.iam_delete_user(alice.user_id)
    await meta.iam_delete_inline_policy(IAM_USER, alice.user_id, "p")
    await meta.iam_delete_user(alice.user_id)
    await meta.iam_delete_group(devs.group_id)
    assert await meta.iam_get_user(OWNER, "alice") is None
    with pytest.raises(IamNoSuchEntity):
        await meta.iam_delete_user(alice.user_id)


async def test_roles_update_and_tags(meta: SqliteMetadataStore) -> None:
    await meta.iam_create_role(role("app", "/svc/"))
    app = await meta.iam_get_role(OWNER, "APP")
    assert app is not None and app.max_session_duration == 3600 and app.description is None
    await meta.iam_update_role(app.role_id, description="d", max_session_duration=7200)
    await meta.iam_update_role(app.role_id, trust_policy="{}")
    await meta.iam_tag(IAM_ROLE, app.role_id, {"a": "1", "b": "2"}, (), 50)
    await meta.iam_tag(IAM_ROLE, app.role_id, {"c": "3"}, ("a",), 50)
    with pytest.raises(IamQuotaExceeded):
        await meta.iam_tag(IAM_ROLE, app.role_id, {"x": "1"}, (), 2)
    changed = await meta.iam_get_role(OWNER, "app")
    assert changed is not None
    assert (changed.description, changed.max_session_duration, changed.trust_policy) == ("d", 7200, "{}")
    assert dict(changed.tags) == {"b": "2", "c": "3"}
    assert [r.name for r in await meta.iam_list_roles(OWNER, "/svc/", None, 10)] == ["app"]
    await meta.iam_delete_role(app.role_id)
    assert await meta.iam_get_role(OWNER, "app") is None
