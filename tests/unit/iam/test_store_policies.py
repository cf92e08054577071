"""The IAM store: inline and managed policies, versions, attachments, boundaries, and what the
policy engine reads about a principal."""

from __future__ import annotations

import pytest

from ironbucket.iam.ids import GROUP, POLICY, ROLE, USER, new_id
from ironbucket.storage.interfaces import (
    IAM_GROUP,
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
    ManagedPolicy,
    PolicyEntity,
)
from ironbucket.storage.sqlite import SqliteMetadataStore
from tests.unit.iam.support import NOW, OWNER, TRUST_EC2


async def _user(meta: SqliteMetadataStore, name: str, **kw: object) -> IamUser:
    await meta.iam_create_user(IamUser(account_id=OWNER, name=name, user_id=new_id(USER), created_at=NOW,
                                       **kw))  # type: ignore[arg-type]
    found = await meta.iam_get_user(OWNER, name)
    assert found is not None
    return found


async def _group(meta: SqliteMetadataStore, name: str) -> IamGroup:
    await meta.iam_create_group(IamGroup(account_id=OWNER, name=name, group_id=new_id(GROUP), created_at=NOW))
    found = await meta.iam_get_group(OWNER, name)
    assert found is not None
    return found


async def _role(meta: SqliteMetadataStore, name: str) -> IamRole:
    await meta.iam_create_role(IamRole(account_id=OWNER, name=name, role_id=new_id(ROLE),
                                       trust_policy=TRUST_EC2, created_at=NOW))
    found = await meta.iam_get_role(OWNER, name)
    assert found is not None
    return found


async def _policy(meta: SqliteMetadataStore, name: str, path: str = "/",
                  doc: str = "v1-doc") -> ManagedPolicy:
    await meta.iam_create_policy(ManagedPolicy(account_id=OWNER, name=name, policy_id=new_id(POLICY),
                                               path=path, created_at=NOW, updated_at=NOW), doc)
    found = await meta.iam_get_policy(OWNER, name)
    assert found is not None
    return found


async def test_inline_policies_share_the_entity_quota(meta: SqliteMetadataStore) -> None:
    alice = await _user(meta, "alice")
    await meta.iam_put_inline_policy(IAM_USER, alice.user_id, "a", "doc-a", 1000, 2048)
    await meta.iam_put_inline_policy(IAM_USER, alice.user_id, "b", "doc-b", 1048, 2048)
    with pytest.raises(IamQuotaExceeded, match="Maximum policy size of 2048 bytes exceeded for user alice"):
        await meta.iam_put_inline_policy(IAM_USER, alice.user_id, "c", "doc-c", 1, 2048)
    # Replacing a policy counts its new size only.
    await meta.iam_put_inline_policy(IAM_USER, alice.user_id, "b", "doc-b2", 1048, 2048)
    assert await meta.iam_get_inline_policy(alice.user_id, "b") == "doc-b2"
    assert await meta.iam_list_inline_policies(alice.user_id, None, 1) == ["a"]
    assert await meta.iam_list_inline_policies(alice.user_id, "a", 10) == ["b"]
    with pytest.raises(IamNoSuchEntity, match="The user policy with name zz cannot be found"):
        await meta.iam_delete_inline_policy(IAM_USER, alice.user_id, "zz")
    with pytest.raises(IamNoSuchEntity):
        await meta.iam_put_inline_policy(IAM_GROUP, "AGPAMISSING", "a", "d", 1, 10)


async def test_policy_versions(meta: SqliteMetadataStore) -> None:
    policy = await _policy(meta, "Read")
    with pytest.raises(IamEntityExists, match="A policy called READ already exists"):
        await _policy(meta, "READ", "/other/")
    v2 = await meta.iam_create_policy_version(policy.policy_id, "v2-doc", False, NOW + 1, 5)
    assert (v2.version_id, v2.is_default) == ("v2", False)
    for i in range(3):
        await meta.iam_create_policy_version(policy.policy_id, f"doc{i}", i == 2, NOW + 2, 5)
    with pytest.raises(IamQuotaExceeded, match="up to 5 versions"):
        await meta.iam_create_policy_version(policy.policy_id, "too many", False, NOW, 5)
    versions = await meta.iam_list_policy_versions(policy.policy_id)
    assert [(v.version_id, v.is_default) for v in versions] == [
        ("v5", True), ("v4", False), ("v3", False), ("v2", False), ("v1", False)]
    with pytest.raises(IamEntityInUse, match="default version"):
        await meta.iam_delete_policy_version(policy.policy_id, "v5")
    with pytest.raises(IamEntityInUse, match="more than one version"):
        await meta.iam_delete_policy(policy.policy_id)
    await meta.iam_set_default_policy_version(policy.policy_id, "v1", NOW + 3)
    for v in ("v2", "v3", "v4", "v5"):
        await meta.iam_delete_policy_version(policy.policy_id, v)
    # Version ids keep counting up: a deleted id is never reused.
    v6 = await meta.iam_create_policy_version(policy.policy_id, "v6-doc", True, NOW + 4, 5)
    assert v6.version_id == "v6"
    got = await meta.iam_get_policy_version(policy.policy_id, "v6")
    assert got is not None and got.document == "v6-doc" and got.is_default
    assert await meta.iam_get_policy_version(policy.policy_id, "v2") is None
    with pytest.raises(IamNoSuchEntity, match="version v9 does not exist"):
        await meta.iam_set_default_policy_version(policy.policy_id, "v9", NOW)
    reread = await meta.iam_get_policy(OWNER, "read")
    assert reread is not None and reread.default_version == "v6" and reread.updated_at == NOW + 4


async def test_attachments_counts_and_deletion(meta: SqliteMetadataStore) -> None:
    policy = await _policy(meta, "P")
    alice, devs, app = await _user(meta, "alice"), await _group(meta, "devs"), await _role(meta, "app")
    await meta.iam_attach_policy(IAM_USER, alice.user_id, policy.policy_id, 10)
    await meta.iam_attach_policy(IAM_USER, alice.user_id, policy.policy_id, 10)  # again: no change
    await meta.iam_attach_policy(IAM_GROUP, devs.group_id, policy.policy_id, 10)
    await meta.iam_set_boundary(IAM_ROLE, app.role_id, policy.policy_id)
    counted = await meta.iam_get_policy(OWNER, "P")
    assert counted is not None and (counted.attachment_count, counted.boundary_usage_count) == (2, 1)
    role = await meta.iam_get_role(OWNER, "app")
    assert role is not None and role.permissions_boundary == policy.arn
    assert [p.name for p in await meta.iam_attached_policies(alice.user_id)] == ["P"]
    with pytest.raises(IamEntityInUse, match="attached to entities"):
        await meta.iam_delete_policy(policy.policy_id)
    with pytest.raises(IamEntityInUse, match="detach all policies"):
        await meta.iam_delete_user(alice.user_id)
    entities = await meta.iam_list_policy_entities(policy.policy_id, None, None, "/", None, 10)
    assert entities == [PolicyEntity(IAM_GROUP, "devs", devs.group_id),
                        PolicyEntity(IAM_ROLE, "app", app.role_id),
                        PolicyEntity(IAM_USER, "alice", alice.user_id)]
    only_users = await meta.iam_list_policy_entities(policy.policy_id, None, IAM_USER, "/", None, 10)
    assert [e.name for e in only_users] == ["alice"]
    bounds = await meta.iam_list_policy_entities(policy.policy_id, PERMISSIONS_BOUNDARY, None, "/", None, 10)
    assert [e.name for e in bounds] == ["app"]
    first = await meta.iam_list_policy_entities(policy.policy_id, PERMISSIONS_POLICY, None, "/", None, 1)
    rest = await meta.iam_list_policy_entities(policy.policy_id, PERMISSIONS_POLICY, None, "/",
                                               (first[0].kind, first[0].name), 10)
    assert [e.name for e in first + rest] == ["devs", "alice"]
    await meta.iam_detach_policy(IAM_USER, alice.user_id, policy.policy_id)
    with pytest.raises(IamNoSuchEntity, match="was not found"):
        await meta.iam_detach_policy(IAM_USER, alice.user_id, policy.policy_id)
    await meta.iam_detach_policy(IAM_GROUP, devs.group_id, policy.policy_id)
    await meta.iam_delete_role(app.role_id)  # a boundary does not hold a role back
    await meta.iam_delete_policy(policy.policy_id)
    assert await meta.iam_get_policy(OWNER, "P") is None


async def test_attachment_quota_and_listing_filters(meta: SqliteMetadataStore) -> None:
    alice = await _user(meta, "alice")
    policies = [await _policy(meta, f"p{i}", "/team/" if i % 2 else "/") for i in range(4)]
    for p in policies[:3]:
        await meta.iam_attach_policy(IAM_USER, alice.user_id, p.policy_id, 3)
    with pytest.raises(IamQuotaExceeded, match="PoliciesPerUser: 3"):
        await meta.iam_attach_policy(IAM_USER, alice.user_id, policies[3].policy_id, 3)
    await meta.iam_set_boundary(IAM_USER, alice.user_id, policies[3].policy_id)
    listed = await meta.iam_list_policies(OWNER, "/", None, 10)
    assert [p.name for p in listed] == ["p0", "p2", "p1", "p3"]
    assert [p.name for p in await meta.iam_list_policies(OWNER, "/team/", None, 10)] == ["p1", "p3"]
    attached_only = await meta.iam_list_policies(OWNER, "/", None, 10, usage=PERMISSIONS_POLICY)
    assert [p.name for p in attached_only] == ["p0", "p2", "p1"]
    bounding = await meta.iam_list_policies(OWNER, "/", None, 10, usage=PERMISSIONS_BOUNDARY)
    assert [p.name for p in bounding] == ["p3"]
    await meta.iam_set_boundary(IAM_USER, alice.user_id, None)
    assert len(await meta.iam_list_policies(OWNER, "/", None, 10, only_attached=True)) == 3


async def test_boundary_at_creation_must_exist(meta: SqliteMetadataStore) -> None:
    policy = await _policy(meta, "Bound", "/b/")
    bounded = await _user(meta, "bounded", permissions_boundary=policy.arn)
    assert bounded.permissions_boundary == policy.arn
    missing = f"arn:aws:iam::{OWNER}:policy/Bound"  # wrong path
    with pytest.raises(IamNoSuchEntity, match="Scope ARN"):
        await _user(meta, "other", permissions_boundary=missing)
    assert await meta.iam_get_user(OWNER, "other") is None  # all or nothing


async def test_principal_policies_gather_everything_that_applies(meta: SqliteMetadataStore) -> None:
    managed = await _policy(meta, "Managed", doc="managed-v1")
    await meta.iam_create_policy_version(managed.policy_id, "managed-v2", True, NOW, 5)
    boundary = await _policy(meta, "Boundary", doc="boundary-doc")
    alice, devs = await _user(meta, "alice"), await _group(meta, "devs")
    await meta.iam_put_inline_policy(IAM_USER, alice.user_id, "Own", "own-doc", 1, 2048)
    await meta.iam_attach_policy(IAM_USER, alice.user_id, managed.policy_id, 10)
    await meta.iam_put_inline_policy(IAM_GROUP, devs.group_id, "Team", "team-doc", 1, 5120)
    await meta.iam_attach_policy(IAM_GROUP, devs.group_id, managed.policy_id, 10)
    await meta.iam_add_group_member(devs.group_id, alice.user_id, 10)
    await meta.iam_set_boundary(IAM_USER, alice.user_id, boundary.policy_id)
    found = await meta.iam_principal_policies(OWNER, IAM_USER, "ALICE")
    assert found.found
    assert found.identity == (
        ("user/alice/inline/Own", "own-doc"),
        (f"user/alice/managed/{managed.arn}", "managed-v2"),
        ("group/devs/inline/Team", "team-doc"),
        (f"group/devs/managed/{managed.arn}", "managed-v2"),
    )
    assert found.boundary == (f"boundary/{boundary.arn}", "boundary-doc")
    # Cached, and invalidated by the next configuration change.
    assert await meta.iam_principal_policies(OWNER, IAM_USER, "alice") is found
    await meta.iam_delete_inline_policy(IAM_USER, alice.user_id, "Own")
    again = await meta.iam_principal_policies(OWNER, IAM_USER, "alice")
    assert "user/alice/inline/Own" not in dict(again.identity)
    assert not (await meta.iam_principal_policies(OWNER, IAM_USER, "nobody")).found
    app = await _role(meta, "app")
    await meta.iam_put_inline_policy(IAM_ROLE, app.role_id, "R", "role-doc", 1, 10240)
    role_policies = await meta.iam_principal_policies(OWNER, IAM_ROLE, "app")
    assert role_policies.identity == (("role/app/inline/R", "role-doc"),) and role_policies.boundary is None
    with pytest.raises(ValueError, match="users and roles"):
        await meta.iam_principal_policies(OWNER, IAM_GROUP, "devs")
