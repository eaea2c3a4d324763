"""API errors in the one shape docs/api.md gives them: {"error": {"code", "message", "fields"?}}."""

from collections.abc import Iterable, Mapping

from django.http import JsonResponse
from ninja import Schema
from pydantic import ConfigDict, Field, model_serializer


class ErrorBody(Schema):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, description="Stable and machine-readable: invalid, unknown_site, unauthorized, …")
    message: str = Field(min_length=1, description="For people; may change.")
    fields: dict[str, str] = Field(default_factory=dict, description="Only for invalid: what is wrong with each offending field.")

    @model_serializer(mode="wrap")
    def _fields_only_when_some(self, handler):  # no return annotation: the document keeps the fields above
        body = handler(self)
        if not body.get("fields"):
            body.pop("fields", None)
        return body


class ErrorOut(Schema):
    """Every 4xx the API sends: {"error": {"code", "message", "fields"?}}."""

    model_config = ConfigDict(extra="forbid")

    error: ErrorBody


def error_response(status: int, code: str, message: str, fields: Mapping[str, str] | None = None) -> JsonResponse:
    body = ErrorBody(code=code, message=message, fields=dict(fields or {}))
    return JsonResponse(ErrorOut(error=body).model_dump(), status=status)


class ApiError(Exception):
    """Raised anywhere under the API to answer with a clean 4xx."""

    def __init__(self, status: int, code: str, message: str, fields: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields
        self.headers: dict[str, str] = {}

    def response(self) -> JsonResponse:
        response = error_response(self.status, self.code, self.message, self.fields)
        for name, value in self.headers.items():
            response[name] = value
        return response


def invalid(message: str, fields: Mapping[str, str] | None = None) -> ApiError:
    return ApiError(400, "invalid", message, fields)


def pydantic_fields(errors: Iterable[Mapping], skip: int = 0) -> dict[str, str]:
    """{"quote.exact": "String should have at most 1000 characters", ...} from pydantic errors."""
    fields: dict[str, str] = {}
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())[skip:]]
        fields.setdefault(".".join(loc) or "body", str(error.get("msg", "invalid")))
    return fields
