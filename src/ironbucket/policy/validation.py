"""Structural rules of a policy document, checked once at parse time.

Field names are case-sensitive. Messages follow AWS's wording (IAM's MalformedPolicyDocument
and S3's MalformedPolicy) where it is known, with the offending value appended.
"""

from __future__ import annotations

import re
from typing import Any

from ironbucket.policy.errors import PolicyError
from ironbucket.policy.jsondoc import is_text
from ironbucket.policy.model import PolicyKind

VERSIONS = ("2012-10-17", "2008-10-17")
DEFAULT_VERSION = "2008-10-17"
MAX_STATEMENTS = 1000
TOP_FIELDS = frozenset({"Version", "Id", "Statement"})
STATEMENT_FIELDS = frozenset(
    {
        "Sid",
        "Effect",
        "Principal",
        "NotPrincipal",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Condition",
    }
)
_IAM_SID = re.compile(r"[0-9A-Za-z]*")
_IAM_KINDS = (PolicyKind.IDENTITY, PolicyKind.TRUST)


def check_top(document: dict[str, Any]) -> tuple[str, str | None, list[dict[str, Any]]]:
    """(Version, Id, statement objects) of a parsed document."""
    for name in document:
        if name not in TOP_FIELDS:
            raise PolicyError(f"Unknown field {name}")
    version = document.get("Version", DEFAULT_VERSION)
    if not isinstance(version, str) or version not in VERSIONS:
        raise PolicyError(f"The policy failed legacy parsing: invalid Version {version}")
    policy_id = document.get("Id")
    if policy_id is not None and not is_text(policy_id):
        raise PolicyError(f"Syntax errors in policy: Id must be a string, not {policy_id}")
    if "Statement" not in document:
        raise PolicyError("Missing required field Statement")
    raw = document["Statement"]
    statements = raw if isinstance(raw, list) else [raw]
    if not statements:
        raise PolicyError("Could not parse the policy: Statement is empty!")
    if len(statements) > MAX_STATEMENTS:
        raise PolicyError(f"Policy has too many statements: {len(statements)} (at most {MAX_STATEMENTS})")
    for statement in statements:
        if not isinstance(statement, dict):
            raise PolicyError(f"Statement is not valid: {statement}")
    return version, policy_id, statements


def _exclusive(statement: dict[str, Any], positive: str, negative: str) -> str | None:
    """Which of the two alternative fields the statement uses (None: neither)."""
    if positive in statement and negative in statement:
        raise PolicyError(f"Statement is not valid: it has both {positive} and {negative}")
    if positive in statement:
        return positive
    return negative if negative in statement else None


def check_statement(
    statement: dict[str, Any], kind: PolicyKind
) -> tuple[str | None, str, str, str, str | None]:
    """(Sid, Effect, action field, principal field or "", resource field or None)."""
    for name in statement:
        if name not in STATEMENT_FIELDS:
            raise PolicyError(f"Unknown field {name}")
    sid = statement.get("Sid")
    if sid is not None:
        if not is_text(sid):
            raise PolicyError(f"Statement is not valid: Sid must be a string, not {sid}")
        if kind in _IAM_KINDS and not _IAM_SID.fullmatch(sid):
            raise PolicyError(
                "Statement IDs (SID) must be alpha-numeric. "
                f"Check that your input satisfies the regular expression [0-9A-Za-z]*: {sid}"
            )
    if "Effect" not in statement:
        raise PolicyError("Missing required field Effect")
    effect = statement["Effect"]
    if effect not in ("Allow", "Deny") or not isinstance(effect, str):
        raise PolicyError(f"Invalid effect: {effect}")
    action_field = _exclusive(statement, "Action", "NotAction")
    if action_field is None:
        raise PolicyError("Missing required field Action")
    principal_field = _exclusive(statement, "Principal", "NotPrincipal")
    if kind is PolicyKind.IDENTITY:
        if principal_field is not None:
            raise PolicyError(
                f"Policy document should not specify a principal: has prohibited field {principal_field}"
            )
    elif principal_field is None:
        raise PolicyError("Missing required field Principal")
    resource_field = _exclusive(statement, "Resource", "NotResource")
    if kind is PolicyKind.TRUST:
        if resource_field is not None:
            raise PolicyError(f"Has prohibited field {resource_field}")
    elif resource_field is None:
        raise PolicyError("Missing required field Resource")
    return sid, effect, action_field, principal_field or "", resource_field


def check_unique_sids(sids: list[str | None], kind: PolicyKind) -> None:
    """IAM (identity and trust policies) rejects repeated Sids; S3 bucket policies accept them."""
    if kind not in _IAM_KINDS:
        return
    named = [sid for sid in sids if sid]
    if len(set(named)) != len(named):
        raise PolicyError("Statement IDs (SID) in a single policy must be unique.")


def string_list(value: object, field: str, message: str) -> list[str]:
    """An element that is a string or a non-empty list of strings."""
    items = value if isinstance(value, list) else [value]
    if not items:
        raise PolicyError(f"{message}: {field} is an empty list")
    for item in items:
        if not is_text(item):
            raise PolicyError(f"{message}: {item}")
    return [str(item) for item in items]
