from __future__ import annotations

from pathlib import Path

import pytest

from web.settings import SETTINGS, Settings, SettingsError

README = (Path(__file__).resolve().parents[3] / "README.md").read_text()


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_every_setting_is_documented(name: str) -> None:
    assert f"`{SETTINGS[name].env}`" in README


def test_defaults_match_the_dataclass() -> None:
    defaults = Settings.from_env({})
    for name, spec in SETTINGS.items():
        if name == "oidc_providers":
            assert defaults.oidc_providers == ()
            continue
        if name == "request_threads":  # empty: 4, never more than the pool's connections
            assert defaults.request_threads is None
            assert defaults.threads == 4 < defaults.db_pool_size + defaults.db_max_overflow
            continue
        value = getattr(defaults, name)
        if isinstance(value, bool):
            assert value == (spec.default == "1")
        else:
            assert str(value) == spec.default


def test_oidc_providers_from_env() -> None:
    env = {
        "GONGZHI_OIDC_PROVIDERS": "gov, wx",
        "GONGZHI_OIDC_GOV_DISCOVERY_URL": "https://id/.well-known/openid-configuration",
        "GONGZHI_OIDC_GOV_CLIENT_ID": "a",
        "GONGZHI_OIDC_GOV_CLIENT_SECRET": "b",
        "GONGZHI_OIDC_WX_DISCOVERY_URL": "https://wx/.well-known/openid-configuration",
        "GONGZHI_OIDC_WX_CLIENT_ID": "c",
        "GONGZHI_OIDC_WX_CLIENT_SECRET": "d",
        "GONGZHI_OIDC_WX_LABEL": "微信",
    }
    providers = Settings.from_env(env).oidc_providers
    assert [(p.name, p.label) for p in providers] == [("gov", "gov"), ("wx", "微信")]
    del env["GONGZHI_OIDC_WX_CLIENT_SECRET"]
    with pytest.raises(SettingsError, match="WX_CLIENT_SECRET"):
        Settings.from_env(env)


@pytest.mark.parametrize(
    "env",
    [
        {"GONGZHI_ENV": "staging"},
        {"GONGZHI_DEFAULT_LOCALE": "fr"},
        {"GONGZHI_SESSION_MAX_AGE": "soon"},
        {"GONGZHI_ENV": "production", "GONGZHI_SECRET_KEY": "x" * 40},
        {
            "GONGZHI_ENV": "production",
            "GONGZHI_SECRET_KEY": "short",
            "GONGZHI_ID_HASH_KEY": "y" * 40,
        },
        {"GONGZHI_DB_POOL_SIZE": "0"},
        {"GONGZHI_DB_POOL_SIZE": "many"},
        {"GONGZHI_DB_MAX_OVERFLOW": "-1"},
        {"GONGZHI_DB_POOL_TIMEOUT": "soon"},
        {"GONGZHI_DB_POOL_TIMEOUT": "-1"},
        {"GONGZHI_REQUEST_THREADS": "-1"},
        # More request threads than connections: each thread needs one.
        {
            "GONGZHI_DB_POOL_SIZE": "2",
            "GONGZHI_DB_MAX_OVERFLOW": "1",
            "GONGZHI_REQUEST_THREADS": "4",
        },
    ],
)
def test_bad_settings_are_refused(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError):
        Settings.from_env(env)


def test_pool_and_request_threads_from_env() -> None:
    settings = Settings.from_env(
        {
            "GONGZHI_DB_POOL_SIZE": "8",
            "GONGZHI_DB_MAX_OVERFLOW": "2",
            "GONGZHI_DB_POOL_TIMEOUT": "2.5",
        }
    )
    assert (settings.db_pool_size, settings.db_max_overflow, settings.db_pool_timeout) == (
        8,
        2,
        2.5,
    )
    assert settings.threads == 4  # by default 4 of the 10 connections
    small = Settings.from_env({"GONGZHI_DB_POOL_SIZE": "2", "GONGZHI_DB_MAX_OVERFLOW": "1"})
    assert small.threads == 3  # never more threads than connections
    assert Settings.from_env({"GONGZHI_REQUEST_THREADS": "3"}).threads == 3
    assert Settings.from_env({"GONGZHI_REQUEST_THREADS": "0"}).threads == 0  # on the event loop
