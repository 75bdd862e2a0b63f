"""Header size limits: the HTTP parser's ceilings and the check that answers over-long lines in the service's envelope."""
from __future__ import annotations

from aiohttp import web
from yarl import _url as yarl_url


from emulator.core.errors import HeaderTooLarge
from emulator.settings import Settings

GO_MAX_HEADER_BYTES = 1 << 20  # net/http's DefaultMaxHeaderBytes, which kube-apiserver keeps
LONG_TARGET = 8190  # aiohttp's default line limit: a longer request target is not left in yarl's URL caches
# aiohttp's parser builds each request's URL through yarl's lru_caches (128 entries each): a 1 MiB target stays there,
# with its decoded copies, until 128 other targets push it out (tests/http/test_aiohttp_internals.py pins them).
URL_CACHES = (yarl_url.build_pre_encoded_url, yarl_url.pre_encoded_url)


def parser_options(settings: Settings) -> dict[str, int]:
    """Keyword arguments for web.AppRunner (or aiohttp_client's server_kwargs): the parser's line ceilings.

    aiohttp's parser refuses a line over its own limit with a plain-text 400 before the path is
    known, so no service could word the answer. The parser is therefore let read lines up to
    1 MiB (or twice `max_header_bytes`, if that is more) and `check_header_sizes` answers every line over
    `max_header_bytes` in the envelope of the service the path belongs to. Longer lines still get
    aiohttp's plain 400: reading them would let one request hold unbounded memory.
    """
    ceiling = max(GO_MAX_HEADER_BYTES, 2 * settings.max_header_bytes)
    return {"max_line_size": ceiling, "max_field_size": ceiling}


def check_header_sizes(request: web.Request, limit: int) -> None:
    """Refuse a request line or header line over `limit` bytes (the error layer calls it before the handler).

    It costs a length test per header line (well under a microsecond for a client's usual handful),
    which is what the parser's own limits would cost if they could answer in the envelope.
    """
    if len(request.raw_path) > limit:
        raise HeaderTooLarge(limit)
    for name, value in request.raw_headers:
        if len(name) + len(value) > limit:
            raise HeaderTooLarge(limit)


def forget_long_target(raw_target: str) -> None:
    """After answering a request target longer than LONG_TARGET, empty yarl's URL caches so it is not kept.

    A length test per request; the caches (which only speed up repeated targets) are emptied only for long ones."""
    if len(raw_target) > LONG_TARGET:
        for cache in URL_CACHES:
            cache.cache_clear()
