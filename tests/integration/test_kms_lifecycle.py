"""Key deletion and automatic rotation across time, with the test-only KMS clock offset
(``--kms-test-clock-offset``) on a server restarted over the same data directory; and the
``aws kms`` CLI."""

from __future__ import annotations

import base64
import json
import sqlite3
from pathlib import Path

from tests.integration.iam_helpers import fails
from tests.integration.kms_helpers import kms
from tests.integration.server import RunningServer, running_server
from tests.integration.test_aws_cli import aws, aws_json

DAY = 86400


def _materials(data_dir: Path, key_id: str) -> int:
    db = next(data_dir.rglob("*.sqlite3"))
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT count(*) FROM kms_materials WHERE key_id = ?", (key_id,)).fetchone()
    return int(row[0])


def test_deleted_after_the_window_and_rotated_when_due(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with running_server(data) as server:
        k = kms(server)
        doomed = k.create_key()["KeyMetadata"]["KeyId"]
        k.create_alias(AliasName="alias/doomed", TargetKeyId=doomed)
        lost = k.encrypt(KeyId=doomed, Plaintext=b"shredded", EncryptionContext={"a": "b"})["CiphertextBlob"]
        k.schedule_key_deletion(KeyId=doomed, PendingWindowInDays=7)
        waiting = k.create_key()["KeyMetadata"]["KeyId"]
        k.schedule_key_deletion(KeyId=waiting, PendingWindowInDays=30)
        rotating = k.create_key()["KeyMetadata"]["KeyId"]
        k.enable_key_rotation(KeyId=rotating, RotationPeriodInDays=90)
        kept = k.encrypt(KeyId=rotating, Plaintext=b"kept")["CiphertextBlob"]
        assert _materials(data, doomed) == 1
    with running_server(data, extra_args=["--kms-test-clock-offset", str(8 * DAY)]) as server:
        k = kms(server)
        assert fails(k.describe_key, KeyId=doomed) == ("NotFoundException", 400)
        assert fails(k.decrypt, CiphertextBlob=lost, EncryptionContext={"a": "b"})[0] == \
            "InvalidCiphertextException"
        assert fails(k.describe_key, KeyId="alias/doomed")[0] == "NotFoundException"
        assert _materials(data, doomed) == 0  # the material itself is destroyed
        assert k.describe_key(KeyId=waiting)["KeyMetadata"]["KeyState"] == "PendingDeletion"
        assert doomed not in [e["KeyId"] for e in k.list_keys()["Keys"]]
        assert k.encrypt(KeyId=rotating, Plaintext=b"x")["CiphertextBlob"][37:41] == (1).to_bytes(4, "big")
    with running_server(data, extra_args=["--kms-test-clock-offset", str(91 * DAY)]) as server:
        k = kms(server)
        fresh = k.encrypt(KeyId=rotating, Plaintext=b"new")["CiphertextBlob"]
        assert fresh[37:41] == (2).to_bytes(4, "big")  # rotated automatically once due
        assert k.decrypt(CiphertextBlob=kept)["Plaintext"] == b"kept"
        assert k.decrypt(CiphertextBlob=fresh)["Plaintext"] == b"new"
        assert fails(k.describe_key, KeyId=waiting) == ("NotFoundException", 400)


def test_aws_cli_encrypt_decrypt(server: RunningServer, cli_env: dict[str, str], tmp_path: Path) -> None:
    key = aws_json(server, cli_env, "kms", "create-key", "--description", "cli")["KeyMetadata"]["KeyId"]
    aws(server, cli_env, "kms", "create-alias", "--alias-name", "alias/cli-key", "--target-key-id", key)
    plain = tmp_path / "plain.txt"
    plain.write_bytes(b"hello from the cli")
    out = aws_json(server, cli_env, "kms", "encrypt", "--key-id", "alias/cli-key", "--plaintext",
                   f"fileb://{plain}", "--encryption-context", "purpose=cli")
    blob = tmp_path / "blob.bin"
    blob.write_bytes(base64.b64decode(out["CiphertextBlob"]))
    back = aws_json(server, cli_env, "kms", "decrypt", "--ciphertext-blob", f"fileb://{blob}",
                    "--encryption-context", "purpose=cli")
    assert base64.b64decode(back["Plaintext"]) == b"hello from the cli"
    assert back["KeyId"].endswith(key)
    wrong = aws(server, cli_env, "kms", "decrypt", "--ciphertext-blob", f"fileb://{blob}", check=False)
    assert wrong.returncode != 0 and b"InvalidCiphertextException" in wrong.stderr
    listed = json.loads(aws(server, cli_env, "kms", "list-aliases").stdout)["Aliases"]
    assert any(a["AliasName"] == "alias/cli-key" for a in listed)


def test_every_worker_sees_a_state_change_at_once(tmp_path: Path) -> None:
    with running_server(tmp_path / "data", workers=2) as server:
        k = kms(server)
        key = k.create_key()["KeyMetadata"]["KeyId"]
        blob = k.encrypt(KeyId=key, Plaintext=b"x")["CiphertextBlob"]
        for _ in range(6):  # new connections land on either worker
            assert kms(server).decrypt(CiphertextBlob=blob)["Plaintext"] == b"x"
        k.disable_key(KeyId=key)
        for _ in range(6):
            assert fails(kms(server).decrypt, CiphertextBlob=blob) == ("DisabledException", 400)
