"""``ironbucket admin service-principal create`` and ``admin origin-access-identity create``:
credentials for CDN origins (see ``iam/service_principals.py``)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from ironbucket.crypto.master_key import load_master_key
from ironbucket.iam.service_principals import (
    ServicePrincipalError,
    create_origin_access_identity,
    create_service_principal,
)
from ironbucket.storage.open import open_storage


async def run_principal_command(data_dir: Path, args: argparse.Namespace) -> int:
    master = load_master_key(data_dir)
    meta, _ = open_storage(data_dir)
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
    finally:
        await meta.close()
    print(json.dumps(out) if args.json else text)
    return 0
