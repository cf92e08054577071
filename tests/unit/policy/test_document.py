"""parse_policy / Policy: the public surface, the document fields, and the stdlib-only rule."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import ironbucket.policy as policy_package
from ironbucket.policy import Policy, PolicyKind, parse_policy
from tests.unit.policy.helpers import document, stmt

CONTRACT = {
    "PolicyKind",
    "PolicyError",
    "parse_policy",
    "Policy",
    "RequestContext",
    "PrincipalIdentity",
    "Decision",
    "PrincipalMatch",
    "StatementResult",
    "Evaluation",
    "evaluate",
    "is_public",
}


def test_exports_exactly_the_contract() -> None:
    assert set(policy_package.__all__) == CONTRACT
    for name in CONTRACT:
        assert hasattr(policy_package, name)


def test_imports_only_the_standard_library() -> None:
    root = Path(policy_package.__file__).parent
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or name.startswith("ironbucket.policy"), (path, name)


def test_fields() -> None:
    text = document(stmt(Sid="One"), stmt("Deny", "s3:PutObject"), version=None)
    compiled = parse_policy(text, PolicyKind.IDENTITY)
    assert isinstance(compiled, Policy)
    assert compiled.version == "2008-10-17"
    assert compiled.id is None
    assert compiled.text == text
    assert compiled.kind is PolicyKind.IDENTITY
    assert [(s.index, s.sid, s.effect) for s in compiled.statements] == [
        (0, "One", "Allow"),
        (1, None, "Deny"),
    ]
    assert compiled.principal_arns() == frozenset()


def test_text_is_verbatim_and_id_kept() -> None:
    text = (
        '{ "Id" : "Policy1",\n  "Version":"2012-10-17",  "Statement":{"Effect":"Allow","Principal":"*",'
        '"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"} }'
    )
    compiled = parse_policy(text, PolicyKind.RESOURCE)
    assert compiled.text == text
    assert compiled.id == "Policy1"
    assert compiled.version == "2012-10-17"


def test_policy_is_hashable_by_identity() -> None:
    text = document(stmt())
    first, second = parse_policy(text, PolicyKind.IDENTITY), parse_policy(text, PolicyKind.IDENTITY)
    assert first != second
    assert len({first, second, first}) == 2
