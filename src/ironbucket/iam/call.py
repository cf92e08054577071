"""What an IAM handler receives, and the lookups every handler shares (an entity by name, a
managed policy by ARN, the user a self-service action is about), each answering AWS's
NoSuchEntity when there is nothing to find."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from ironbucket.auth.principal import Principal, PrincipalType
from ironbucket.http.query_protocol import QueryContext, result_writer
from ironbucket.http.xml import XmlWriter
from ironbucket.iam.errors import InvalidInput, NoSuchEntity, ValidationError
from ironbucket.iam.params import EXISTING_USER_NAME, GROUP_NAME, ROLE_NAME, Params, Shape
from ironbucket.storage.interfaces import (
    IAM_GROUP,
    IAM_ROLE,
    IAM_USER,
    IamGroup,
    IamRole,
    IamUser,
    ManagedPolicy,
    MetadataStore,
)

_POLICY_ARN = re.compile(r"arn:aws:iam::([^:]*):policy(/(?:[^/]+/)*)([^/]+)")


@dataclass(slots=True)
class IamCall:
    ctx: QueryContext
    params: Params

    @classmethod
    def of(cls, ctx: QueryContext) -> IamCall:
        return cls(ctx, Params(ctx.params))

    @property
    def meta(self) -> MetadataStore:
        return self.ctx.services.meta

    @property
    def account_id(self) -> str:
        return self.ctx.account_id

    @property
    def now(self) -> float:
        return self.ctx.now

    @property
    def principal(self) -> Principal:
        return self.ctx.auth.principal

    def result(self) -> XmlWriter:
        return result_writer(self.ctx.action)


Handler = Callable[[IamCall], Awaitable[XmlWriter | None]]


async def find_user(call: IamCall, name: str) -> IamUser:
    user = await call.meta.iam_get_user(call.account_id, name)
    if user is None:
        raise NoSuchEntity(f"The user with name {name} cannot be found.")
    return user


async def find_group(call: IamCall, name: str) -> IamGroup:
    group = await call.meta.iam_get_group(call.account_id, name)
    if group is None:
        raise NoSuchEntity(f"The group with name {name} cannot be found.")
    return group


async def find_role(call: IamCall, name: str) -> IamRole:
    role = await call.meta.iam_get_role(call.account_id, name)
    if role is None:
        raise NoSuchEntity(f"The role with name {name} cannot be found.")
    return role


# The parameter naming a user, group or role in the actions that take any of the three.
ENTITY_PARAMS: dict[str, tuple[str, Shape]] = {
    IAM_USER: ("UserName", EXISTING_USER_NAME),
    IAM_GROUP: ("GroupName", GROUP_NAME),
    IAM_ROLE: ("RoleName", ROLE_NAME),
}


@dataclass(frozen=True, slots=True)
class Entity:
    kind: str
    name: str  # as stored (the request may spell it in another case)
    entity_id: str


async def find_entity(call: IamCall, kind: str) -> Entity:
    """The user, group or role named by the request's UserName / GroupName / RoleName."""
    param, shape = ENTITY_PARAMS[kind]
    name = call.params.required(param, shape)
    if kind == IAM_USER:
        user = await find_user(call, name)
        return Entity(kind, user.name, user.user_id)
    if kind == IAM_GROUP:
        group = await find_group(call, name)
        return Entity(kind, group.name, group.group_id)
    role = await find_role(call, name)
    return Entity(kind, role.name, role.role_id)


def parse_policy_arn(arn: str) -> tuple[str, str, str]:
    """(account, path, name) of a managed policy's ARN; InvalidInput if it is not one."""
    found = _POLICY_ARN.fullmatch(arn)
    if found is None:
        raise InvalidInput(f"ARN {arn} is not valid.")
    return found.group(1), found.group(2), found.group(3)


async def find_policy(call: IamCall, arn: str, *, attaching: bool = False) -> ManagedPolicy:
    """A customer-managed policy of the caller's account. AWS-managed policies (``arn:aws:iam::aws:``)
    are not provided by this server, so they are never found."""
    account, path, name = parse_policy_arn(arn)
    policy = await call.meta.iam_get_policy(call.account_id, name) if account == call.account_id else None
    if policy is None or policy.path != path:
        if attaching:
            raise NoSuchEntity(f"Policy {arn} does not exist or is not attachable.")
        raise NoSuchEntity(f"Policy {arn} was not found.")
    return policy


def caller_user_name(principal: Principal, given: str | None) -> str | None:
    """The user a self-service action (GetUser, CreateAccessKey, ...) is about: the one named, else
    the calling IAM user; None for the account's root user, who owns keys of its own."""
    if given is not None:
        return given
    if principal.type is PrincipalType.USER and principal.username:
        return principal.username
    if principal.is_root:
        return None
    raise ValidationError("Must specify userName when calling with non-User credentials")
