"""The ServerSideEncryptionConfiguration document: what S3 accepts, each error it answers for the
rest, the rendered Get body, and the stored form."""

from __future__ import annotations

import json

import pytest

from ironbucket.errors import InvalidArgument, MalformedXML, S3Error
from ironbucket.features.default_encryption import (
    SSE_S3_DEFAULT,
    DefaultEncryption,
    from_stored,
    parse_encryption_config,
    render_encryption_config,
    to_stored,
)

NS = ' xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'
ARN = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def doc(rule: str, *, extra: str = "", ns: str = NS) -> bytes:
    return f"<ServerSideEncryptionConfiguration{ns}><Rule>{rule}</Rule>{extra}" \
           f"</ServerSideEncryptionConfiguration>".encode()


def by_default(inner: str) -> str:
    return f"<ApplyServerSideEncryptionByDefault>{inner}</ApplyServerSideEncryptionByDefault>"


def alg(name: str) -> str:
    return f"<SSEAlgorithm>{name}</SSEAlgorithm>"


def key(value: str) -> str:
    return f"<KMSMasterKeyID>{value}</KMSMasterKeyID>"


def blocked(*types: str) -> str:
    inner = "".join(f"<EncryptionType>{t}</EncryptionType>" for t in types)
    return f"<BlockedEncryptionTypes>{inner}</BlockedEncryptionTypes>"


@pytest.mark.parametrize(("body", "expected"), [
    (doc(by_default(alg("AES256"))), SSE_S3_DEFAULT),
    (doc(by_default(alg("AES256")), ns=""), SSE_S3_DEFAULT),  # the namespace is optional
    (doc(by_default(alg("aws:kms"))), DefaultEncryption("aws:kms", None, False)),
    (doc(by_default(alg("aws:kms") + key("1234abcd-12ab-34cd-56ef-1234567890ab"))
         + "<BucketKeyEnabled>true</BucketKeyEnabled>"),
     DefaultEncryption("aws:kms", "1234abcd-12ab-34cd-56ef-1234567890ab", True)),
    (doc(by_default(key(ARN) + alg("aws:kms"))), DefaultEncryption("aws:kms", ARN, False)),  # any order
    (doc(by_default(alg("aws:kms") + key("alias/app"))), DefaultEncryption("aws:kms", "alias/app", False)),
    # Any key id is accepted: S3 does not look the key up at Put time.
    (doc(by_default(alg("aws:kms") + key("not-a-key"))), DefaultEncryption("aws:kms", "not-a-key", False)),
    (doc(by_default(alg("aws:kms:dsse") + key(ARN))), DefaultEncryption("aws:kms:dsse", ARN, False)),
    (doc("<BucketKeyEnabled>false</BucketKeyEnabled>" + by_default(alg("aws:kms"))),
     DefaultEncryption("aws:kms", None, False)),
    (doc(by_default(alg("AES256")) + "<BucketKeyEnabled>true</BucketKeyEnabled>"),
     DefaultEncryption("AES256", None, True)),  # S3 accepts a bucket key with SSE-S3
    (doc(by_default(alg("aws:kms")) + "<BucketKeyEnabled>1</BucketKeyEnabled>"),
     DefaultEncryption("aws:kms", None, True)),  # xsd:boolean
    (b'<?xml version="1.0" encoding="UTF-8"?>\n<ServerSideEncryptionConfiguration>\n  <Rule>\n'
     b"    <ApplyServerSideEncryptionByDefault>\n      <SSEAlgorithm> aws:kms </SSEAlgorithm>\n"
     b"      <KMSMasterKeyID>\n        alias/app\n      </KMSMasterKeyID>\n"
     b"    </ApplyServerSideEncryptionByDefault>\n    <BucketKeyEnabled> true </BucketKeyEnabled>\n"
     b"  </Rule>\n</ServerSideEncryptionConfiguration>\n",
     DefaultEncryption("aws:kms", "alias/app", True)),  # pretty-printed
    (doc(by_default(alg("AES256")) + blocked("SSE-C")), DefaultEncryption("AES256", None, False, ("SSE-C",))),
    (doc(blocked("SSE-C") + by_default(alg("aws:kms") + key(ARN))),
     DefaultEncryption("aws:kms", ARN, False, ("SSE-C",))),
    (doc(by_default(alg("AES256")) + blocked("NONE")), DefaultEncryption("AES256", None, False, ("NONE",))),
    # Blocking alone: the default stays SSE-S3.
    (doc(blocked("SSE-C")), DefaultEncryption("AES256", None, False, ("SSE-C",))),
    (doc("<BlockedEncryptionTypes><EncryptionType>SSE-C</EncryptionType><EncryptionType>SSE-C"
         "</EncryptionType></BlockedEncryptionTypes>"), DefaultEncryption("AES256", None, False, ("SSE-C",))),
])
def test_valid(body: bytes, expected: DefaultEncryption) -> None:
    assert parse_encryption_config(body) == expected


@pytest.mark.parametrize(("body", "error"), [
    (b"", MalformedXML),
    (b"<ServerSideEncryptionConfiguration><Rule>", MalformedXML),  # not well-formed
    (b"not xml", MalformedXML),
    (b'<!DOCTYPE x [<!ENTITY e "AES256">]><ServerSideEncryptionConfiguration><Rule>'
     b"<ApplyServerSideEncryptionByDefault><SSEAlgorithm>&e;</SSEAlgorithm>"
     b"</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>", MalformedXML),
    (doc(by_default(alg("AES256"))).replace(b"ServerSideEncryptionConfiguration", b"EncryptionConfiguration"),
     MalformedXML),  # wrong root
    (b"<ServerSideEncryptionConfiguration/>", MalformedXML),  # no rule
    (doc(by_default(alg("AES256")), extra=f"<Rule>{by_default(alg('aws:kms'))}</Rule>"), MalformedXML),  # two
    (doc(""), MalformedXML),  # an empty rule
    (doc("<BucketKeyEnabled>true</BucketKeyEnabled>"), MalformedXML),  # no default to apply
    (doc(by_default("")), MalformedXML),  # SSEAlgorithm is required
    (doc(by_default(key(ARN))), MalformedXML),
    (doc(by_default(alg(""))), MalformedXML),
    (doc(by_default(alg("aes256"))), MalformedXML),  # enum values are case-sensitive
    (doc(by_default(alg("SSE-KMS"))), MalformedXML),
    (doc(by_default(alg("aws:fsx"))), MalformedXML),  # not for a general purpose bucket
    (doc(by_default(alg("AES256") + alg("AES256"))), MalformedXML),  # repeated
    (doc(by_default(alg("aws:kms") + key("a") + key("b"))), MalformedXML),
    (doc(by_default(alg("<AES256/>"))), MalformedXML),  # a leaf with children
    (doc(by_default(alg("AES256") + "<Unknown>x</Unknown>")), MalformedXML),
    (doc(by_default(alg("AES256")) + "<Unknown/>"), MalformedXML),
    (doc(by_default(alg("AES256")), extra="<Other/>"), MalformedXML),
    (doc(by_default(alg("AES256")) + by_default(alg("AES256"))), MalformedXML),
    (doc(by_default(alg("AES256")) + "<BucketKeyEnabled>yes</BucketKeyEnabled>"), MalformedXML),
    (doc(by_default(alg("AES256")) + "<BucketKeyEnabled></BucketKeyEnabled>"), MalformedXML),
    (doc(by_default(alg("AES256")) + "<BucketKeyEnabled>True</BucketKeyEnabled>"), MalformedXML),
    (doc(by_default(alg("AES256")) + "<BucketKeyEnabled>true</BucketKeyEnabled>"
         + "<BucketKeyEnabled>true</BucketKeyEnabled>"), MalformedXML),
    (doc("stray text" + by_default(alg("AES256"))), MalformedXML),
    (doc(by_default(alg("AES256")) + "<BlockedEncryptionTypes><EncryptionType>SSE-X</EncryptionType>"
         "</BlockedEncryptionTypes>"), MalformedXML),
    (doc(by_default(alg("AES256")) + "<BlockedEncryptionTypes/>"), MalformedXML),
    # S3's own checks, after the schema.
    (doc(by_default(alg("AES256") + key(ARN))), InvalidArgument),
    (doc(by_default(alg("AES256") + key(""))), InvalidArgument),
    (doc(by_default(alg("aws:kms") + key(""))), InvalidArgument),
    (doc(by_default(alg("aws:kms") + key("   "))), InvalidArgument),
    (doc(blocked("SSE-C", "NONE")), InvalidArgument),  # blocks SSE-C and nothing at once
    (doc(by_default(alg("AES256") + key(ARN)) + blocked("NONE")), InvalidArgument),
    (doc(by_default(alg("RSA")) + blocked("NONE")), MalformedXML),
    (doc(blocked("SSE-C") + blocked("SSE-C")), MalformedXML),
    (doc(by_default(alg("AES256")) + "<BlockedEncryptionTypes><EncryptionType>SSE-C</EncryptionType>"
         "<Other/></BlockedEncryptionTypes>"), MalformedXML),
])
def test_rejected(body: bytes, error: type[S3Error]) -> None:
    with pytest.raises(S3Error) as caught:
        parse_encryption_config(body)
    assert type(caught.value) is error


def test_kms_key_with_aes256_answers_in_s3s_words() -> None:
    with pytest.raises(InvalidArgument) as caught:
        parse_encryption_config(doc(by_default(alg("AES256") + key(ARN))))
    assert caught.value.message == ("a KMSMasterKeyID is not applicable if the default sse algorithm is not "
                                    "aws:kms or aws:kms:dsse")
    assert caught.value.fields == {"ArgumentName": "ApplyServerSideEncryptionByDefault"}


CONFIGS = [
    SSE_S3_DEFAULT,
    DefaultEncryption("AES256", None, True),
    DefaultEncryption("aws:kms", None, False),
    DefaultEncryption("aws:kms", ARN, True),
    DefaultEncryption("aws:kms", "alias/a&b<c>", False),  # escaped on the way out
    DefaultEncryption("aws:kms:dsse", "arn:aws:kms:us-east-1:111122223333:alias/app", True),
    DefaultEncryption("AES256", None, False, ("SSE-C",)),
    DefaultEncryption("aws:kms", ARN, True, ("NONE",)),
]


@pytest.mark.parametrize("config", CONFIGS)
def test_render_parses_back(config: DefaultEncryption) -> None:
    rendered = render_encryption_config(config)
    assert rendered.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert NS.encode() in rendered
    assert parse_encryption_config(rendered) == config


def test_render_of_the_default_is_s3s_document() -> None:
    assert render_encryption_config(SSE_S3_DEFAULT) == (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule>'
        b"<ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>"
        b"</ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule>"
        b"</ServerSideEncryptionConfiguration>")


@pytest.mark.parametrize("config", CONFIGS)
def test_stored_round_trip(config: DefaultEncryption) -> None:
    text = to_stored(config)
    assert json.loads(text)["v"] == 1  # the stored format carries its version
    assert from_stored(text) == config


@pytest.mark.parametrize("text", [
    "",
    "not json",
    "[]",
    '{"algorithm":"AES256","kms_key_id":null,"bucket_key_enabled":false}',  # no version
    '{"v":2,"algorithm":"AES256","kms_key_id":null,"bucket_key_enabled":false}',
    '{"v":1,"algorithm":"aes256","kms_key_id":null,"bucket_key_enabled":false}',
    '{"v":1,"algorithm":"AES256","kms_key_id":"k","bucket_key_enabled":false}',
    '{"v":1,"algorithm":"aws:kms","kms_key_id":"","bucket_key_enabled":false}',
    '{"v":1,"algorithm":"aws:kms","kms_key_id":7,"bucket_key_enabled":false}',
    '{"v":1,"algorithm":"aws:kms","kms_key_id":null,"bucket_key_enabled":"true"}',
    '{"v":1,"algorithm":"aws:kms","kms_key_id":null}',
    '{"v":1,"algorithm":"AES256","kms_key_id":null,"bucket_key_enabled":false,"blocked":"SSE-C"}',
    '{"v":1,"algorithm":"AES256","kms_key_id":null,"bucket_key_enabled":false,"blocked":["SSE-X"]}',
    '{"v":1,"algorithm":"AES256","kms_key_id":null,"bucket_key_enabled":false,"blocked":["SSE-C","NONE"]}',
])
def test_unreadable_stored_text_is_an_error(text: str) -> None:
    with pytest.raises(ValueError):
        from_stored(text)
