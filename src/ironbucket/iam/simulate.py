"""SimulatePrincipalPolicy and SimulateCustomPolicy: the authorization engine answering "what if".
https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html

The very same ``decide`` the server enforces with runs here, so a simulation cannot disagree with
what a request would meet. Results name the decisive statements (policy and position).
"""

from __future__ import annotations

from ironbucket.auth.principal import Principal, PrincipalType, Session
from ironbucket.authz.engine import Labelled, Outcome, PolicySet, decide
from ironbucket.authz.grant import Check
from ironbucket.http.query_protocol import member_list, member_structs
from ironbucket.http.xml import XmlWriter
from ironbucket.iam.call import IamCall
from ironbucket.iam.errors import InvalidInput, MalformedPolicyDocument, NoSuchEntity
from ironbucket.iam.params import ARN
from ironbucket.policy import PolicyError, PolicyKind, parse_policy

MAX_ITEMS = 1000


def _parse(text: str, kind: PolicyKind, label: str) -> Labelled:
    try:
        return Labelled.of(label, parse_policy(text, kind))
    except PolicyError as exc:
        raise MalformedPolicyDocument(str(exc)) from None


def _inputs(call: IamCall, name: str, kind: PolicyKind, label: str) -> tuple[Labelled, ...]:
    return tuple(_parse(text, kind, f"{label}{i + 1}")
                 for i, text in enumerate(member_list(call.params.raw, name)))


def _context(call: IamCall) -> dict[str, tuple[str, ...]]:
    keys: dict[str, tuple[str, ...]] = {}
    for entry in member_structs(call.params.raw, "ContextEntries"):
        name = entry.get("ContextKeyName", "").lower()
        values = [v for k, v in sorted(entry.items(), key=lambda kv: kv[0])
                  if k.startswith("ContextKeyValues.member.")]
        if name:
            keys[name] = tuple(values)
    return keys


def _resource_policy(call: IamCall) -> Labelled | None:
    text = call.params.raw.get("ResourcePolicy")
    return _parse(text, PolicyKind.RESOURCE, "ResourcePolicy") if text else None


def _simulated_caller(call: IamCall, arn: str) -> Principal:
    """The principal a simulation reasons about, from an ARN (CallerArn or PolicySourceArn)."""
    account = arn.split(":")[4] if arn.count(":") >= 5 else call.account_id
    resource = arn.split(":", 5)[5] if arn.count(":") >= 5 else ""
    if resource.startswith("user/"):
        return Principal(type=PrincipalType.USER, account_id=account, arn=arn, user_id=arn,
                         canonical_id="", username=resource.rsplit("/", 1)[-1])
    if resource.startswith("role/"):
        session = Session(issued_at=call.now, expires_at=call.now + 3600, role_arn=arn)
        return Principal(type=PrincipalType.ASSUMED_ROLE, account_id=account, arn=arn, user_id=arn,
                         canonical_id="", session=session)
    return Principal(type=PrincipalType.ACCOUNT, account_id=account, arn=arn, user_id=account,
                     canonical_id="")


async def _source_policies(call: IamCall, source_arn: str) -> PolicySet:
    parts = source_arn.split(":", 5)
    kind = parts[5].split("/", 1)[0] if len(parts) == 6 else ""
    if kind not in ("user", "role") or parts[4] != call.account_id:
        raise InvalidInput("PolicySourceArn must name a user or role of this account.")
    found = await call.meta.iam_principal_policies(call.account_id, kind, parts[5].rsplit("/", 1)[-1])
    if not found.found:
        raise NoSuchEntity(f"No entity {source_arn} found.")
    identity = tuple(_parse(text, PolicyKind.IDENTITY, label) for label, text in found.identity)
    boundary = _parse(found.boundary[1], PolicyKind.IDENTITY, found.boundary[0]) if found.boundary else None
    return PolicySet(identity=identity, boundary=boundary)


async def simulate_principal_policy(call: IamCall) -> XmlWriter:
    source = call.params.required("PolicySourceArn", ARN)
    base = await _source_policies(call, source)
    extra = _inputs(call, "PolicyInputList", PolicyKind.IDENTITY, "PolicyInputList.")
    boundaries = _inputs(call, "PermissionsBoundaryPolicyInputList", PolicyKind.IDENTITY,
                         "PermissionsBoundaryPolicyInputList.")
    policies = PolicySet(identity=base.identity + extra,
                         boundary=boundaries[0] if boundaries else base.boundary,
                         resource=_resource_policy(call))
    caller = _simulated_caller(call, call.params.raw.get("CallerArn") or source)
    return _results(call, caller, policies)


async def simulate_custom_policy(call: IamCall) -> XmlWriter:
    identity = _inputs(call, "PolicyInputList", PolicyKind.IDENTITY, "PolicyInputList.")
    if not identity:
        raise InvalidInput("PolicyInputList must contain at least one policy.")
    boundaries = _inputs(call, "PermissionsBoundaryPolicyInputList", PolicyKind.IDENTITY,
                         "PermissionsBoundaryPolicyInputList.")
    policies = PolicySet(identity=identity, boundary=boundaries[0] if boundaries else None,
                         resource=_resource_policy(call))
    caller_arn = call.params.raw.get("CallerArn") or f"arn:aws:iam::{call.account_id}:user/simulated"
    return _results(call, _simulated_caller(call, caller_arn), policies)


def _results(call: IamCall, caller: Principal, policies: PolicySet) -> XmlWriter:
    actions = member_list(call.params.raw, "ActionNames")
    if not actions:
        raise InvalidInput("ActionNames must contain at least one action.")
    resources = member_list(call.params.raw, "ResourceArns") or ["*"]
    owner = call.params.raw.get("ResourceOwner") or call.account_id
    keys = _context(call)
    writer = call.result().start("EvaluationResults")
    count = 0
    for action in actions:
        for resource in resources:
            count += 1
            if count > MAX_ITEMS:
                break
            outcome = decide(caller, Check(action, resource, owner), policies, keys)
            _write_result(writer, action, resource, outcome)
    writer.end().element("IsTruncated", False)
    return writer


def _write_result(writer: XmlWriter, action: str, resource: str, outcome: Outcome) -> None:
    decision = "allowed" if outcome.allowed else "explicitDeny" if outcome.explicit_deny else "implicitDeny"
    writer.start("member").element("EvalActionName", action).element("EvalResourceName", resource)
    writer.element("EvalDecision", decision).start("MatchedStatements")
    for statement in outcome.matched:
        if (statement.effect == "Deny") != (decision == "explicitDeny"):
            continue  # the statements that decided, as AWS lists them
        writer.start("member").element("SourcePolicyId", statement.label)
        policy_type = "resource" if statement.label == "ResourcePolicy" else "IAM Policy"
        writer.element("SourcePolicyType", policy_type)
        writer.start("StartPosition").element("Line", statement.index + 1).element("Column", 1).end()
        writer.start("EndPosition").element("Line", statement.index + 1).element("Column", 1).end()
        writer.end()
    writer.end().start("MissingContextValues").end().end()
