"""``ironbucket admin service-principal create`` and ``admin origin-access-identity create``:
credentials for CDN origins (see ``iam/service_principals.py``)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from ironbucket.admin_master_key import sealing
from ironbucket.crypto.master_key import MasterKey
from ironbucket.iam.service_principals import (
    ServicePrincipalError,
    create_origin_access_identity,
    create_service_principal,
)
from ironbucket.storage.interfaces import MetadataStore


async def run_principal_command(data_dir: Path, args: argparse.Namespace) -> int:
    async with sealing(data_dir, args) as (meta, master):
        return await _run(meta, master, args)


async def _run(meta: MetadataStore, master: MasterKey, args: argparse.Namespace) -> int:
    try:
        if args.admin_command == "service-principal":
            keys = await create_service_principal(meta, master, args.service, args.source_arn,
                                                  args.source_account, time.time())
            out = {"AccessKeyId": keys.access_key_id, "SecretAccessKey": keys.secret_access_key}
            text = (f"service principal {args.service} for {args.source_arn}\n"
                    f"  AWS_ACCESS_KEY_ID={keys.access_key_id}\n"
                    f"  AWS_SECRET_ACCESS_KEY={keys.secret_access_key}")
        else:
            oai = await create_origin_access_identity(meta, master, args.account, time.time())
            out = {"Id": oai.id, "Arn": oai.arn, "S3CanonicalUserId": oai.canonical_id,
                   "AccessKeyId": oai.keys.access_key_id, "SecretAccessKey": oai.keys.secret_access_key}
            text = (f"origin access identity {oai.id}\n  principal: {oai.arn}\n"
                    f"  canonical user id: {oai.canonical_id}\n"
                    f"  AWS_ACCESS_KEY_ID={oai.keys.access_key_id}\n"
                    f"  AWS_SECRET_ACCESS_KEY={oai.keys.secret_access_key}")
    except ServicePrincipalError as exc:
        print(f"ironbucket: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(out) if args.json else text)
    return 0
