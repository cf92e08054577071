"""The RequestPaymentConfiguration document: what S3 accepts, and MalformedXML for the rest."""

from __future__ import annotations

import pytest

from ironbucket.api.request_payment import parse_configuration, render_configuration
from ironbucket.errors import MalformedXML

NS = ' xmlns="http://s3.amazonaws.com/doc/2006-03-01/"'


@pytest.mark.parametrize(("body", "payer"), [
    (f"<RequestPaymentConfiguration{NS}><Payer>Requester</Payer></RequestPaymentConfiguration>",
     "Requester"),
    (f"<RequestPaymentConfiguration{NS}><Payer>BucketOwner</Payer></RequestPaymentConfiguration>",
     "BucketOwner"),
    ("<RequestPaymentConfiguration><Payer>Requester</Payer></RequestPaymentConfiguration>", "Requester"),
    ('<?xml version="1.0" encoding="UTF-8"?>\n<RequestPaymentConfiguration>\n  <Payer> Requester </Payer>\n'
     "</RequestPaymentConfiguration>", "Requester"),
])
def test_valid(body: str, payer: str) -> None:
    assert parse_configuration(body.encode()) == payer


@pytest.mark.parametrize("body", [
    "",
    "<RequestPaymentConfiguration><Payer>Requester</Payer>",  # not well-formed
    "<RequestPaymentConfiguration><Payer>requester</Payer></RequestPaymentConfiguration>",  # enum case
    "<RequestPaymentConfiguration><Payer>Nobody</Payer></RequestPaymentConfiguration>",
    "<RequestPaymentConfiguration><Payer></Payer></RequestPaymentConfiguration>",
    "<RequestPaymentConfiguration></RequestPaymentConfiguration>",  # Payer is required
    "<RequestPaymentConfiguration><Payer>Requester</Payer><Payer>Requester</Payer>"
    "</RequestPaymentConfiguration>",
    "<RequestPaymentConfiguration><Payer>Requester</Payer><Extra/></RequestPaymentConfiguration>",
    "<PaymentConfiguration><Payer>Requester</Payer></PaymentConfiguration>",  # wrong root
    '<!DOCTYPE x [<!ENTITY e "Requester">]><RequestPaymentConfiguration><Payer>&e;</Payer>'
    "</RequestPaymentConfiguration>",  # entities are refused outright
])
def test_malformed(body: str) -> None:
    with pytest.raises(MalformedXML):
        parse_configuration(body.encode())


@pytest.mark.parametrize("payer", ["Requester", "BucketOwner"])
def test_render_round_trips(payer: str) -> None:
    rendered = render_configuration(payer)
    assert rendered.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert NS.encode() in rendered
    assert parse_configuration(rendered) == payer
