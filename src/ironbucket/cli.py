"""The ``ironbucket`` command: ``serve`` and the ``admin`` tools."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from ironbucket import __version__, admin_master_key, config


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ironbucket", description="S3-compatible object storage "
                                     "that enforces the S3 security model.")
    parser.add_argument("--version", action="version", version=f"ironbucket {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the server")
    config.add_arguments(serve)

    admin = commands.add_parser("admin", help="administration (works while the server runs)")
    admin.add_argument("--data-dir", type=Path, default=None,
                       help=f"data directory (env {config.ENV_PREFIX}DATA_DIR)")
    admin_commands = admin.add_subparsers(dest="admin_command", required=True)
    account = admin_commands.add_parser("account", help="accounts").add_subparsers(
        dest="account_command", required=True)
    create = account.add_parser("create", help="create an account and print its root keys")
    create.add_argument("name")
    create.add_argument("--json", action="store_true", help="print JSON")
    account.add_parser("list", help="list accounts").add_argument("--json", action="store_true")
    service = admin_commands.add_parser(
        "service-principal", help="keys for an AWS service principal (CDN origin access control)"
    ).add_subparsers(dest="service_command", required=True)
    service_create = service.add_parser("create", help="issue keys to SERVICE acting for --source-arn")
    service_create.add_argument("service", help="e.g. cloudfront.amazonaws.com")
    service_create.add_argument("--source-arn", required=True,
                                help="the resource it acts for (aws:SourceArn), e.g. a distribution ARN")
    service_create.add_argument("--source-account", default=None,
                                help="aws:SourceAccount when the ARN names none (an account of this server)")
    service_create.add_argument("--json", action="store_true", help="print JSON")
    oai = admin_commands.add_parser(
        "origin-access-identity", help="legacy CloudFront origin access identities"
    ).add_subparsers(dest="oai_command", required=True)
    oai_create = oai.add_parser("create", help="create one and print its id, canonical user id and keys")
    oai_create.add_argument("--account", required=True, help="the account the identity belongs to")
    oai_create.add_argument("--json", action="store_true", help="print JSON")
    admin_master_key.add_arguments(admin, admin_commands)

    explain = commands.add_parser("explain", help="why a past request was allowed or denied")
    explain.add_argument("request_id", help="the x-amz-request-id of the request")
    explain.add_argument("--data-dir", type=Path, default=None,
                         help=f"data directory (env {config.ENV_PREFIX}DATA_DIR)")
    explain.add_argument("--json", action="store_true", help="print the recorded entry as JSON")

    usage = commands.add_parser("usage", help="Requester Pays usage per account and bucket")
    usage.add_argument("--data-dir", type=Path, default=None,
                       help=f"data directory (env {config.ENV_PREFIX}DATA_DIR)")
    usage.add_argument("--json", action="store_true", help="print JSON")
    usage.add_argument("--bucket", default=None, help="only this bucket")
    usage.add_argument("--account", default=None, help="only this (charged) account id")
    return parser


def _explain(data_dir: Path, request_id: str, as_json: bool) -> int:
    from ironbucket.events.decision_log import find

    entry = find(data_dir, request_id)
    if entry is None:
        print(f"ironbucket: no decision recorded for request {request_id} "
              "(traces are kept for recent requests; they are written within a second)",
              file=sys.stderr)
        return 1
    if as_json:
        print(json.dumps(entry, indent=2))
        return 0
    print(f"request {entry['request_id']}: {entry['operation']} {entry['path']} by {entry['principal']}"
          f" -> {entry['status']} {entry.get('error') or ''}".rstrip())
    for decision in entry["decisions"]:
        verdict = "ALLOW" if decision["allowed"] else "DENY"
        print(f"  {verdict} {decision['action']} on {decision['resource']}: {decision['reason']}")
        for line in decision["trace"]:
            print(f"      {line}")
    return 0


def _usage(data_dir: Path, args: argparse.Namespace) -> int:
    import asyncio

    from ironbucket.events import usage_report

    records = asyncio.run(usage_report.load(data_dir, args.bucket, args.account))
    print(json.dumps(usage_report.as_json(records)) if args.json else usage_report.as_table(records))
    return 0


def _data_dir(args: argparse.Namespace) -> Path:
    if args.data_dir is not None:
        return Path(args.data_dir)
    return Path(os.environ.get(config.ENV_PREFIX + "DATA_DIR", str(config.Settings().data_dir)))


async def _account_create(data_dir: Path, args: argparse.Namespace) -> dict[str, str]:
    from ironbucket.iam.accounts import create_account

    async with admin_master_key.sealing(data_dir, args) as (meta, master):
        created = await create_account(meta, master, args.name, time.time())
    return {"AccountId": created.account.account_id, "AccessKeyId": created.access_key_id,
            "SecretAccessKey": created.secret_access_key}


async def _account_list(data_dir: Path) -> list[dict[str, str]]:
    from ironbucket.storage.open import open_storage

    meta, _ = open_storage(data_dir)
    try:
        accounts = await meta.list_accounts()
    finally:
        await meta.close()
    return [{"AccountId": a.account_id, "Name": a.name, "CanonicalUserId": a.canonical_id}
            for a in accounts]


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        from ironbucket.server.run import DataDirInUse, StartupError, serve

        try:
            settings = config.load(vars(args))
        except (ValueError, OSError) as exc:
            print(f"ironbucket: {exc}", file=sys.stderr)
            return 2
        try:
            return serve(settings)
        except DataDirInUse as exc:
            print(f"ironbucket: {exc}", file=sys.stderr)
            return 1
        except StartupError as exc:
            print(f"ironbucket: {exc}", file=sys.stderr)
            return 2
    data_dir = _data_dir(args)
    if args.command == "explain":
        return _explain(data_dir, args.request_id, args.json)
    if not data_dir.is_dir():
        print(f"ironbucket: no data directory at {data_dir}", file=sys.stderr)
        return 2
    import asyncio  # only the admin commands need an event loop here

    if args.command == "usage":
        return _usage(data_dir, args)

    if args.admin_command == "rotate-master-key":
        return asyncio.run(admin_master_key.run_rotate(data_dir, args))
    from ironbucket.crypto.master_key import MasterKeyError

    try:
        return _admin(data_dir, args)
    except MasterKeyError as exc:
        print(f"ironbucket: {exc}", file=sys.stderr)
        return 2


def _admin(data_dir: Path, args: argparse.Namespace) -> int:
    import asyncio

    if args.admin_command in ("service-principal", "origin-access-identity"):
        from ironbucket.admin_principals import run_principal_command

        return asyncio.run(run_principal_command(data_dir, args))
    if args.account_command == "create":
        created = asyncio.run(_account_create(data_dir, args))
        if args.json:
            print(json.dumps(created))
        else:
            print(f"account {created['AccountId']} ({args.name})\n"
                  f"  AWS_ACCESS_KEY_ID={created['AccessKeyId']}\n"
                  f"  AWS_SECRET_ACCESS_KEY={created['SecretAccessKey']}")
        return 0
    accounts = asyncio.run(_account_list(data_dir))
    if args.json:
        print(json.dumps(accounts))
    else:
        for item in accounts:
            print(f"{item['AccountId']}  {item['Name']}")
    return 0
