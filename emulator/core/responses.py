"""In-memory answers made in one step: the web.Response aiohttp's constructor makes, without its general path."""
from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web
from aiohttp.compression_utils import MAX_SYNC_CHUNK_SIZE
from aiohttp.web_response import REASON_PHRASES
from multidict import CIMultiDict

_new = web.Response.__new__


def bytes_response(body: bytes, status: int = 200, headers: Mapping[str, str] | None = None,
                   content_type: str | None = None) -> web.Response:
    """`web.Response(body=body, status=status, headers=headers, content_type=content_type)`, the same object.

    aiohttp's constructor checks text, charset and body kinds and sets its attributes through
    properties: ~12k instructions a response, as much as the rest of a K8s 404's render. An answer
    whose body is bytes needs none of that (~2k): its attributes are set here directly. A caller gives
    Content-Type in `headers` or as `content_type`, not both. tests/core/test_responses.py compares each
    attribute with aiohttp's constructor, so an upgrade that changes it fails there, loudly.
    """
    response = _new(web.Response)
    real = CIMultiDict(headers) if headers else CIMultiDict()
    if content_type is not None:
        real["Content-Type"] = content_type
    response._state = {}
    response._headers = real
    response._status = status
    response._reason = REASON_PHRASES.get(status, "")
    response._body = body
    response._compressed_body = None
    response._zlib_executor_size = MAX_SYNC_CHUNK_SIZE
    response._zlib_executor = None
    return response
