"""Opening and closing a worker's services (each worker process opens its own)."""

from __future__ import annotations

import logging
import time

from ironbucket.api.context import Services
from ironbucket.api.encryption import ObjectKeys
from ironbucket.auth.stored_credentials import StoredCredentials
from ironbucket.config import Settings
from ironbucket.events.decision_log import DecisionLog
from ironbucket.events.usage import UsageMeter
from ironbucket.iam.accounts import DEFAULT_ACCOUNT_SETTING
from ironbucket.kms.keyring import LocalKeyring
from ironbucket.masterkey.opening import open_master_key
from ironbucket.storage.open import open_storage

log = logging.getLogger(__name__)


async def open_services(settings: Settings) -> Services:
    if settings.kms_test_clock_offset:
        log.warning("TEST ONLY: the KMS clock runs %.0f s ahead (--kms-test-clock-offset): scheduled "
                    "key deletions complete early", settings.kms_test_clock_offset)
    meta, blobs = open_storage(settings.data_dir)
    try:  # bootstrap settled the key already: here it is only derived and compared
        master = (await open_master_key(settings.data_dir, meta, settings.master_passphrase_file,
                                        first=False)).key
    except BaseException:
        await meta.close()
        raise
    account_id = await meta.get_setting(DEFAULT_ACCOUNT_SETTING) or ""
    decisions = DecisionLog(settings.data_dir)
    decisions.start()
    usage = UsageMeter(meta)
    usage.start()
    return Services(settings=settings, meta=meta, blobs=blobs,
                    credentials=StoredCredentials(meta, master), default_account_id=account_id,
                    clock=time.time, decisions=decisions, usage=usage,
                    keyring=LocalKeyring(master), object_keys=ObjectKeys(meta, master))


async def close_services(services: Services) -> None:
    if services.decisions is not None:
        await services.decisions.close()
    if services.usage is not None:
        await services.usage.close()  # before the store closes: its counters go there
    await services.meta.close()
    services.executor.shutdown(wait=False, cancel_futures=True)
