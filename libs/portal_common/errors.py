"""Domain errors and how they cross gRPC.

A service raises `NotFound`, `Invalid` or `Conflict` with a machine-readable code and a message for people
(simplified Chinese). `grpc_errors` turns them into a gRPC status plus a `portal-error-code` trailer; the gateway
turns that back into a JSON error body.
"""

import functools
import logging
from collections.abc import Awaitable, Callable

import grpc
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

ERROR_CODE_KEY = "portal-error-code"
ERROR_FIELD_KEY = "portal-error-field"
RETRY_PUSHBACK_KEY = "grpc-retry-pushback-ms"
log = logging.getLogger(__name__)


class DomainError(Exception):
    status = grpc.StatusCode.FAILED_PRECONDITION

    def __init__(self, code: str, message: str, field: str = ""):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field  # the input field at fault, e.g. "materials[2].name"; empty when none


class NotFound(DomainError):
    status = grpc.StatusCode.NOT_FOUND


class Invalid(DomainError):
    status = grpc.StatusCode.INVALID_ARGUMENT


class Conflict(DomainError):
    status = grpc.StatusCode.ABORTED


class Unauthenticated(DomainError):
    status = grpc.StatusCode.UNAUTHENTICATED


class Forbidden(DomainError):
    status = grpc.StatusCode.PERMISSION_DENIED


def grpc_errors(method: Callable[..., Awaitable]) -> Callable[..., Awaitable]:
    """Decorate a servicer method so that a DomainError aborts the call with its status and code."""

    @functools.wraps(method)
    async def wrapper(self, request, context: grpc.aio.ServicerContext):
        try:
            return await method(self, request, context)
        except DomainError as error:
            await _abort(context, error)
        except DBAPIError as error:
            # The database restarting, unreachable or locked. A transaction is all or nothing, so nothing is half-stored
            # (one that committed as the connection broke is found again by its idempotency key): the caller hears a
            # clear "try again" rather than an unknown failure. Other database errors are bugs and stay loud.
            if not (isinstance(error, OperationalError | InterfaceError) or error.connection_invalidated):
                raise
            log.warning("database unavailable in %s: %s", method.__qualname__, error.orig)
            await _abort(context, Unavailable("database_unavailable", "服务暂时不可用，请稍后再试"))

    return wrapper


async def _abort(context: grpc.aio.ServicerContext, error: DomainError) -> None:
    # A negative pushback tells a client's gRPC retry policy not to send the call again: the service did answer,
    # and a dependency it found down will not be back within the caller's deadline.
    context.set_trailing_metadata(
        ((ERROR_CODE_KEY, error.code), (ERROR_FIELD_KEY, error.field), (RETRY_PUSHBACK_KEY, "-1"))
    )
    await context.abort(error.status, error.message)


class Unavailable(DomainError):
    """A dependency is down; the caller may retry later."""

    status = grpc.StatusCode.UNAVAILABLE


class TooManyRequests(DomainError):
    """A client sent more than its share; it may try again later."""

    status = grpc.StatusCode.RESOURCE_EXHAUSTED
