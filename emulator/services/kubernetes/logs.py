"""Pod log options (PodLogOptions from the query, validated as the apiserver does) and the log text they select."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from emulator.core.clock import parse_rfc3339
from emulator.services.kubernetes import errors, wire
from emulator.services.kubernetes.errors import FieldError

BOOLS = ("follow", "previous", "timestamps", "insecureSkipTLSVerifyBackend")


@dataclass
class LogOptions:
    container: str | None = None
    follow: bool = False
    previous: bool = False
    timestamps: bool = False
    since: datetime | None = None  # from sinceSeconds or sinceTime
    tail_lines: int | None = None
    limit_bytes: int | None = None


def _int64(query, name: str) -> int | None:
    text = query.get(name)
    if text is None or text == "":
        return None
    try:
        return int(text)
    except ValueError:
        raise errors.bad_request(f'strconv.ParseInt: parsing "{text}": invalid syntax') from None


NONE_GIVEN = LogOptions(container=None, follow=False, previous=False, timestamps=False, since=None, tail_lines=None,
                        limit_bytes=None)  # what parse_options gives for an empty query


def parse_options(query, pod: str, now: datetime) -> LogOptions:
    """The options of a /log request; 400 for what does not decode, 422 for what PodLogOptions validation refuses."""
    for name in BOOLS:
        value = query.get(name)
        if value not in (None, "") and value not in ("1", "t", "T", "TRUE", "true", "True",
                                                     "0", "f", "F", "FALSE", "false", "False"):
            raise errors.bad_request(f'strconv.ParseBool: parsing "{value}": invalid syntax')
    since_seconds, tail, limit = _int64(query, "sinceSeconds"), _int64(query, "tailLines"), _int64(query, "limitBytes")
    since_time = None
    if query.get("sinceTime"):
        try:
            since_time = parse_rfc3339(query["sinceTime"])
        except ValueError:
            raise errors.bad_request(f'parsing time "{query["sinceTime"]}" as "2006-01-02T15:04:05Z07:00": '
                                     "cannot parse") from None
    problems = []
    if tail is not None and tail < 0:
        problems.append(FieldError.invalid("tailLines", tail, "must be greater than or equal to 0"))
    if limit is not None and limit < 1:
        problems.append(FieldError.invalid("limitBytes", limit, "must be greater than 0"))
    if since_seconds is not None and since_time is not None:
        problems.append(FieldError.forbidden("", "at most one of `sinceTime` or `sinceSeconds` may be specified"))
    elif since_seconds is not None and since_seconds < 1:
        problems.append(FieldError.invalid("sinceSeconds", since_seconds, "must be greater than 0"))
    if problems:
        raise errors.invalid(pod, problems, kind="PodLogOptions", group="")
    since = since_time if since_time is not None else (
        now - timedelta(seconds=since_seconds) if since_seconds is not None else None)
    return LogOptions(container=query.get("container") or None, follow=wire.is_true(query.get("follow")),
                      previous=wire.is_true(query.get("previous")), timestamps=wire.is_true(query.get("timestamps")),
                      since=since, tail_lines=tail, limit_bytes=limit)


def select(lines: list[tuple[str, str]], options: LogOptions) -> list[tuple[str, str]]:
    """The (timestamp, text) lines the options keep: since the bound, then the last tailLines of them."""
    if options.since is not None:
        bound = options.since.replace(microsecond=0) if options.since.microsecond else options.since
        lines = [line for line in lines if parse_rfc3339(line[0]) >= bound]
    if options.tail_lines is not None:
        lines = lines[len(lines) - options.tail_lines:] if options.tail_lines else []
    return lines


def render(lines: list[tuple[str, str]], options: LogOptions) -> bytes:
    return b"".join(((stamp + " " if options.timestamps else "") + text + "\n").encode() for stamp, text in lines)
