"""The KMS catalog against botocore's kms model: every operation is implemented or refused on
purpose, and every IAM action it checks is one KMS defines."""

from __future__ import annotations

import botocore.session

from ironbucket.kms.catalog import CATALOG, NOT_IMPLEMENTED
from ironbucket.policy.actions import KNOWN

MODEL = botocore.session.get_session().get_service_model("kms")


def test_every_operation_is_known() -> None:
    names = set(MODEL.operation_names)
    assert names == set(CATALOG) | NOT_IMPLEMENTED
    assert not set(CATALOG) & NOT_IMPLEMENTED


def test_actions_are_kms_actions() -> None:
    for operation in CATALOG.values():
        service, _, name = operation.action.partition(":")
        assert service == "kms" and name.lower() in KNOWN["kms"], operation
