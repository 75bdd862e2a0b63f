"""The `cloud-job-emulator` command: flags and EMULATOR_* variables -> Settings -> a served app."""
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

from emulator import __version__, auth_options, limit_options, limits
from emulator.access_log import LOG_FORMAT, AccessLog
from emulator.app import EMULATOR, Emulator, create_app
from emulator.core.clock import parse_rfc3339
from emulator.core.errors import FixtureError
from emulator.settings import Settings
from emulator.state import StateFileError

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


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


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
    parser.add_argument("--port", type=_port, default=env("EMULATOR_PORT", "8080"),
                        help="port to listen on, 0 picks a free one (EMULATOR_PORT; default 8080)")
    parser.add_argument("--fixtures", type=Path, metavar="DIR", default=env("EMULATOR_FIXTURES") or None,
                        help="folder of fixture files loaded at start and on reset "
                             "(EMULATOR_FIXTURES; default: the bundled fixtures/)")
    parser.add_argument("--no-fixtures", action="store_true", default=_env_flag("EMULATOR_NO_FIXTURES"),
                        help="start empty (EMULATOR_NO_FIXTURES=1)")
    parser.add_argument("--log-level", choices=LOG_LEVELS, default=env("EMULATOR_LOG_LEVEL", "info").lower(),
                        help="log verbosity (EMULATOR_LOG_LEVEL; default info)")
    parser.add_argument("--frozen-clock", nargs="?", const="now", metavar="RFC3339",
                        default=env("EMULATOR_FROZEN_CLOCK") or None,
                        help="start with a frozen clock, at the given time or now; it then moves only "
                             "through POST /_emulator/clock (EMULATOR_FROZEN_CLOCK)")
    parser.add_argument("--journal-size", type=int, metavar="N", default=env("EMULATOR_JOURNAL_SIZE", "1000"),
                        help="requests the journal at /_emulator/requests keeps (EMULATOR_JOURNAL_SIZE; default 1000)")
    limit_options.add_arguments(parser)
    parser.add_argument("--job-duration", type=_seconds, metavar="SECONDS", default=env("EMULATOR_JOB_DURATION", "10"),
                        help="how long a Kubernetes job created through the API runs on the emulator's clock "
                             "(EMULATOR_JOB_DURATION; default 10)")
    parser.add_argument("--no-job-controller", action="store_true", default=_env_flag("EMULATOR_NO_JOB_CONTROLLER"),
                        help="leave Kubernetes job status to clients (EMULATOR_NO_JOB_CONTROLLER=1)")
    parser.add_argument("--cos-step-seconds", type=_seconds, metavar="SECONDS",
                        default=env("EMULATOR_COS_STEP_SECONDS", "2"),
                        help="seconds between a COS batch job's automatic status steps "
                             "(EMULATOR_COS_STEP_SECONDS; default 2)")
    parser.add_argument("--cos-require-signature", action="store_true",
                        default=_env_flag("EMULATOR_COS_REQUIRE_SIGNATURE"),
                        help="the same as --auth cos_batch, which it adds to any other --auth "
                             "(EMULATOR_COS_REQUIRE_SIGNATURE=1)")
    auth_options.add_arguments(parser)
    parser.add_argument("--state-file", type=Path, metavar="PATH", default=env("EMULATOR_STATE_FILE") or None,
                        help="load the state from this file at start if it exists (instead of the fixtures), "
                             "and save it there on SIGTERM/SIGINT and POST /_emulator/snapshot "
                             "(EMULATOR_STATE_FILE; default: state is kept in memory only)")
    parser.add_argument("--snapshot-interval", type=_seconds, metavar="SECONDS",
                        default=env("EMULATOR_SNAPSHOT_INTERVAL") or "0",
                        help="also save the state file every SECONDS while running; 0 is never "
                             "(EMULATOR_SNAPSHOT_INTERVAL; default 0)")
    parser.add_argument("--quiet", action="store_true", default=_env_flag("EMULATOR_QUIET"),
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
        journal_size=max(1, args.journal_size),
        job_controller=not args.no_job_controller,
        job_duration=args.job_duration,
        cos_step_seconds=max(0.0, args.cos_step_seconds),
        cos_require_signature=args.cos_require_signature,
        state_file=args.state_file,
        snapshot_interval=args.snapshot_interval or None,
        quiet=args.quiet,
        **limit_options.settings(args),
        **auth_options.settings(args, parser),
    )


def _log_start_up(emulator: Emulator, url: str) -> None:
    settings = emulator.settings
    log.info("services: %s", ", ".join(emulator.services))
    log.info("started from %s", emulator.source)
    if settings.state_file:
        log.info("state is saved to %s on stop%s", settings.state_file,
                 f" and every {settings.snapshot_interval:g} s" if settings.snapshot_interval else "")
    log.info("listening on %s", url)


async def serve(settings: Settings) -> None:
    """Serve until SIGINT or SIGTERM; print the base URL once connections are accepted."""
    access_logger = logging.getLogger("aiohttp.access")
    access_log = AccessLog(access_logger) if not settings.quiet and access_logger.isEnabledFor(logging.INFO) else None
    app = create_app(settings, access_log)  # the emulator's layer writes the lines, not aiohttp
    runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=5,
                           handler_cancellation=True,  # a dropped watch ends at once; writes never await
                           **limits.parser_options(settings))  # lines over the header limit reach the envelope
    await runner.setup()
    try:
        site = web.TCPSite(runner, settings.host, settings.port)
        await site.start()
        host, port = site._server.sockets[0].getsockname()[:2]  # the real port when 0 was asked for
        shown = f"[{host}]" if ":" in host else host
        url = f"http://{shown}:{port}"
        print(f"cloud-job-emulator {__version__} listening on {url}", flush=True)
        _log_start_up(app[EMULATOR], url)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await stop.wait()
    finally:
        await runner.cleanup()
        if access_log is not None:
            access_log.close()


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
