"""Calling the search engine: an unreachable engine is a named, passing failure, never a stack trace, and no request
to it outlives the gRPC call that asked for it."""

import asyncio
import contextlib
import functools
import logging
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from typing import TypeVar

import grpc
from opensearchpy.exceptions import ConnectionError as EngineConnectionError
from opensearchpy.exceptions import ConnectionTimeout, TransportError

from portal_common.errors import Unavailable

T = TypeVar("T")
log = logging.getLogger(__name__)
# Answer this long before the caller's deadline, so that it hears why rather than only that time ran out.
ANSWER_MARGIN = 0.2
# The loop time by which the current call's engine requests must be done; None outside a gRPC call (the client's
# own timeout still bounds them).
_deadline: ContextVar[float | None] = ContextVar("engine_deadline", default=None)


@contextlib.contextmanager
def deadline(seconds_left: float | None) -> Iterator[None]:
    """Bound every engine request made inside by `seconds_left` (a gRPC call's `time_remaining()`)."""
    at = None if seconds_left is None else asyncio.get_running_loop().time() + seconds_left - ANSWER_MARGIN
    token = _deadline.set(at)
    try:
        yield
    finally:
        _deadline.reset(token)


async def call(request: Awaitable[T]) -> T:
    try:
        async with asyncio.timeout_at(_deadline.get()):
            return await request
    except TimeoutError as error:
        log.warning("engine request abandoned at the caller's deadline")
        raise Unavailable("search_timeout", "搜索响应超时，请稍后再试") from error
    except asyncio.CancelledError:
        # The caller went away (cancelled, or its deadline passed first): gRPC cancels the handler, and with it the
        # engine request, whose connection the client then drops.
        log.warning("engine request abandoned: the caller went away")
        raise
    except TransportError as error:
        # Unreachable, or up but not ready (shards still recovering after a restart) or overloaded: passing.
        if not isinstance(error, EngineConnectionError | ConnectionTimeout) and error.status_code not in (429, 503):
            raise
        raise Unavailable("search_unavailable", "搜索暂时不可用，请稍后再试") from error


def within_callers_deadline(method: Callable[..., Awaitable[T]]) -> Callable[..., Awaitable[T]]:
    """Decorate a servicer method so that its engine requests end by the caller's deadline."""

    @functools.wraps(method)
    async def wrapper(self, request, context: grpc.aio.ServicerContext) -> T:
        with deadline(context.time_remaining()):
            return await method(self, request, context)

    return wrapper
