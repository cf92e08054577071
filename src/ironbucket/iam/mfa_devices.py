"""Virtual MFA devices: CreateVirtualMFADevice, EnableMFADevice, ResyncMFADevice,
DeactivateMFADevice, DeleteVirtualMFADevice, ListMFADevices, ListVirtualMFADevices.
https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable_virtual.html

The seed is returned once, by CreateVirtualMFADevice (Base32 text and a QR code PNG, both
base64 in the XML as AWS sends them), and stored sealed under the master key. The root user
enables its own devices with ``UserName=root`` (AWS offers that only in its console).
"""

from __future__ import annotations

import base64
import io
from dataclasses import replace
from urllib.parse import quote

from ironbucket.auth.principal import Principal
from ironbucket.auth.stored_credentials import StoredCredentials
from ironbucket.errors import InternalError, S3Error
from ironbucket.http.query_protocol import iso8601
from ironbucket.http.xml import XmlWriter
from ironbucket.iam import render
from ironbucket.iam.call import IamCall, caller_user_name, find_user
from ironbucket.iam.errors import DeleteConflict, EntityAlreadyExists, LimitExceeded, NoSuchEntity
from ironbucket.iam.paging import encode_marker, paging, write_truncation
from ironbucket.iam.params import EXISTING_USER_NAME, PATH, Shape
from ironbucket.mfa import devices, totp
from ironbucket.mfa.devices import MfaDevice

DEVICE_NAME = Shape(1, 226, r"[\w+=,.@-]+")
SERIAL = Shape(9, 256, r"[\w+=/:,.@-]+")
CODE = Shape(6, 6, r"[\d]+")
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
DEVICES_PER_USER = 8


class ConcurrentModification(S3Error):
    status = 409
    default_message = ("The request was rejected because multiple requests to change this object "
                       "were submitted simultaneously.")


class InvalidAuthenticationCode(S3Error):
    status = 403
    default_message = "Authentication code for device is not valid."


def _stored(call: IamCall) -> StoredCredentials:
    credentials = call.ctx.services.credentials
    if not isinstance(credentials, StoredCredentials):
        raise InternalError("This server's credential store cannot hold MFA devices.")
    return credentials


def mfa_owner(principal: Principal, given: str | None) -> str | None:
    """The IAM user name the request is about, or None for the calling root user itself (naming
    no one, or ``root``). Only the root user reaches its own devices: anyone else saying ``root``
    means an IAM user of that name."""
    if principal.is_root and given in (None, devices.ROOT):
        return None
    return caller_user_name(principal, given)


async def _owner(call: IamCall, required: bool) -> tuple[str, str]:
    """(user name or ROOT, owner id) the request is about; NoSuchEntity for a missing user.
    Devices belong to an owner id (an IAM user's id; the account id for the root user), never to
    a name, so an IAM user named ``root`` (or a user deleted and made anew) owns nothing of it."""
    given = (call.params.required("UserName", EXISTING_USER_NAME) if required
             else call.params.optional("UserName", EXISTING_USER_NAME))
    name = mfa_owner(call.principal, given)
    if name is None:
        return devices.ROOT, call.account_id
    user = await find_user(call, name)
    return user.name, user.user_id


def _owned_by(device: MfaDevice, owner_id: str) -> bool:
    return device.user_name is not None and device.user_id == owner_id


async def _device(call: IamCall) -> MfaDevice:
    serial = call.params.required("SerialNumber", SERIAL)
    device = await devices.get(call.meta, serial)
    if device is None or device.account_id != call.account_id:
        raise NoSuchEntity(f"VirtualMFADevice with serial number {serial} doesn't exist.")
    return device


def _png(uri: str) -> bytes:
    # Imported on first use: segno adds ~10 MB to every worker that loads it, and only
    # CreateVirtualMFADevice draws QR codes.
    import segno

    out = io.BytesIO()
    segno.make(uri, error="m").save(out, kind="png", scale=4, border=4)
    return out.getvalue()


async def create_virtual_mfa_device(call: IamCall) -> XmlWriter:
    p = call.params
    name = p.required("VirtualMFADeviceName", DEVICE_NAME)
    path = p.optional("Path", PATH) or "/"
    serial = devices.serial_of(call.account_id, path, name)
    seed = totp.new_seed()
    device = MfaDevice(serial=serial, account_id=call.account_id, path=path, name=name,
                       sealed_seed=devices.seal_seed(_stored(call).master_key, serial, seed),
                       created_at=call.now, tags=p.tags())
    if not await devices.create(call.meta, device):
        raise EntityAlreadyExists("MFADevice entity at the same path and name already exists.")
    uri = f"otpauth://totp/{quote(name)}@{call.account_id}?secret={seed}"
    w = call.result().start("VirtualMFADevice").element("SerialNumber", serial)
    w.element("Base32StringSeed", base64.b64encode(seed.encode()).decode())
    w.element("QRCodePNG", base64.b64encode(_png(uri)).decode())
    if device.tags:
        render.tags(w, device.tags)
    w.end()
    return w


def _codes(call: IamCall) -> tuple[str, str]:
    return (call.params.required("AuthenticationCode1", CODE),
            call.params.required("AuthenticationCode2", CODE))


async def enable_mfa_device(call: IamCall) -> None:
    user_name, owner_id = await _owner(call, required=True)
    first, second = _codes(call)
    device = await _device(call)
    if device.user_name is not None:
        raise EntityAlreadyExists("MFA Device is already in use.")
    owned = [d for d in await devices.in_account(call.meta, call.account_id) if _owned_by(d, owner_id)]
    if len(owned) >= DEVICES_PER_USER:
        raise LimitExceeded(f"Cannot exceed quota for MFADevicesPerUser: {DEVICES_PER_USER}")
    step = totp.consecutive_steps(device.seed(_stored(call).master_key), first, second, call.now)
    if step is None:
        raise InvalidAuthenticationCode()
    enabled = replace(device, user_name=user_name, user_id=owner_id, enabled_at=call.now, last_step=step)
    if not await devices.update(call.meta, device, enabled):
        raise EntityAlreadyExists("MFA Device is already in use.")


async def _assigned(call: IamCall, required_user: bool) -> MfaDevice:
    user_name, owner_id = await _owner(call, required=required_user)
    device = await _device(call)
    if not _owned_by(device, owner_id):
        raise NoSuchEntity(f"MFA Device with serial number {device.serial} does not exist for "
                           f"user {user_name}.")
    return device


async def resync_mfa_device(call: IamCall) -> None:
    first, second = _codes(call)
    device = await _assigned(call, required_user=True)
    step = totp.consecutive_steps(device.seed(_stored(call).master_key), first, second, call.now,
                                  after=device.last_step)
    if step is None or not await devices.update(call.meta, device, devices.accepted(device, step)):
        raise InvalidAuthenticationCode()


async def deactivate_mfa_device(call: IamCall) -> None:
    device = await _assigned(call, required_user=False)
    free = replace(device, user_name=None, user_id=None, enabled_at=None)
    if not await devices.update(call.meta, device, free):
        raise ConcurrentModification("The device changed while it was being deactivated; retry.")


async def delete_virtual_mfa_device(call: IamCall) -> None:
    device = await _device(call)
    if device.user_name is not None:
        raise DeleteConflict("MFA Device is still in use")
    if not await devices.update(call.meta, device, None):
        raise DeleteConflict("MFA Device is still in use")


async def _page(call: IamCall, items: list[MfaDevice]) -> tuple[list[MfaDevice], str | None]:
    paged = paging(call.params)
    after = paged.after_text() or ""
    rest = [d for d in items if d.serial > after]
    shown = rest[:paged.max_items]
    marker = encode_marker(shown[-1].serial) if shown and len(rest) > len(shown) else None
    return shown, marker


async def list_mfa_devices(call: IamCall) -> XmlWriter:
    user_name, owner_id = await _owner(call, required=False)
    mine = [d for d in await devices.in_account(call.meta, call.account_id) if _owned_by(d, owner_id)]
    shown, marker = await _page(call, mine)
    w = call.result().start("MFADevices")
    for d in shown:
        w.start("member").element("UserName", None if user_name == devices.ROOT else user_name)
        w.element("SerialNumber", d.serial).element("EnableDate", iso8601(d.enabled_at or d.created_at))
        w.end()
    w.end()
    write_truncation(w, marker is not None, marker)
    return w


async def list_virtual_mfa_devices(call: IamCall) -> XmlWriter:
    status = call.params.choice("AssignmentStatus", ("Assigned", "Unassigned", "Any")) or "Any"
    every = await devices.in_account(call.meta, call.account_id)
    wanted = [d for d in every if status == "Any" or (d.user_name is not None) == (status == "Assigned")]
    shown, marker = await _page(call, wanted)
    w = call.result().start("VirtualMFADevices")
    for d in shown:
        w.start("member").element("SerialNumber", d.serial)
        if _owned_by(d, call.account_id):
            w.start("User").element("UserId", call.account_id)
            w.element("Arn", f"arn:aws:iam::{call.account_id}:root")
            w.element("CreateDate", iso8601(d.created_at)).end()
        elif d.user_name is not None:
            user = await call.meta.iam_get_user(call.account_id, d.user_name)
            if user is not None and user.user_id == d.user_id:
                render.user(w, user, full=False)
        if d.enabled_at is not None:
            w.element("EnableDate", iso8601(d.enabled_at))
        if d.tags:
            render.tags(w, d.tags)
        w.end()
    w.end()
    write_truncation(w, marker is not None, marker)
    return w
