"""The AccessControlPolicy document: parsing (MalformedACLError / InvalidArgument) and rendering."""

from __future__ import annotations

import pytest

from ironbucket.api.acl_xml import parse_policy, render_policy
from ironbucket.errors import InvalidArgument, MalformedACLError, S3Error
from ironbucket.features.acl import ALL_USERS, CANONICAL_USER, EMAIL, GROUP, Grant

OWNER = "a" * 64
XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'


def document(*grants: str, owner: str = f"<Owner><ID>{OWNER}</ID></Owner>") -> bytes:
    body = "".join(grants)
    return (f'<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/">{owner}'
            f"<AccessControlList>{body}</AccessControlList></AccessControlPolicy>").encode()


def grant(kind: str, inner: str, permission: str) -> str:
    return (f'<Grant><Grantee {XSI} xsi:type="{kind}">{inner}</Grantee>'
            f"<Permission>{permission}</Permission></Grant>")


@pytest.mark.parametrize(("body", "grants"), [
    (document(), ()),
    (document(grant("CanonicalUser", f"<ID>{OWNER.upper()}</ID><DisplayName>x</DisplayName>",
                    "FULL_CONTROL")),
     (Grant(CANONICAL_USER, OWNER, "FULL_CONTROL"),)),
    (document(grant("Group", f"<URI>{ALL_USERS}</URI>", "READ"),
              grant("AmazonCustomerByEmail", "<EmailAddress>a@b.c</EmailAddress>", "WRITE_ACP")),
     (Grant(GROUP, ALL_USERS, "READ"), Grant(EMAIL, "a@b.c", "WRITE_ACP"))),
    (document(grant("Group", f"<URI>{ALL_USERS}</URI>", "READ"), owner=""),
     (Grant(GROUP, ALL_USERS, "READ"),)),
])
def test_parse(body: bytes, grants: tuple[Grant, ...]) -> None:
    assert parse_policy(body).grants == grants


@pytest.mark.parametrize(("body", "error"), [
    (b"not xml", MalformedACLError),
    (b"<Tagging/>", MalformedACLError),
    (b"<AccessControlPolicy><Owner/></AccessControlPolicy>", MalformedACLError),  # no list
    (document(grant("CanonicalUser", "", "READ")), MalformedACLError),  # no ID
    (document(grant("Robot", "<ID>x</ID>", "READ")), MalformedACLError),
    (document("<Grant><Permission>READ</Permission></Grant>"), MalformedACLError),
    (document(grant("CanonicalUser", f"<ID>{OWNER}</ID>", "EVERYTHING")), InvalidArgument),
    (document(grant("CanonicalUser", "<ID>short</ID>", "READ")), InvalidArgument),
    (document(*[grant("Group", f"<URI>{ALL_USERS}</URI>", "READ")] * 101), MalformedACLError),
])
def test_parse_errors(body: bytes, error: type[S3Error]) -> None:
    with pytest.raises(error):
        parse_policy(body)


def test_render_round_trips() -> None:
    grants = (Grant(CANONICAL_USER, OWNER, "FULL_CONTROL"), Grant(GROUP, ALL_USERS, "READ"))
    rendered = render_policy(OWNER, {OWNER: "alice"}, grants)
    assert b"<DisplayName>alice</DisplayName>" in rendered
    parsed = parse_policy(rendered)
    assert parsed.owner_id == OWNER
    assert parsed.grants == grants
