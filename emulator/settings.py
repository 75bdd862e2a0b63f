"""How one emulator is configured: a frozen dataclass, filled from flags and EMULATOR_* variables."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import datetime
from pathlib import Path


@lru_cache(maxsize=1)
def bundled_fixtures() -> Path:
    """The fixtures shipped with the package (inside a wheel) or beside it (in a checkout); found once, as the
    package does not move (resolving the path was ~13% of a reset)."""
    packaged = Path(__file__).resolve().parent / "_fixtures"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parent.parent / "fixtures"


_KUBERNETES_VERSION = re.compile(r"v?1\.(\d{1,3})(?:\.(\d{1,4}))?")


def kubernetes_version(text: str) -> tuple[int, int]:
    """`1.36`, `1.36.2` or `v1.36.2` as (minor, patch); ValueError otherwise."""
    match = _KUBERNETES_VERSION.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a Kubernetes version such as 1.36 or 1.36.2")
    return int(match.group(1)), int(match.group(2) or 0)


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
    max_event_streams: int = 16  # dashboard event streams (GET /_emulator/events) open at once; one more gets 429
    event_buffer: int = 1000  # events queued for one event stream; past it they are dropped and it is told to resync
    max_header_section_bytes: int = (1 << 20) + 4096  # request line and headers together (Go's MaxHeaderBytes + slack)
    max_connections: int = 0  # open connections; 0: the open-file limit less a reserve (emulator.http.guard)
    header_timeout: float = 32.0  # seconds to send a whole header section (kube-apiserver's ReadHeaderTimeout)
    body_timeout: float = 60.0  # seconds to send a whole body once its headers are in (kube-apiserver's request timeout)
    idle_timeout: float = 90.0  # seconds a keep-alive connection may wait for its next request (kube-apiserver's)
    journal_size: int = 1000  # requests the journal keeps
    journal_bodies: bool = False  # the journal also keeps each request's and answer's body (journal.BODY_BYTES each)
    job_controller: bool = True  # run API-created Kubernetes jobs on the clock
    job_duration: float = 10.0  # seconds a simulated Kubernetes job runs, unless annotated otherwise
    kubernetes_version: str = "1.37.0"  # the version /version reports (Table columns and /version keys follow it)
    mrs_job_duration: float = 10.0  # seconds an MRS job execution runs, unless its properties/configs say otherwise
    cos_step_seconds: float = 2.0  # seconds between a COS job's automatic status steps
    cos_require_signature: bool = False  # the same as "cos_batch" in auth (the older flag)
    cos_max_object_bytes: int = 16 * 1024 * 1024  # largest COS object body kept; past it 400 EntityTooLarge
    cos_max_store_bytes: int = 256 * 1024 * 1024  # all COS object bodies together; past it 400 EntityTooLarge
    cos_tasks_per_second: int = 100  # COS batch tasks run per emulator second while a job is Active
    cos_strict_manifests: bool = False  # a manifest in a bucket the emulator lacks fails the job (else: imaginary tasks)
    cos_failure_min_tasks: int = 1000  # a COS job fails once more than this many tasks ran ...
    cos_failure_ratio: float = 0.5  # ... and more than this share of them failed
    cos_restore_scale: float = 1.0  # multiplies COS restore durations (ARCHIVE Bulk: 5 h)
    state_file: Path | None = None  # where state is loaded from at start and saved to; None: kept in memory only
    snapshot_interval: float | None = None  # seconds between automatic saves to state_file; None: only on stop
    quiet: bool = False  # no access log line per request
    auth: frozenset[str] = frozenset()  # services under strict authentication ("kubernetes", "mrs", "cos_batch")
    # Credentials: never in repr(), so never in a log line that shows the settings.
    tokens: tuple[str, ...] = field(default=(), repr=False)  # "TOKEN" or "TOKEN@PROJECT_ID" (MRS binding)
    cos_keys: tuple[tuple[str, str], ...] = field(default=(), repr=False)  # (SecretId, SecretKey) pairs
    huawei_keys: tuple[tuple[str, str, str | None], ...] = field(default=(), repr=False)  # (AK, SK, project or None)
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
