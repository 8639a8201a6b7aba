"""Calling the search engine: an unreachable engine is a named, passing failure, never a stack trace."""

from collections.abc import Awaitable
from typing import TypeVar

from opensearchpy.exceptions import ConnectionError as EngineConnectionError
from opensearchpy.exceptions import ConnectionTimeout

from portal_common.errors import Unavailable

T = TypeVar("T")


async def call(request: Awaitable[T]) -> T:
    try:
        return await request
    except (EngineConnectionError, ConnectionTimeout) as error:
        raise Unavailable("search_unavailable", "搜索暂时不可用，请稍后再试") from error
