"""Policy documents at write time: the quota size, the library's verdict, the wire encoding."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from ironbucket.iam.documents import encoded, policy_size, read_document, validate
from ironbucket.iam.errors import LimitExceeded, MalformedPolicyDocument, ValidationError
from ironbucket.iam.params import Params
from tests.unit.iam.support import ALLOW_ALL, TRUST_EC2


def test_size_leaves_whitespace_out() -> None:
    assert policy_size('{ "a" :\n\t"b" }') == len('{"a":"b"}')


def test_kinds_are_validated() -> None:
    validate(ALLOW_ALL)
    validate(TRUST_EC2, trust=True)
    with pytest.raises(MalformedPolicyDocument):
        validate(ALLOW_ALL, trust=True)  # a trust policy names its Principal
    with pytest.raises(MalformedPolicyDocument):
        validate(TRUST_EC2)  # an identity policy may not


def test_read_document_checks_shape_then_quota() -> None:
    assert read_document(Params({"PolicyDocument": ALLOW_ALL})) == (ALLOW_ALL, policy_size(ALLOW_ALL))
    with pytest.raises(LimitExceeded, match="PolicySize: 10"):
        read_document(Params({"PolicyDocument": ALLOW_ALL}), quota=10)
    with pytest.raises(ValidationError):
        read_document(Params({"PolicyDocument": "\u0100"}))
    with pytest.raises(ValidationError):
        read_document(Params({}))


def test_documents_go_out_url_encoded() -> None:
    assert encoded(ALLOW_ALL).startswith("%7B%22Version%22")
    assert unquote(encoded(ALLOW_ALL)) == ALLOW_ALL
