"""Block Public Access settings: combining levels, the stored form, and the XML document."""

from __future__ import annotations

import pytest

from ironbucket.api.public_access import parse, render
from ironbucket.errors import MalformedXML
from ironbucket.features.public_access import ALL_BLOCKED, NOTHING_BLOCKED, PublicAccessBlock, effective
from ironbucket.http import xml

ACLS_ONLY = PublicAccessBlock(block_public_acls=True)
POLICY_ONLY = PublicAccessBlock(block_public_policy=True)
RESTRICT_ONLY = PublicAccessBlock(restrict_public_buckets=True)


@pytest.mark.parametrize(("levels", "expected"), [
    ((), NOTHING_BLOCKED),
    ((None, None), NOTHING_BLOCKED),
    ((ALL_BLOCKED, None), ALL_BLOCKED),
    ((None, ALL_BLOCKED), ALL_BLOCKED),
    ((NOTHING_BLOCKED, ALL_BLOCKED), ALL_BLOCKED),
    ((ACLS_ONLY, POLICY_ONLY), PublicAccessBlock(block_public_acls=True, block_public_policy=True)),
    ((RESTRICT_ONLY, None, ACLS_ONLY),
     PublicAccessBlock(block_public_acls=True, restrict_public_buckets=True)),
    ((NOTHING_BLOCKED, NOTHING_BLOCKED), NOTHING_BLOCKED),
], ids=["no levels", "no settings anywhere", "account all", "bucket all", "off and all",
        "one flag each", "three levels", "all off"])
def test_the_strictest_level_wins_flag_by_flag(levels: tuple[PublicAccessBlock | None, ...],
                                               expected: PublicAccessBlock) -> None:
    assert effective(*levels) == expected


@pytest.mark.parametrize("settings", [NOTHING_BLOCKED, ALL_BLOCKED, ACLS_ONLY, POLICY_ONLY, RESTRICT_ONLY])
def test_stored_form_round_trips(settings: PublicAccessBlock) -> None:
    assert PublicAccessBlock.loads(settings.dumps()) == settings


@pytest.mark.parametrize("stored", ["", "{", "[]", '{"BlockPublicAcls": true}', "null"])
def test_an_unreadable_stored_document_blocks_everything(stored: str) -> None:
    assert PublicAccessBlock.loads(stored) == ALL_BLOCKED


def test_no_stored_document_means_no_settings() -> None:
    assert PublicAccessBlock.loads(None) is None


def _doc(body: str) -> xml.Element:
    root = "PublicAccessBlockConfiguration"
    return xml.parse(f'<{root} xmlns="{xml.S3_NS}">{body}</{root}>'.encode())


@pytest.mark.parametrize(("body", "expected"), [
    ("", NOTHING_BLOCKED),
    ("<BlockPublicAcls>true</BlockPublicAcls>", ACLS_ONLY),
    ("<BlockPublicPolicy>true</BlockPublicPolicy><BlockPublicAcls>false</BlockPublicAcls>", POLICY_ONLY),
    ("<BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls>"
     "<BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets>",
     ALL_BLOCKED),
    ("<RestrictPublicBuckets> true </RestrictPublicBuckets>", RESTRICT_ONLY),
])
def test_parse(body: str, expected: PublicAccessBlock) -> None:
    assert parse(_doc(body)) == expected


@pytest.mark.parametrize("body", [
    "<BlockPublicAcls>yes</BlockPublicAcls>",
    "<BlockPublicAcls>TRUE</BlockPublicAcls>",
    "<BlockPublicAcls></BlockPublicAcls>",
    "<blockpublicacls>true</blockpublicacls>",
    "<BlockEverything>true</BlockEverything>",
])
def test_parse_refuses_what_is_not_in_the_schema(body: str) -> None:
    with pytest.raises(MalformedXML):
        parse(_doc(body))


@pytest.mark.parametrize("settings", [NOTHING_BLOCKED, ALL_BLOCKED, POLICY_ONLY])
def test_render_parses_back(settings: PublicAccessBlock) -> None:
    assert parse(xml.parse(render(settings))) == settings
