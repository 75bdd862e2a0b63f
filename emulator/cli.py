"""The `cloud-job-emulator` command: its option groups, flags and EMULATOR_* variables -> Settings -> a served app."""
from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from aiohttp import web

from typing import Any

from emulator import __version__
from emulator.core.clock import parse_rfc3339
from emulator.core.errors import FixtureError
from emulator.http import collector, limits
from emulator.http.access_log import LOG_FORMAT, AccessLog
from emulator.http.guard import GuardedSite, ParserLog
from emulator.http.app import create_app
from emulator.runtime.emulator import EMULATOR, Emulator
from emulator.runtime.journal import BODY_BYTES
from emulator.runtime.state_file import StateFileError
from emulator.services.catalog import NAMES
from emulator.settings import Settings, kubernetes_version

LOG_LEVELS = ("debug", "info", "warning", "error")

log = logging.getLogger("emulator")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, no usage block
        self.exit(2, f"{self.prog}: error: {message}\n")


def _port(text: str) -> int:
    port = int(text)
    if not 0 <= port <= 65535:
        raise ValueError(text)
    return port


_port.__name__ = "port"  # argparse names the type in its error message


def _seconds(text: str) -> float:
    seconds = float(text)
    if not seconds >= 0 or seconds == float("inf"):
        raise ValueError(text)
    return seconds


_seconds.__name__ = "seconds"


TRUE, FALSE = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


def _env_flag(parser: argparse.ArgumentParser, name: str) -> bool:
    """A boolean variable: the usual spellings of true and false (any case), unset is false; anything else stops."""
    value = os.environ.get(name, "")
    if value.strip().lower() in TRUE:
        return True
    if value.strip().lower() not in FALSE:
        parser.error(f"{name}={value}: not a boolean; give one of {', '.join(TRUE)} or {', '.join(FALSE[1:])}")
    return False


def _env(parser: argparse.ArgumentParser, name: str, convert: Any, default: str | None) -> Any:
    """A typed variable converted now, so that a bad value is named as the variable it came from, not as a flag."""
    value = os.environ.get(name) or default
    if value is None:
        return None
    try:
        return convert(value)
    except (TypeError, ValueError):
        parser.error(f"{name}={value}: not {WHAT[convert]}")


def _count(text: str) -> int:
    count = int(text)
    if count < 1:
        raise ValueError(text)
    return count


_count.__name__ = "count"


def _level(text: str) -> str:
    if text.strip().lower() not in LOG_LEVELS:
        raise ValueError(text)
    return text.strip().lower()


_level.__name__ = "log level"


def _ratio(text: str) -> float:
    ratio = float(text)
    if not 0 < ratio <= 1:
        raise ValueError(text)
    return ratio


_ratio.__name__ = "ratio"


def _factor(text: str) -> float:
    factor = float(text)
    if not 0 <= factor < float("inf"):
        raise ValueError(text)
    return factor


_factor.__name__ = "factor"
WHAT = {_port: "a port (0 to 65535)", _count: "a whole number, 1 or more", _seconds: "a number of seconds, 0 or more",
        _level: f"a log level ({', '.join(LOG_LEVELS)})", _ratio: "a ratio above 0 and at most 1",
        _factor: "a number, 0 or more"}  # what a variable's value must be, for its error

# The resource limits: flag, Settings field (and so its default), help without the variable and default.
LIMITS = (
    ("--max-body-bytes", "max_body_bytes",
     "largest request body; a bigger one gets 413 in the service's envelope (COS: 400 EntityTooLarge)"),
    ("--max-header-bytes", "max_header_bytes",
     "longest request line or header line (name and value); a longer one gets 431 in the service's envelope "
     "(MRS and COS: 400)"),
    ("--watch-buffer", "watch_buffer",
     "Kubernetes watch events queued for one watch; a watch that falls further behind is closed"),
    ("--watch-history", "watch_history",
     "Kubernetes watch events kept for resuming from a resourceVersion; older ones get 410 Expired"),
    ("--max-watches", "max_watches",
     "Kubernetes watches open at once; one more gets 429 TooManyRequests"),
    ("--max-event-streams", "max_event_streams",
     "dashboard event streams (GET /_emulator/events) open at once; one more gets 429 TooManyRequests"),
    ("--event-buffer", "event_buffer",
     "events queued for one dashboard event stream; a stream further behind loses them and is told to resync"),
    ("--max-header-section-bytes", "max_header_section_bytes",
     "request line and header lines together; a longer header section gets a plain 431 and the connection closed"),
    ("--cos-max-object-bytes", "cos_max_object_bytes",
     "largest COS object body kept; a larger write is refused with 400 EntityTooLarge"),
    ("--cos-max-store-bytes", "cos_max_store_bytes",
     "all COS object bodies together; a write past it is refused with 400 EntityTooLarge"),
    ("--cos-tasks-per-second", "cos_tasks_per_second", "COS batch tasks run per emulator second while a job is Active"),
)

# The connection limits: flag, Settings field, help without the variable and default.
TIMEOUTS = (
    ("--header-timeout", "header_timeout",
     "seconds a client has to send a whole header section; a slower connection is closed"),
    ("--body-timeout", "body_timeout",
     "seconds a client has to send a whole body once its headers are in; a slower one gets 408 and is closed"),
    ("--idle-timeout", "idle_timeout",
     "seconds a keep-alive connection may wait for its next request before it is closed"),
)


def _variable(flag: str) -> str:
    return "EMULATOR_" + flag[2:].upper().replace("-", "_")


def add_limit_arguments(parser: argparse.ArgumentParser) -> None:
    for flag, field, text in LIMITS:
        default = getattr(Settings, field)
        variable = _variable(flag)
        parser.add_argument(flag, type=_count, metavar="N", default=_env(parser, variable, _count, str(default)),
                            help=f"{text} ({variable}; default {default})")


def _positive_seconds(text: str) -> float:
    seconds = _seconds(text)
    if not seconds > 0:
        raise ValueError(text)
    return seconds


_positive_seconds.__name__ = "seconds"


def add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    for flag, field, text in TIMEOUTS:
        default = getattr(Settings, field)
        variable = _variable(flag)
        parser.add_argument(flag, type=_positive_seconds, metavar="SECONDS", default=os.environ.get(variable) or
                            str(default), help=f"{text} ({variable}; default {default:g})")
    parser.add_argument("--max-connections", type=int, metavar="N", default=os.environ.get("EMULATOR_MAX_CONNECTIONS")
                        or "0", help="open connections; one more is refused at once (and counted in the log); 0 is "
                                     "the open-file limit less 128 (EMULATOR_MAX_CONNECTIONS; default 0)")


def limit_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The Settings fields of the parsed limit and connection options."""
    return {field: getattr(args, field) for _, field, _ in LIMITS + TIMEOUTS} | {
        "max_connections": max(0, args.max_connections)}


def parse_mode(text: str) -> frozenset[str]:
    """`strict` (every service), a comma-separated list of service names, or `off`/empty; ValueError otherwise."""
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    if names in ([], ["off"]):
        return frozenset()
    if names == ["strict"]:
        return frozenset(NAMES)
    unknown = [name for name in names if name not in NAMES]
    if unknown:
        raise ValueError(f"{', '.join(unknown)} is not strict, off or a service ({', '.join(NAMES)})")
    return frozenset(names)


def add_auth_arguments(parser: argparse.ArgumentParser) -> None:
    """The strict-authentication flags; the repeatable ones fall back to their comma-separated variable only
    when not given at all."""
    parser.add_argument("--auth", metavar="MODE", default=os.environ.get("EMULATOR_AUTH", "off"),
                        help="strict authentication: 'strict' for every service, or a comma-separated list of "
                             f"{', '.join(NAMES)}; 'off' by default (EMULATOR_AUTH)")
    parser.add_argument("--token", action="append", metavar="TOKEN[@PROJECT_ID]",
                        help="a token strict authentication accepts, repeatable; Kubernetes takes any listed token, "
                             "MRS one bound to the path's project or an unbound one (EMULATOR_TOKEN, comma-separated)")
    parser.add_argument("--cos-key", action="append", metavar="SECRET_ID:SECRET_KEY",
                        help="a COS signing key pair, repeatable, besides the fixtures' keys "
                             "(EMULATOR_COS_KEY, comma-separated)")
    parser.add_argument("--huawei-key", action="append", metavar="AK:SK[@PROJECT_ID]",
                        help="an AK/SK pair Huawei's SDKs sign MRS requests with (SDK-HMAC-SHA256), repeatable, "
                             "optionally bound to one project; checked under --auth mrs (EMULATOR_HUAWEI_KEY, "
                             "comma-separated)")
    parser.add_argument("--admin-token", metavar="TOKEN", default=os.environ.get("EMULATOR_ADMIN_TOKEN"),  # set but empty: refused
                        help="the admin API (/_emulator/, but health) then wants it in X-Emulator-Admin-Token "
                             "(EMULATOR_ADMIN_TOKEN; default: the admin API is open)")


def _listed(given: list[str] | None, variable: str) -> list[str]:
    if given is not None:
        return given
    return [item.strip() for item in os.environ.get(variable, "").split(",") if item.strip()]


def auth_settings(args: argparse.Namespace, parser: argparse.ArgumentParser) -> dict[str, Any]:
    """The Settings fields of the parsed authentication options; a bad one stops with a message that never
    repeats a secret."""
    try:
        auth = parse_mode(args.auth)
    except ValueError as error:
        parser.error(f"argument --auth: {error}")
    tokens = tuple(token.strip() for token in _listed(args.token, "EMULATOR_TOKEN"))
    if any(not token or token.startswith("@") for token in tokens):
        parser.error("argument --token: give TOKEN or TOKEN@PROJECT_ID, with a non-empty TOKEN")
    if "kubernetes" in auth and not tokens:
        parser.error("argument --auth: kubernetes needs at least one --token (or EMULATOR_TOKEN)")
    keys = []
    for pair in _listed(args.cos_key, "EMULATOR_COS_KEY"):
        secret_id, _, secret_key = pair.partition(":")
        if not secret_id.strip() or not secret_key.strip():
            parser.error("argument --cos-key: give SECRET_ID:SECRET_KEY, both non-empty")
        keys.append((secret_id.strip(), secret_key.strip()))
    huawei_keys = []
    for entry in _listed(args.huawei_key, "EMULATOR_HUAWEI_KEY"):
        pair, at, project = entry.rpartition("@") if "@" in entry else (entry, "", "")
        access_key, _, secret_key = pair.partition(":")
        if not access_key.strip() or not secret_key.strip() or (at and not project.strip()):
            parser.error("argument --huawei-key: give AK:SK or AK:SK@PROJECT_ID, each part non-empty")
        huawei_keys.append((access_key.strip(), secret_key.strip(), project.strip() or None))
    if "mrs" in auth and not tokens and not huawei_keys:
        parser.error("argument --auth: mrs needs at least one --token or --huawei-key")
    if args.admin_token is not None and not args.admin_token.strip():
        parser.error("argument --admin-token (or EMULATOR_ADMIN_TOKEN): give a non-empty token")
    admin_token = args.admin_token.strip() if args.admin_token else None
    return {"auth": auth, "tokens": tokens, "cos_keys": tuple(keys), "huawei_keys": tuple(huawei_keys),
            "admin_token": admin_token}


def loop_factory():
    """uvloop's event loop where it is installed (it serves about a third more requests per second), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def build_parser() -> argparse.ArgumentParser:
    env = os.environ.get
    parser = _Parser(
        prog="cloud-job-emulator",
        description="In-memory emulator of Kubernetes batch/v1 Jobs (Huawei CCE/CCI), Huawei MRS job "
                    "objects and Tencent COS Batch Operations. Every option can also be set with the "
                    "EMULATOR_* variable named in its help.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--host", default=env("EMULATOR_HOST", "127.0.0.1"),
                        help="address to listen on (EMULATOR_HOST; default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=_env(parser, "EMULATOR_PORT", _port, "8080"),
                        help="port to listen on, 0 picks a free one (EMULATOR_PORT; default 8080)")
    parser.add_argument("--fixtures", type=Path, metavar="DIR", default=env("EMULATOR_FIXTURES") or None,
                        help="folder of fixture files loaded at start and on reset "
                             "(EMULATOR_FIXTURES; default: the bundled fixtures/)")
    parser.add_argument("--no-fixtures", action="store_true", default=_env_flag(parser, "EMULATOR_NO_FIXTURES"),
                        help="start empty (EMULATOR_NO_FIXTURES=1)")
    parser.add_argument("--log-level", choices=LOG_LEVELS, type=_level,
                        default=_env(parser, "EMULATOR_LOG_LEVEL", _level, "info"),
                        help="log verbosity (EMULATOR_LOG_LEVEL; default info)")
    parser.add_argument("--frozen-clock", nargs="?", const="now", metavar="RFC3339",
                        default=env("EMULATOR_FROZEN_CLOCK") or None,
                        help="start with a frozen clock, at the given time or now; it then moves only "
                             "through POST /_emulator/clock (EMULATOR_FROZEN_CLOCK)")
    parser.add_argument("--journal-size", type=_count, metavar="N",
                        default=_env(parser, "EMULATOR_JOURNAL_SIZE", _count, "1000"),
                        help="requests the journal at /_emulator/requests keeps (EMULATOR_JOURNAL_SIZE; default 1000)")
    parser.add_argument("--journal-bodies", action="store_true", default=_env_flag(parser, "EMULATOR_JOURNAL_BODIES"),
                        help="the journal also keeps each request's and answer's body, the first "
                             f"{BODY_BYTES // 1024} KiB of each (EMULATOR_JOURNAL_BODIES=1)")
    add_limit_arguments(parser)
    add_connection_arguments(parser)
    parser.add_argument("--job-duration", type=_seconds, metavar="SECONDS",
                        default=_env(parser, "EMULATOR_JOB_DURATION", _seconds, "10"),
                        help="how long a Kubernetes job created through the API runs on the emulator's clock "
                             "(EMULATOR_JOB_DURATION; default 10)")
    parser.add_argument("--mrs-job-duration", type=_seconds, metavar="SECONDS",
                        default=_env(parser, "EMULATOR_MRS_JOB_DURATION", _seconds, "10"),
                        help="how long an MRS job execution runs on the emulator's clock, unless its properties "
                             "say otherwise (EMULATOR_MRS_JOB_DURATION; default 10)")
    parser.add_argument("--no-job-controller", action="store_true",
                        default=_env_flag(parser, "EMULATOR_NO_JOB_CONTROLLER"),
                        help="leave Kubernetes job status to clients (EMULATOR_NO_JOB_CONTROLLER=1)")
    parser.add_argument("--kubernetes-version", metavar="1.MINOR[.PATCH]",
                        default=env("EMULATOR_KUBERNETES_VERSION", Settings.kubernetes_version),
                        help="the Kubernetes version /version reports; Table columns follow it "
                             f"(EMULATOR_KUBERNETES_VERSION; default {Settings.kubernetes_version})")
    parser.add_argument("--cos-step-seconds", type=_seconds, metavar="SECONDS",
                        default=_env(parser, "EMULATOR_COS_STEP_SECONDS", _seconds, "2"),
                        help="seconds between a COS batch job's automatic status steps "
                             "(EMULATOR_COS_STEP_SECONDS; default 2)")
    parser.add_argument("--cos-require-signature", action="store_true",
                        default=_env_flag(parser, "EMULATOR_COS_REQUIRE_SIGNATURE"),
                        help="the same as --auth cos_batch, which it adds to any other --auth "
                             "(EMULATOR_COS_REQUIRE_SIGNATURE=1)")
    parser.add_argument("--cos-strict-manifests", action="store_true",
                        default=_env_flag(parser, "EMULATOR_COS_STRICT_MANIFESTS"),
                        help="a COS job whose manifest bucket the emulator does not hold fails, as on COS; "
                             "by default it runs imaginary tasks (EMULATOR_COS_STRICT_MANIFESTS=1)")
    parser.add_argument("--cos-failure-min-tasks", type=_count, metavar="N",
                        default=_env(parser, "EMULATOR_COS_FAILURE_MIN_TASKS", _count,
                                     str(Settings.cos_failure_min_tasks)),
                        help="a COS job fails once more than N of its tasks ran and more than --cos-failure-ratio "
                             "of them failed (EMULATOR_COS_FAILURE_MIN_TASKS; default "
                             f"{Settings.cos_failure_min_tasks}, as on COS)")
    parser.add_argument("--cos-failure-ratio", type=_ratio, metavar="RATIO",
                        default=_env(parser, "EMULATOR_COS_FAILURE_RATIO", _ratio, str(Settings.cos_failure_ratio)),
                        help="the share of failed COS tasks that fails a job (EMULATOR_COS_FAILURE_RATIO; default "
                             f"{Settings.cos_failure_ratio:g}, as on COS)")
    parser.add_argument("--cos-restore-scale", type=_factor, metavar="FACTOR",
                        default=_env(parser, "EMULATOR_COS_RESTORE_SCALE", _factor, str(Settings.cos_restore_scale)),
                        help="multiplies how long a COS restore takes on the emulator clock, e.g. 0.001 for "
                             "seconds instead of hours (EMULATOR_COS_RESTORE_SCALE; default 1)")
    add_auth_arguments(parser)
    parser.add_argument("--state-file", type=Path, metavar="PATH", default=env("EMULATOR_STATE_FILE") or None,
                        help="load the state from this file at start if it exists (instead of the fixtures), "
                             "and save it there on SIGTERM/SIGINT and POST /_emulator/snapshot "
                             "(EMULATOR_STATE_FILE; default: state is kept in memory only)")
    parser.add_argument("--snapshot-interval", type=_seconds, metavar="SECONDS",
                        default=_env(parser, "EMULATOR_SNAPSHOT_INTERVAL", _seconds, "0"),
                        help="also save the state file every SECONDS while running; 0 is never "
                             "(EMULATOR_SNAPSHOT_INTERVAL; default 0)")
    parser.add_argument("--quiet", action="store_true", default=_env_flag(parser, "EMULATOR_QUIET"),
                        help="no access log line per request (EMULATOR_QUIET=1)")
    return parser


def parse_settings(argv: Sequence[str] | None = None) -> Settings:
    parser = build_parser()
    args = parser.parse_args(argv)
    frozen: datetime | None = None
    if args.frozen_clock is not None and args.frozen_clock.strip().lower() != "now":
        try:
            frozen = parse_rfc3339(args.frozen_clock)
        except ValueError as error:
            parser.error(f"argument --frozen-clock: {error}")
    try:
        kubernetes_version(args.kubernetes_version)
    except ValueError as error:
        parser.error(f"argument --kubernetes-version: {error}")
    if args.snapshot_interval and args.state_file is None:
        parser.error("argument --snapshot-interval: needs --state-file (or EMULATOR_STATE_FILE)")
    return Settings(
        host=args.host,
        port=args.port,
        fixtures=args.fixtures,
        load_fixtures=not args.no_fixtures,
        log_level=args.log_level,
        clock_start=frozen,
        clock_frozen=args.frozen_clock is not None,
        journal_size=args.journal_size,
        journal_bodies=args.journal_bodies,
        job_controller=not args.no_job_controller,
        job_duration=args.job_duration,
        kubernetes_version=args.kubernetes_version.strip(),
        mrs_job_duration=args.mrs_job_duration,
        cos_step_seconds=max(0.0, args.cos_step_seconds),
        cos_require_signature=args.cos_require_signature,
        cos_strict_manifests=args.cos_strict_manifests,
        cos_failure_min_tasks=args.cos_failure_min_tasks,
        cos_failure_ratio=args.cos_failure_ratio,
        cos_restore_scale=args.cos_restore_scale,
        state_file=args.state_file,
        snapshot_interval=args.snapshot_interval or None,
        quiet=args.quiet,
        **limit_settings(args),
        **auth_settings(args, parser),
    )


def _log_start_up(emulator: Emulator) -> None:
    """What it serves and from where (the URL is on stdout, printed once)."""
    settings = emulator.settings
    log.info("services: %s", ", ".join(emulator.services))
    log.info("started from %s", emulator.source)
    if settings.state_file:
        log.info("state is saved to %s on stop%s", settings.state_file,
                 f" and every {settings.snapshot_interval:g} s" if settings.snapshot_interval else "")


async def serve(settings: Settings) -> None:
    """Serve until SIGINT or SIGTERM; print the base URL once connections are accepted."""
    access_logger = logging.getLogger("emulator.access")
    access_log = AccessLog(access_logger) if not settings.quiet and access_logger.isEnabledFor(logging.INFO) else None
    app = create_app(settings, access_log)  # the emulator's layer writes the lines, not aiohttp
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=5,
                           handler_cancellation=True,  # a dropped watch ends at once; writes never await
                           keepalive_timeout=settings.idle_timeout, logger=ParserLog(),
                           **limits.parser_options(settings))  # lines over the header limit reach the envelope
    await runner.setup()
    collector.pace_for_serving()
    serving = False
    try:
        site = GuardedSite(runner, settings)  # the connection cap and the read timeouts
        await site.start()
        serving = True
        host, port = site._server.sockets[0].getsockname()[:2]  # the real port when 0 was asked for
        shown = f"[{host}]" if ":" in host else host
        url = f"http://{shown}:{port}"
        print(f"cloud-job-emulator {__version__} listening on {url}", flush=True)
        _log_start_up(app[EMULATOR])
        log.info("dashboard: %s/_emulator/ui; OpenAPI document: %s/_emulator/openapi.json", url, url)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()
    finally:
        await runner.cleanup()
        if access_log is not None:
            access_log.close()
        if serving:
            log.info("stopped; %s", f"the state is in {settings.state_file}" if settings.state_file
                     else "the state was kept in memory only")


def main(argv: Sequence[str] | None = None) -> int:
    settings = parse_settings(argv)
    logging.basicConfig(level=settings.log_level.upper(), format=LOG_FORMAT)
    try:
        with asyncio.Runner(loop_factory=loop_factory()) as runner:
            runner.run(serve(settings))
    except FixtureError as error:
        print(f"cloud-job-emulator: bad fixture: {error}", file=sys.stderr)
        return 1
    except StateFileError as error:
        print(f"cloud-job-emulator: {error}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"cloud-job-emulator: cannot listen on {settings.host}:{settings.port}: {error.strerror or error}",
              file=sys.stderr)
        return 1
    return 0
