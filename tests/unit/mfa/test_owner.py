"""Whose devices an IAM MFA action is about: only the root user itself reaches the root user's."""

from __future__ import annotations

import pytest

from ironbucket.auth.principal import Principal, PrincipalType
from ironbucket.iam.errors import ValidationError
from ironbucket.iam.mfa_devices import mfa_owner

ROOT = Principal(PrincipalType.ACCOUNT, "111122223333", "arn:aws:iam::111122223333:root",
                 "111122223333", "c")
ADMIN = Principal(PrincipalType.USER, "111122223333", "arn:aws:iam::111122223333:user/admin",
                  "AIDAADMIN", "c", username="admin")
ROLE = Principal(PrincipalType.ASSUMED_ROLE, "111122223333",
                 "arn:aws:sts::111122223333:assumed-role/r/s", "AROA:s", "c")


@pytest.mark.parametrize(("principal", "given", "owner"), [
    (ROOT, None, None), (ROOT, "root", None), (ROOT, "alice", "alice"),
    (ADMIN, None, "admin"), (ADMIN, "root", "root"),  # an IAM user called root, never the root user
    (ADMIN, "alice", "alice"), (ROLE, "root", "root"),
])
def test_mfa_owner(principal: Principal, given: str | None, owner: str | None) -> None:
    assert mfa_owner(principal, given) == owner


def test_a_role_session_must_name_a_user() -> None:
    with pytest.raises(ValidationError):
        mfa_owner(ROLE, None)
