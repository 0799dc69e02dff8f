"""Settings: one frozen object, the only reader of the environment.

Every setting is declared once in :data:`SETTINGS` with its variable, default
and help text; the README documents each (a test checks it).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from web.kit.client_ip import Network, parse_networks


class Setting(NamedTuple):
    env: str
    default: str
    help: str


DEV_SECRET = "dev-only-insecure-secret-key"
DEV_ID_KEY = "dev-only-insecure-id-hash-key"
#: Request threads per web process when GONGZHI_REQUEST_THREADS is empty (see Settings.threads).
DEFAULT_REQUEST_THREADS = 4

SETTINGS: dict[str, Setting] = {
    "environment": Setting(
        "GONGZHI_ENV",
        "development",
        "development, test or production; production refuses "
        "default secrets and marks cookies Secure when the base URL is https.",
    ),
    "database_url": Setting(
        "GONGZHI_DATABASE_URL",
        "sqlite:///var/gongzhi.db",
        "SQLAlchemy URL: SQLite (WAL) by default, postgresql+psycopg://... for larger sites.",
    ),
    "db_pool_size": Setting(
        "GONGZHI_DB_POOL_SIZE",
        "5",
        "Database connections each web process keeps open (SQLAlchemy's pool_size).",
    ),
    "db_max_overflow": Setting(
        "GONGZHI_DB_MAX_OVERFLOW",
        "5",
        "Connections a web process may open beyond the pool size under load; closed "
        "again when returned (max_overflow).",
    ),
    "db_pool_timeout": Setting(
        "GONGZHI_DB_POOL_TIMEOUT",
        "10",
        "Seconds a request waits for a connection (or for a request thread) before it "
        "is answered 503, the portal is busy, in the user's language.",
    ),
    "request_threads": Setting(
        "GONGZHI_REQUEST_THREADS",
        "",
        "Requests a web process serves at once on threads of their own, each with one "
        "connection (web/kit/request_threads.py); empty: 4, or pool size plus max "
        "overflow when smaller; 0: on the event loop, as before.",
    ),
    "page_cache_mb": Setting(
        "GONGZHI_PAGE_CACHE_MB",
        "32",
        "Megabytes of public pages each web process keeps to show again while no table "
        "they were made from has changed (web/kit/page_cache.py); 0 turns it off.",
    ),
    "secret_key": Setting(
        "GONGZHI_SECRET_KEY", DEV_SECRET, "Signs session cookies and CSRF tokens."
    ),
    "id_hash_key": Setting(
        "GONGZHI_ID_HASH_KEY",
        DEV_ID_KEY,
        "Keys the hash of ID numbers on the rolls; changing it orphans every roll entry.",
    ),
    "base_url": Setting(
        "GONGZHI_BASE_URL",
        "http://127.0.0.1:8000",
        "Public URL of the portal, used for OIDC redirect URIs and links in mail.",
    ),
    "default_locale": Setting("GONGZHI_DEFAULT_LOCALE", "zh_CN", "zh_CN or en."),
    "oidc_providers": Setting(
        "GONGZHI_OIDC_PROVIDERS",
        "",
        "Comma-separated provider names; each NAME needs GONGZHI_OIDC_<NAME>_DISCOVERY_URL, "
        "_CLIENT_ID, _CLIENT_SECRET and optionally _LABEL.",
    ),
    "smtp_url": Setting(
        "GONGZHI_SMTP_URL",
        "",
        "smtp://user:password@host:587 for outgoing mail; empty: mail "
        "is written to the outbox table only.",
    ),
    "mail_from": Setting("GONGZHI_MAIL_FROM", "noreply@gongzhi.local", "Sender of outgoing mail."),
    "sms_url": Setting(
        "GONGZHI_SMS_URL",
        "",
        "The SMS provider's HTTP endpoint: each text message (password reset codes) is a "
        'POST of {"to": ..., "text": ...} as JSON; empty: no text messages are sent.',
    ),
    "sms_key": Setting(
        "GONGZHI_SMS_KEY", "", "The SMS provider's API key, sent as a bearer token."
    ),
    "sms_timeout": Setting(
        "GONGZHI_SMS_TIMEOUT", "5", "Seconds to wait at most for the SMS provider."
    ),
    "trust_proxy": Setting(
        "GONGZHI_TRUST_PROXY",
        "0",
        "The number of reverse proxies in front of the portal (0: none). The client "
        "address is taken that many entries from the right of X-Forwarded-For; entries "
        "further left are written by the client and never believed.",
    ),
    "trusted_proxies": Setting(
        "GONGZHI_TRUSTED_PROXIES",
        "",
        "Instead of counting: the proxies' addresses or networks, comma-separated "
        "(127.0.0.1,10.0.0.0/8). X-Forwarded-For is read only from them, and the client "
        "is its rightmost address outside the list.",
    ),
    "metrics_allow": Setting(
        "GONGZHI_METRICS_ALLOW",
        "127.0.0.1,::1",
        "Addresses or networks allowed to read /metrics, comma-separated; the scraper must "
        "connect directly (a request that came through a proxy is refused), others get 404.",
    ),
    "session_max_age": Setting(
        "GONGZHI_SESSION_MAX_AGE", "1209600", "Session cookie lifetime in seconds."
    ),
    "cheap_hashing": Setting(
        "GONGZHI_CHEAP_HASHING", "0", "1 only in tests: a fast, insecure password hash profile."
    ),
    "opinion_map_quiet": Setting(
        "GONGZHI_OPINION_MAP_QUIET",
        "10",
        "Seconds without a new vote after which the worker recomputes a consultation's "
        "opinion map.",
    ),
    "opinion_map_max_delay": Setting(
        "GONGZHI_OPINION_MAP_MAX_DELAY",
        "60",
        "Seconds after the first vote the stored opinion map lacks by which the worker "
        "recomputes it, even while votes keep coming.",
    ),
    "opinion_map_min_interval": Setting(
        "GONGZHI_OPINION_MAP_MIN_INTERVAL",
        "30",
        "Seconds the worker waits at least between two computations of one consultation's "
        "opinion map.",
    ),
}


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class OIDCProvider:
    name: str
    label: str
    discovery_url: str
    client_id: str
    client_secret: str


@dataclass(frozen=True)
class Settings:
    environment: str = "development"
    database_url: str = "sqlite:///var/gongzhi.db"
    db_pool_size: int = 5
    db_max_overflow: int = 5
    db_pool_timeout: float = 10
    request_threads: int | None = None
    page_cache_mb: int = 32
    secret_key: str = DEV_SECRET
    id_hash_key: str = DEV_ID_KEY
    base_url: str = "http://127.0.0.1:8000"
    default_locale: str = "zh_CN"
    oidc_providers: tuple[OIDCProvider, ...] = field(default_factory=tuple)
    smtp_url: str = ""
    mail_from: str = "noreply@gongzhi.local"
    sms_url: str = ""
    sms_key: str = ""
    sms_timeout: float = 5
    trust_proxy: int = 0
    trusted_proxies: str = ""
    metrics_allow: str = "127.0.0.1,::1"
    session_max_age: int = 1209600
    cheap_hashing: bool = False
    opinion_map_quiet: int = 10
    opinion_map_max_delay: int = 60
    opinion_map_min_interval: int = 30

    def __post_init__(self) -> None:
        if self.environment not in {"development", "test", "production"}:
            raise SettingsError(
                f"GONGZHI_ENV must be development, test or production, not {self.environment!r}"
            )
        if self.environment == "production":
            if self.secret_key == DEV_SECRET or len(self.secret_key) < 32:
                raise SettingsError(
                    "GONGZHI_SECRET_KEY must be set to 32+ random characters in production"
                )
            if self.id_hash_key == DEV_ID_KEY or len(self.id_hash_key) < 32:
                raise SettingsError(
                    "GONGZHI_ID_HASH_KEY must be set to 32+ random characters in production"
                )
            if self.cheap_hashing:
                raise SettingsError("GONGZHI_CHEAP_HASHING is for tests only")
        if self.trust_proxy < 0:
            raise SettingsError("GONGZHI_TRUST_PROXY must be a number of proxies from 0")
        try:
            parse_networks(self.trusted_proxies)
        except ValueError:
            raise SettingsError(
                "GONGZHI_TRUSTED_PROXIES must list IP addresses or networks, comma-separated"
            ) from None
        try:
            parse_networks(self.metrics_allow)
        except ValueError:
            raise SettingsError(
                "GONGZHI_METRICS_ALLOW must list IP addresses or networks, comma-separated"
            ) from None
        if not 0 < self.sms_timeout <= 60:
            raise SettingsError("GONGZHI_SMS_TIMEOUT must be a number of seconds from 0 to 60")
        if self.default_locale not in {"zh_CN", "en"}:
            raise SettingsError("GONGZHI_DEFAULT_LOCALE must be zh_CN or en")
        if self.db_pool_size < 1:
            raise SettingsError("GONGZHI_DB_POOL_SIZE must be a number of connections from 1")
        if self.db_max_overflow < 0:
            raise SettingsError("GONGZHI_DB_MAX_OVERFLOW must be a number of connections from 0")
        if not self.db_pool_timeout >= 0:
            raise SettingsError("GONGZHI_DB_POOL_TIMEOUT must be a number of seconds from 0")
        if not 0 <= self.page_cache_mb <= 4096:
            raise SettingsError(
                "GONGZHI_PAGE_CACHE_MB must be a number of megabytes from 0 to 4096"
            )
        connections = self.db_pool_size + self.db_max_overflow
        if self.request_threads is not None and not 0 <= self.request_threads <= connections:
            raise SettingsError(
                "GONGZHI_REQUEST_THREADS must be from 0 to GONGZHI_DB_POOL_SIZE plus "
                f"GONGZHI_DB_MAX_OVERFLOW ({connections}): each thread needs a connection"
            )
        for name in ("opinion_map_quiet", "opinion_map_max_delay", "opinion_map_min_interval"):
            if getattr(self, name) < 0:
                raise SettingsError(f"{SETTINGS[name].env} must be a number of seconds from 0")

    @property
    def threads(self) -> int:
        """Request threads per web process: 0 serves on the event loop.

        By default 4, or the pool's connections when fewer: every request thread holds
        a connection, and threads beyond a few cost more than they overlap. Measured
        (server CPU per request, ab -c 16, one process, SQLite demo): /areas 0.95 ms
        with 1 thread, 1.1-1.3 ms with 2-4 and 1.4-1.5 ms with 10, the threads
        taking the GIL from one another; a round trip to PostgreSQL or a wait for
        SQLite's write lock releases it, so four threads still overlap those waits."""
        if self.request_threads is None:
            return min(DEFAULT_REQUEST_THREADS, self.db_pool_size + self.db_max_overflow)
        return self.request_threads

    @cached_property
    def proxy_networks(self) -> tuple[Network, ...]:
        return parse_networks(self.trusted_proxies)

    @cached_property
    def metrics_networks(self) -> tuple[Network, ...]:
        return parse_networks(self.metrics_allow)

    @property
    def https(self) -> bool:
        return self.base_url.startswith("https://")

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> Settings:
        def get(name: str) -> str:
            spec = SETTINGS[name]
            return environ.get(spec.env, spec.default)

        providers = []
        for raw in get("oidc_providers").split(","):
            name = raw.strip()
            if not name:
                continue
            prefix = f"GONGZHI_OIDC_{name.upper()}_"
            try:
                providers.append(
                    OIDCProvider(
                        name=name.lower(),
                        label=environ.get(prefix + "LABEL", name),
                        discovery_url=environ[prefix + "DISCOVERY_URL"],
                        client_id=environ[prefix + "CLIENT_ID"],
                        client_secret=environ[prefix + "CLIENT_SECRET"],
                    )
                )
            except KeyError as missing:
                raise SettingsError(f"OIDC provider {name}: {missing.args[0]} is not set") from None
        try:
            max_age = int(get("session_max_age"))
        except ValueError:
            raise SettingsError("GONGZHI_SESSION_MAX_AGE must be a number of seconds") from None
        try:
            proxies = int(get("trust_proxy"))
        except ValueError:
            raise SettingsError("GONGZHI_TRUST_PROXY must be a number of proxies") from None
        seconds: dict[str, int] = {}
        for name in ("opinion_map_quiet", "opinion_map_max_delay", "opinion_map_min_interval"):
            try:
                seconds[name] = int(get(name))
            except ValueError:
                raise SettingsError(f"{SETTINGS[name].env} must be a number of seconds") from None
        pool = {}
        for name in ("db_pool_size", "db_max_overflow"):
            try:
                pool[name] = int(get(name))
            except ValueError:
                raise SettingsError(
                    f"{SETTINGS[name].env} must be a number of connections"
                ) from None
        try:
            timeout = float(get("db_pool_timeout"))
        except ValueError:
            raise SettingsError("GONGZHI_DB_POOL_TIMEOUT must be a number of seconds") from None
        try:
            sms_timeout = float(get("sms_timeout"))
        except ValueError:
            raise SettingsError("GONGZHI_SMS_TIMEOUT must be a number of seconds") from None
        threads = get("request_threads").strip()
        try:
            request_threads = int(threads) if threads else None
        except ValueError:
            raise SettingsError("GONGZHI_REQUEST_THREADS must be a number of threads") from None
        try:
            page_cache_mb = int(get("page_cache_mb"))
        except ValueError:
            raise SettingsError("GONGZHI_PAGE_CACHE_MB must be a number of megabytes") from None
        return cls(
            environment=get("environment"),
            database_url=get("database_url"),
            db_pool_size=pool["db_pool_size"],
            db_max_overflow=pool["db_max_overflow"],
            db_pool_timeout=int(timeout) if timeout.is_integer() else timeout,
            request_threads=request_threads,
            page_cache_mb=page_cache_mb,
            secret_key=get("secret_key"),
            id_hash_key=get("id_hash_key"),
            base_url=get("base_url").rstrip("/"),
            default_locale=get("default_locale"),
            oidc_providers=tuple(providers),
            smtp_url=get("smtp_url"),
            mail_from=get("mail_from"),
            sms_url=get("sms_url"),
            sms_key=get("sms_key"),
            sms_timeout=int(sms_timeout) if sms_timeout.is_integer() else sms_timeout,
            trust_proxy=proxies,
            trusted_proxies=get("trusted_proxies"),
            metrics_allow=get("metrics_allow"),
            session_max_age=max_age,
            cheap_hashing=get("cheap_hashing") == "1",
            opinion_map_quiet=seconds["opinion_map_quiet"],
            opinion_map_max_delay=seconds["opinion_map_max_delay"],
            opinion_map_min_interval=seconds["opinion_map_min_interval"],
        )


def settings_or_exit() -> Settings:
    """The settings from the environment, for commands: a bad setting ends the
    command with its message (exit status 1), never a traceback."""
    try:
        return Settings.from_env(os.environ)
    except SettingsError as error:
        sys.exit(f"gongzhi: {error}")
