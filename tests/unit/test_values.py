"""value_class: plain slots dataclasses at run time, frozen to mypy, hashed like frozen ones."""

from __future__ import annotations

import dataclasses
import textwrap
from pathlib import Path

import pytest
from mypy import api as mypy_api

from ironbucket.auth.authentication import Authentication
from ironbucket.auth.principal import ANONYMOUS
from ironbucket.authz.grant import AccessGrant, Check, mint
from ironbucket.http.addressing import Address


def test_equal_by_fields_and_hashable_like_a_frozen_dataclass() -> None:
    a, b = Check("s3:GetObject", "arn:aws:s3:::b/k", None), Check("s3:GetObject", "arn:aws:s3:::b/k", None)
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert a != Check("s3:PutObject", "arn:aws:s3:::b/k", None)
    assert {Address("b", "k"): 1}[Address("b", "k")] == 1
    assert not hasattr(a, "__dict__")  # slots: no stray attributes
    with pytest.raises(AttributeError):
        a.extra = 1  # type: ignore[attr-defined]


def test_replace_builds_a_new_value() -> None:
    a = Address("b", "k")
    b = dataclasses.replace(a, bucket="c")
    assert (a.bucket, b.bucket, b.key) == ("b", "c", "k")


def test_the_grant_stays_frozen_at_run_time() -> None:
    grant = mint(ANONYMOUS, (Check("s3:GetObject", "*", None),))
    with pytest.raises(dataclasses.FrozenInstanceError):
        grant.checks = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        AccessGrant(ANONYMOUS, (), object())


def test_mypy_refuses_assignments_to_their_fields(tmp_path: Path) -> None:
    source = tmp_path / "assign.py"
    source.write_text(textwrap.dedent("""
        from ironbucket.auth.authentication import Authentication
        from ironbucket.authz.grant import Check
        from ironbucket.http.addressing import Address

        def change(check: Check, address: Address, auth: Authentication) -> None:
            check.action = "s3:*"
            address.bucket = "other"
            auth.access_key_id = None
        """))
    out, _, status = mypy_api.run(["--strict", "--no-incremental", "--follow-imports=silent", str(source)])
    assert status == 1
    assert out.count('is read-only') == 3, out
    assert Authentication.__dataclass_params__.frozen is False  # type: ignore[attr-defined]
