"""How one emulator is configured: a frozen dataclass, filled from flags and EMULATOR_* variables."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path


def bundled_fixtures() -> Path:
    """The fixtures shipped with the package (inside a wheel) or beside it (in a checkout)."""
    packaged = Path(__file__).resolve().parent / "_fixtures"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent / "fixtures"


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    fixtures: Path | None = None  # None: the bundled fixtures
    load_fixtures: bool = True
    log_level: str = "info"
    clock_start: datetime | None = None  # None: the system time at start
    clock_frozen: bool = False
    id_seed: int | None = None
    max_body_bytes: int = 3 * 1024 * 1024  # kube-apiserver's request body limit
    max_header_bytes: int = 64 * 1024  # longest request line or header line (name and value) accepted
    watch_history: int = 10000  # Kubernetes watch events kept for resuming from a resourceVersion
    watch_buffer: int = 10000  # events queued for one watcher before it is cut off
    max_watches: int = 4096  # Kubernetes watches open at once; one more is refused with 429
    journal_size: int = 1000  # requests the journal keeps
    journal_bodies: bool = False  # the journal also keeps each request's and answer's body (journal.BODY_BYTES each)
    job_controller: bool = True  # run API-created Kubernetes jobs on the clock
    job_duration: float = 10.0  # seconds a simulated Kubernetes job runs, unless annotated otherwise
    cos_step_seconds: float = 2.0  # seconds between a COS job's automatic status steps
    cos_require_signature: bool = False  # the same as "cos_batch" in auth (the older flag)
    state_file: Path | None = None  # where state is loaded from at start and saved to; None: kept in memory only
    snapshot_interval: float | None = None  # seconds between automatic saves to state_file; None: only on stop
    quiet: bool = False  # no access log line per request
    auth: frozenset[str] = frozenset()  # services under strict authentication ("kubernetes", "mrs", "cos_batch")
    # Credentials: never in repr(), so never in a log line that shows the settings.
    tokens: tuple[str, ...] = field(default=(), repr=False)  # "TOKEN" or "TOKEN@PROJECT_ID" (MRS binding)
    cos_keys: tuple[tuple[str, str], ...] = field(default=(), repr=False)  # (SecretId, SecretKey) pairs
    admin_token: str | None = field(default=None, repr=False)  # required by /_emulator/ (but health) when set

    @property
    def strict(self) -> frozenset[str]:
        """The services that refuse requests without valid credentials (`cos_require_signature` is `cos_batch`)."""
        return self.auth | {"cos_batch"} if self.cos_require_signature else self.auth

    @property
    def fixtures_dir(self) -> Path | None:
        if not self.load_fixtures:
            return None
        return self.fixtures or bundled_fixtures()
