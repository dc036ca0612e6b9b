"""Service errors, raised anywhere behind ``dispatch`` and turned into AWS-shaped responses.

Providers raise these; they never build error dicts. The HTTP status is decided by the
serializer from the service model (runtime and events declare 400/404/409 on their error
shapes; the control plane declares none, so 400), unless ``status`` is set explicitly.
"""

from __future__ import annotations


class ServiceError(Exception):
    """An error the client should see, with its AWS error code and message."""

    code: str = "ServiceError"
    status: int | None = None  # None: take it from the error shape in the service model

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status


class InvalidInputException(ServiceError):
    code = "InvalidInputException"


class ResourceNotFoundException(ServiceError):
    code = "ResourceNotFoundException"


class ResourceAlreadyExistsException(ServiceError):
    code = "ResourceAlreadyExistsException"


class ResourceInUseException(ServiceError):
    code = "ResourceInUseException"


class LimitExceededException(ServiceError):
    code = "LimitExceededException"


class InvalidNextTokenException(ServiceError):
    code = "InvalidNextTokenException"


class TooManyTagsException(ServiceError):
    code = "TooManyTagsException"


class TooManyTagKeysException(ServiceError):
    code = "TooManyTagKeysException"


class NotImplementedOperation(ServiceError):
    """An operation the emulator has no handler for yet (HTTP 501, not retried by botocore)."""

    code = "NotImplemented"
    status = 501


class InternalFailure(ServiceError):
    """A bug in the emulator. Shaped like AWS's, never a traceback page."""

    code = "InternalFailure"
    status = 500
