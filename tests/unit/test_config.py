"""Settings come from the command line, IRONBUCKET_* variables and a TOML file, in that order."""

from __future__ import annotations

from pathlib import Path

import pytest

from ironbucket import config
from ironbucket.config import Settings


def test_defaults() -> None:
    settings = config.load({}, env={})
    assert settings == Settings()
    assert (settings.host, settings.port) == ("127.0.0.1", 9000)
    assert settings.data_dir == Path("./ironbucket-data")


def test_precedence_cli_over_env_over_toml(tmp_path: Path) -> None:
    toml = tmp_path / "ironbucket.toml"
    toml.write_text('address = "127.0.0.1:7000"\nregion = "eu-west-1"\nworkers = 3\n'
                    'domain = ["s3.example.test", "Files.Example.Test."]\n')
    env = {"IRONBUCKET_CONFIG": str(toml), "IRONBUCKET_REGION": "eu-central-1"}
    settings = config.load({"workers": "2"}, env=env)
    assert settings.address == "127.0.0.1:7000"  # from TOML
    assert settings.region == "eu-central-1"  # env beats TOML
    assert settings.workers == 2  # command line beats both
    assert settings.domains == ("s3.example.test", "files.example.test")


@pytest.mark.parametrize(("name", "raw", "field", "expected"), [
    ("IRONBUCKET_DATA_DIR", "/srv/data", "data_dir", Path("/srv/data")),
    ("IRONBUCKET_ADDRESS", "0.0.0.0:9100", "address", "0.0.0.0:9100"),
    ("IRONBUCKET_WORKERS", "4", "workers", 4),
    ("IRONBUCKET_DOMAIN", "a.test,b.test", "domains", ("a.test", "b.test")),
    ("IRONBUCKET_INLINE_THRESHOLD", "4096", "inline_threshold", 4096),
    ("IRONBUCKET_BODY_IDLE_TIMEOUT", "2.5", "body_idle_timeout", 2.5),
    ("IRONBUCKET_LOG_LEVEL", "debug", "log_level", "debug"),
    ("IRONBUCKET_ROOT_ACCESS_KEY", "AKIAEXAMPLE", "root_access_key", "AKIAEXAMPLE"),
    ("IRONBUCKET_KMS_TEST_CLOCK_OFFSET", "86400", "kms_test_clock_offset", 86400.0),
    ("IRONBUCKET_MASTER_PASSPHRASE_FILE", "/run/secrets/pass", "master_passphrase_file",
     Path("/run/secrets/pass")),
])
def test_every_option_reads_its_environment_variable(name: str, raw: str, field: str,
                                                     expected: object) -> None:
    assert getattr(config.load({}, env={name: raw}), field) == expected


def test_every_option_has_a_flag_an_env_var_and_a_toml_key() -> None:
    fields = set(Settings.__dataclass_fields__) - config.TOML_ONLY
    assert {opt.name for opt in config.OPTIONS} == fields
    for opt in config.OPTIONS:
        assert opt.env == "IRONBUCKET_" + opt.flag.lstrip("-").replace("-", "_").upper()


@pytest.mark.parametrize(("env", "message"), [
    ({"IRONBUCKET_WORKERS": "0"}, "IRONBUCKET_WORKERS"),
    ({"IRONBUCKET_WORKERS": "many"}, "IRONBUCKET_WORKERS"),
    ({"IRONBUCKET_INLINE_THRESHOLD": "big"}, "IRONBUCKET_INLINE_THRESHOLD"),
    # the KMS test clock only runs forward: deletions must never be postponed
    ({"IRONBUCKET_KMS_TEST_CLOCK_OFFSET": "-1"}, "IRONBUCKET_KMS_TEST_CLOCK_OFFSET"),
])
def test_bad_values_name_their_source(env: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        config.load({}, env=env)


def test_unknown_toml_key_is_refused(tmp_path: Path) -> None:
    toml = tmp_path / "bad.toml"
    toml.write_text("adress = '127.0.0.1:1'\n")
    with pytest.raises(ValueError, match="adress"):
        config.load({"config": str(toml)}, env={})


def test_secret_is_not_in_repr() -> None:
    settings = config.load({}, env={"IRONBUCKET_ROOT_SECRET_KEY": "very-secret"})
    assert "very-secret" not in repr(settings)


@pytest.mark.parametrize("address", ["localhost", "host:port", ":"])
def test_bad_address(address: str) -> None:
    with pytest.raises(ValueError):
        Settings(address=address).port  # noqa: B018 - the property validates


TLS = {"tls_address": "127.0.0.1:9443"}


@pytest.mark.parametrize(("cli", "message"), [
    ({"address": "none"}, "--address none needs --tls-address"),
    ({**TLS}, "--tls auto or --tls-cert"),
    ({**TLS, "tls": "auto", "tls_cert": "c.pem", "tls_key": "k.pem"}, "exclude each other"),
    ({**TLS, "tls_cert": "c.pem"}, "go together"),
    ({**TLS, "tls_key": "k.pem"}, "go together"),
    ({"tls": "auto"}, "need --tls-address"),
    ({"tls_cert": "c.pem", "tls_key": "k.pem"}, "need --tls-address"),
    ({**TLS, "tls": "yes"}, "--tls"),
    ({**TLS, "tls": "auto", "tls_min_version": "1.1"}, "--tls-min-version"),
    ({"tls_address": "9443", "tls": "auto"}, "--tls-address"),
    ({"address": "nowhere"}, "--address"),
    ({"allow_ssec_over_http": "maybe"}, "--allow-ssec-over-http"),
])
def test_tls_option_combinations_that_cannot_work(cli: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        config.load(cli, env={})


@pytest.mark.parametrize(("cli", "env", "expected"), [
    ({**TLS, "tls": "auto"}, {}, {"tls": "auto", "tls_min_version": "1.2", "http_enabled": True}),
    ({**TLS, "tls": "AUTO", "address": "none"}, {}, {"tls": "auto", "http_enabled": False}),
    ({}, {"IRONBUCKET_TLS_ADDRESS": "[::1]:9443", "IRONBUCKET_TLS_CERT": "/c.pem",
          "IRONBUCKET_TLS_KEY": "/k.pem", "IRONBUCKET_TLS_MIN_VERSION": "1.3"},
     {"tls_cert": Path("/c.pem"), "tls_key": Path("/k.pem"), "tls_min_version": "1.3"}),
    ({}, {"IRONBUCKET_ALLOW_SSEC_OVER_HTTP": "true"}, {"allow_ssec_over_http": True}),
    ({}, {"IRONBUCKET_ALLOW_SSEC_OVER_HTTP": "0"}, {"allow_ssec_over_http": False}),
    ({}, {}, {"allow_ssec_over_http": False, "tls_address": None, "tls": "off"}),
])
def test_tls_options(cli: dict[str, str], env: dict[str, str], expected: dict[str, object]) -> None:
    settings = config.load(cli, env=env)
    for name, value in expected.items():
        assert getattr(settings, name) == value, name


def test_tls_options_from_toml_and_the_switch_flag(tmp_path: Path) -> None:
    import argparse

    toml = tmp_path / "tls.toml"
    toml.write_text('tls_address = "127.0.0.1:9443"\ntls = "auto"\naddress = "none"\n'
                    'tls_min_version = "1.3"\nallow_ssec_over_http = true\n')
    settings = config.load({"config": str(toml)}, env={})
    assert (settings.tls_address, settings.tls, settings.http_enabled) == ("127.0.0.1:9443", "auto", False)
    assert (settings.tls_min_version, settings.allow_ssec_over_http) == ("1.3", True)
    parser = argparse.ArgumentParser()
    config.add_arguments(parser)
    assert config.load(vars(parser.parse_args(["--allow-ssec-over-http"])), env={}).allow_ssec_over_http
    assert not config.load(vars(parser.parse_args([])), env={}).allow_ssec_over_http
