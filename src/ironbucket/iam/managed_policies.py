"""Customer-managed policies and their versions: CreatePolicy, GetPolicy, DeletePolicy,
ListPolicies, CreatePolicyVersion, GetPolicyVersion, ListPolicyVersions, DeletePolicyVersion,
SetDefaultPolicyVersion. A policy keeps at most 5 versions; exactly one is the default, the one
that applies. This server has no AWS-managed policies (``Scope=AWS`` lists nothing)."""

from __future__ import annotations

from ironbucket.http.xml import XmlWriter
from ironbucket.iam import ids, render
from ironbucket.iam.call import IamCall, find_policy
from ironbucket.iam.documents import MANAGED_POLICY_SIZE, read_document
from ironbucket.iam.errors import NoSuchEntity
from ironbucket.iam.paging import encode_marker, page, paging, write_truncation
from ironbucket.iam.params import ARN, POLICY_DESCRIPTION, POLICY_NAME, POLICY_PATH, VERSION_ID
from ironbucket.storage.interfaces import PERMISSIONS_BOUNDARY, PERMISSIONS_POLICY, ManagedPolicy

VERSIONS_PER_POLICY = 5


def _document(call: IamCall) -> str:
    text, _ = read_document(call.params, quota=MANAGED_POLICY_SIZE, quota_name="PolicySize")
    return text


async def _policy(call: IamCall) -> ManagedPolicy:
    return await find_policy(call, call.params.required("PolicyArn", ARN))


async def create_policy(call: IamCall) -> XmlWriter:
    p = call.params
    name = p.required("PolicyName", POLICY_NAME)
    path = p.optional("Path", POLICY_PATH) or "/"
    description = p.optional("Description", POLICY_DESCRIPTION)
    tags = p.tags()
    document = _document(call)
    policy = ManagedPolicy(account_id=call.account_id, name=name, policy_id=ids.new_id(ids.POLICY),
                           path=path, created_at=call.now, updated_at=call.now, default_version="v1",
                           description=description, tags=tags)
    await call.meta.iam_create_policy(policy, document)
    w = call.result()
    render.policy(w, policy)
    return w


async def get_policy(call: IamCall) -> XmlWriter:
    w = call.result()
    render.policy(w, await _policy(call))
    return w


async def delete_policy(call: IamCall) -> None:
    await call.meta.iam_delete_policy((await _policy(call)).policy_id)


async def list_policies(call: IamCall) -> XmlWriter:
    p = call.params
    scope = p.choice("Scope", ("All", "AWS", "Local")) or "All"
    only_attached = bool(p.boolean("OnlyAttached"))
    usage = p.choice("PolicyUsageFilter", (PERMISSIONS_POLICY, PERMISSIONS_BOUNDARY))
    prefix = p.optional("PathPrefix", POLICY_PATH) or "/"
    paged = paging(p)
    found: list[ManagedPolicy] = []
    if scope != "AWS":
        found = await call.meta.iam_list_policies(call.account_id, prefix, paged.after_pair(),
                                                  paged.max_items + 1, only_attached=only_attached,
                                                  usage=usage)
    items, truncated = page(found, paged.max_items)
    w = call.result().start("Policies")
    for policy in items:
        render.policy(w, policy, "member", full=False)
    w.end()
    last = items[-1] if items else None
    write_truncation(w, truncated, encode_marker(last.path, last.name) if last else None)
    return w


async def create_policy_version(call: IamCall) -> XmlWriter:
    policy = await _policy(call)
    document = _document(call)
    set_default = bool(call.params.boolean("SetAsDefault"))
    version = await call.meta.iam_create_policy_version(policy.policy_id, document, set_default, call.now,
                                                        VERSIONS_PER_POLICY)
    w = call.result()
    render.version(w, version, document=False)
    return w


def _version_id(call: IamCall) -> str:
    return call.params.required("VersionId", VERSION_ID)


async def get_policy_version(call: IamCall) -> XmlWriter:
    policy = await _policy(call)
    version_id = _version_id(call)
    version = await call.meta.iam_get_policy_version(policy.policy_id, version_id)
    if version is None:
        raise NoSuchEntity(f"Policy {policy.arn} version {version_id} does not exist.")
    w = call.result()
    render.version(w, version)
    return w


async def list_policy_versions(call: IamCall) -> XmlWriter:
    policy = await _policy(call)
    paged = paging(call.params)
    versions = await call.meta.iam_list_policy_versions(policy.policy_id)
    after = paged.after_text()
    if after is not None:
        versions = versions[next((i + 1 for i, v in enumerate(versions) if v.version_id == after),
                                 len(versions)):]
    items, truncated = page(versions, paged.max_items)
    w = call.result().start("Versions")
    for version in items:
        render.version(w, version, "member", document=False)
    w.end()
    write_truncation(w, truncated, encode_marker(items[-1].version_id) if items else None)
    return w


async def delete_policy_version(call: IamCall) -> None:
    policy = await _policy(call)
    await call.meta.iam_delete_policy_version(policy.policy_id, _version_id(call))


async def set_default_policy_version(call: IamCall) -> None:
    policy = await _policy(call)
    await call.meta.iam_set_default_policy_version(policy.policy_id, _version_id(call), call.now)
