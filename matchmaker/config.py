"""Typed settings read from MATCHMAKER_* environment variables.

Settings are built explicitly (``Settings()`` in create_app or the CLI), never at import,
so tests can point two apps at two data dirs in one process.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

SECRET_FILE = "secret_key"  # noqa: S105 - a file name
MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MATCHMAKER_", extra="ignore")

    data_dir: Path = Field(default=Path("var"))
    database_url: str | None = None
    secret_key: str | None = None
    # Cookies are marked Secure when the request came over TLS; force it behind a TLS proxy.
    cookie_secure: bool | None = None
    session_days: int = Field(default=14, ge=1, le=365)
    public_url: str = "http://127.0.0.1:8000"
    # Mail goes to DATA_DIR/outbox as .eml files unless an SMTP server is named:
    # smtp://user:pass@host:587?starttls=1 or smtps://user:pass@host:465.
    smtp_url: str | None = None
    mail_from: str = "matchmaker <noreply@matchmaker.invalid>"
    # Redis (redis://host:6379/0) shares the live bus, rate limits and cache between server
    # processes; without it each process keeps them in memory.
    redis_url: str | None = None
    # Jobs (docs/jobs.md): without Redis the server runs them in a thread of its own; with
    # Redis it only enqueues them and `matchmaker worker` processes run them.
    embedded_worker: bool = True
    job_attempts: int = Field(default=3, ge=1)  # tries of a job failing with a transient error
    job_backoff_seconds: float = Field(default=2.0, ge=0)  # doubled after every failed try
    # A search engine for need search and candidate retrieval: opensearch+http://host:9200,
    # elasticsearch+https://user:password@host:9200. Without it both run in process.
    search_url: str | None = None
    search_prefix: str = "matchmaker"  # index and alias names start with this
    search_ca_file: Path | None = None  # CA certificate of an https engine
    search_replicas: int = Field(default=0, ge=0)  # replicas per index; 1+ on a cluster
    # How long ranked match results stay in the cache (0: not cached); any write moves them.
    result_cache_seconds: int = Field(default=600, ge=0)
    # Connections per process (the pool grows to twice this in bursts), and how long a
    # request waits for one before the answer is 503 "busy".
    database_pool_size: int = Field(default=10, ge=1)
    database_pool_timeout_seconds: float = Field(default=10, gt=0)
    # Request bodies: forms and JSON, and forms with files (docs/security.md, Limits).
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    max_upload_bytes: int = Field(default=10_485_760, ge=1024)
    # Attempts allowed per window, counted per client IP and per email address.
    login_limit: int = Field(default=10, ge=1)  # per IP and email address
    login_ip_limit: int = Field(default=100, ge=1)  # per IP, all addresses together
    signup_limit: int = Field(default=5, ge=1)
    password_reset_limit: int = Field(default=5, ge=1)
    rate_limit_window_seconds: int = Field(default=60, ge=1)
    # Account lockout (stored on the user row, so every process sees it): after this many
    # failed logins in a row the account is locked, first for lockout_minutes, each further
    # lock twice as long up to lockout_max_minutes; a successful login or an admin resets it.
    lockout_threshold: int = Field(default=10, ge=1)
    lockout_minutes: int = Field(default=15, ge=1)
    lockout_max_minutes: int = Field(default=24 * 60, ge=1)
    # Audit events older than this are removed by `matchmaker audit purge`; 0 keeps them all.
    audit_retention_days: int = Field(default=3 * 365, ge=0)

    @field_validator("secret_key")
    @classmethod
    def _strong_secret(cls, value: str | None) -> str | None:
        if value is not None and len(value) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"MATCHMAKER_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters"
            )
        return value

    def prepared(self) -> Settings:
        """Resolve defaults that need the data dir: the dir itself, the database, the secret."""
        data_dir = self.data_dir.expanduser().resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
        database_url = self.database_url or f"sqlite:///{data_dir / 'matchmaker.sqlite3'}"
        secret_key = self.secret_key or _stored_secret(data_dir)
        return self.model_copy(
            update={"data_dir": data_dir, "database_url": database_url, "secret_key": secret_key}
        )

    @property
    def db_url(self) -> str:
        if self.database_url is None:
            raise RuntimeError("Settings.prepared() must be called before use")
        return self.database_url

    @property
    def secret(self) -> str:
        if self.secret_key is None:
            raise RuntimeError("Settings.prepared() must be called before use")
        return self.secret_key


def _stored_secret(data_dir: Path) -> str:
    """Generate the secret once per data dir so sessions survive restarts without config."""
    path = data_dir / SECRET_FILE
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    value = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.write_text(value, encoding="utf-8")
    return value


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment plus explicit overrides, with data-dir defaults resolved."""
    return Settings(**overrides).prepared()  # type: ignore[arg-type]
