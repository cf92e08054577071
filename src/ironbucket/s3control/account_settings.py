"""Account-level Block Public Access: Get/Put/DeletePublicAccessBlock of the S3 Control API."""

from __future__ import annotations

from ironbucket.api.public_access import ROOT, parse, render
from ironbucket.authz.public_access import ACCOUNT_SETTING, account_settings
from ironbucket.errors import NoSuchPublicAccessBlockConfiguration
from ironbucket.http import xml
from ironbucket.http.response import Response, empty, xml_response
from ironbucket.s3control.call import ControlCall

NAMESPACE = "http://awss3control.amazonaws.com/doc/2018-08-20/"


async def get_public_access_block(call: ControlCall) -> Response:
    settings = await account_settings(call.services.meta, call.account_id)
    if settings is None:
        raise NoSuchPublicAccessBlockConfiguration(AccountId=call.account_id)
    return xml_response(render(settings, NAMESPACE))


async def put_public_access_block(call: ControlCall) -> Response:
    settings = parse(xml.expect_root(xml.parse(call.body), ROOT))
    await call.services.meta.put_setting(ACCOUNT_SETTING + call.account_id, settings.dumps())
    return empty(200)


async def delete_public_access_block(call: ControlCall) -> Response:
    await call.services.meta.put_setting(ACCOUNT_SETTING + call.account_id, None)
    return empty(204)
