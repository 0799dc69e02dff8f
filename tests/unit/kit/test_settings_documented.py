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
    ],
)
def test_bad_settings_are_refused(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError):
        Settings.from_env(env)
