"""Key identifiers: key id, key ARN, alias name, alias ARN; anything else is NotFound."""

from __future__ import annotations

import pytest

from ironbucket.kms.errors import NotFoundException, ValidationException
from ironbucket.kms.identifiers import RefKind, parse, require_key

KID = "1234abcd-12ab-34cd-56ef-1234567890ab"
ROWS = [
    (KID, RefKind.KEY_ID, KID, None),
    (f"arn:aws:kms:us-east-1:111122223333:key/{KID}", RefKind.KEY_ARN, KID, "111122223333"),
    ("alias/my-key", RefKind.ALIAS, "alias/my-key", None),
    ("alias/aws/s3", RefKind.ALIAS, "alias/aws/s3", None),
    ("arn:aws:kms:us-east-1:444455556666:alias/shared", RefKind.ALIAS_ARN, "alias/shared", "444455556666"),
]


@pytest.mark.parametrize(("text", "kind", "value", "account"), ROWS, ids=[r[1].value for r in ROWS])
def test_parse(text: str, kind: RefKind, value: str, account: str | None) -> None:
    ref = parse(text)
    assert (ref.kind, ref.value, ref.account_id) == (kind, value, account)


@pytest.mark.parametrize("text", ["nope", KID.upper(), KID + "0", "arn:aws:kms:us-east-1:1:key/" + KID,
                                  "arn:aws:kms:us-east-1:111122223333:key/nope",
                                  "arn:aws:s3:::bucket"])
def test_not_an_identifier(text: str) -> None:
    with pytest.raises(NotFoundException):
        parse(text)


@pytest.mark.parametrize("text", ["", "a" * 2049])
def test_length(text: str) -> None:
    with pytest.raises(ValidationException):
        parse(text)


@pytest.mark.parametrize("text", ["alias/x", "arn:aws:kms:us-east-1:111122223333:alias/x"])
def test_key_only_operations_refuse_aliases(text: str) -> None:
    with pytest.raises(NotFoundException):
        require_key(parse(text))
