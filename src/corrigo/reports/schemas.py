"""The Report API's schemas (docs/api.md): what a report may be, and the shape of every answer.

Input is validated here, at the edge. Each answer is declared once, as a schema that
reads the model objects (plain attributes by name, the rest through ninja resolvers),
so a new key in an answer is one line in its schema and the OpenAPI document follows.
"""

from datetime import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja import Schema
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_serializer,
    model_validator,
)

from corrigo.anchoring import CONTEXT_LENGTH
from corrigo.corrections.models import NoticeKind
from corrigo.lib.urls import InvalidURL, canonical_url
from corrigo.reports.models import AnchorStatus, Case, CaseStatus, Category, Report

MAX_EXACT = 1000
MAX_ARTICLE_TEXT = 200_000

ClientReportId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,64}$")]
# BCP 47, loosely: a primary subtag and up to seven more, letters and digits only.
LANGUAGE_TAG = r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8}){0,7}$"
LanguageTag = Annotated[str, StringConstraints(pattern=LANGUAGE_TAG, max_length=35)]


def canonical_or_none(value: str | None) -> str | None:
    """A page URL as Corrigo stores it (corrigo.lib.urls.canonical_url), for the fields that name an article."""
    if value is None:
        return None
    try:
        return canonical_url(value)
    except InvalidURL as exc:
        raise ValueError(str(exc)) from None


def blank_is_absent(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


class QuoteIn(BaseModel):
    """The selected passage: W3C TextQuoteSelector plus TextPositionSelector, in code points."""

    model_config = ConfigDict(strict=True, extra="ignore")

    exact: str = Field(min_length=1, max_length=MAX_EXACT)
    prefix: str = Field(default="", max_length=CONTEXT_LENGTH)
    suffix: str = Field(default="", max_length=CONTEXT_LENGTH)
    start: int = Field(ge=0, le=MAX_ARTICLE_TEXT)
    end: int = Field(ge=1, le=MAX_ARTICLE_TEXT)

    @model_validator(mode="after")
    def _span_matches_exact(self) -> "QuoteIn":
        if self.end - self.start != len(self.exact):
            raise ValueError("end - start must equal the length of exact (in code points)")
        return self


class ReportIn(BaseModel):
    """One reader's report. Unknown fields are ignored so older servers accept newer widgets.

    URLs come out canonical (fragment and tracking parameters dropped).
    """

    model_config = ConfigDict(strict=True, extra="ignore", str_strip_whitespace=False)

    site: str = Field(min_length=1, max_length=64)
    url: str = Field(min_length=1, max_length=2048)
    canonical_url: str | None = Field(default=None, max_length=2048)
    article_id: str | None = Field(default=None, max_length=200)
    title: str | None = Field(default=None, max_length=500)
    quote: QuoteIn | None = None
    article_text: str | None = Field(default=None, max_length=MAX_ARTICLE_TEXT)
    suggestion: str | None = Field(default=None, max_length=2000)
    comment: str | None = Field(default=None, max_length=5000)
    category: Literal["typo", "fact", "other"] | None = None
    email: str | None = Field(default=None, max_length=254)
    language: LanguageTag | None = None
    client_report_id: ClientReportId
    altcha: str | None = Field(
        default=None, max_length=4000, description="The solved proof-of-work challenge (GET /api/v1/challenge), base64 JSON."
    )

    _canonical = field_validator("url", "canonical_url")(canonical_or_none)

    @field_validator("email")
    @classmethod
    def _valid_email(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValueError("not a valid email address") from None
        return value

    _blank_is_absent = field_validator(
        "canonical_url", "article_id", "title", "suggestion", "comment", "language", "email", mode="before"
    )(blank_is_absent)


def cross_field_errors(report: ReportIn) -> dict[str, str]:
    """Rules that tie fields together, keyed by the field an author should fix."""
    if report.quote is None:
        if report.comment is None:
            return {"comment": "A report without a quote needs a comment."}
        return {}
    if report.article_text is None:
        return {"article_text": "article_text is required with quote."}
    if report.article_text[report.quote.start : report.quote.end] != report.quote.exact:
        return {"quote.exact": "quote.exact does not match article_text[start:end]."}
    return {}


# ---- answers ------------------------------------------------------------------


def _isoformat(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _blank_is_null(value: Any) -> Any:
    return None if value == "" else value


# Stored as datetimes, answered as Python's isoformat (microseconds and +00:00 kept).
Timestamp = Annotated[str, BeforeValidator(_isoformat), WithJsonSchema({"type": "string", "format": "date-time"})]
# Stored as "" when absent, answered as null.
BlankIsNull = BeforeValidator(_blank_is_null)
CategoryOut = Annotated[Literal[tuple(Category.values)] | None, BlankIsNull]
TextOrNull = Annotated[str | None, BlankIsNull]


class Out(Schema):
    """An answer, read from model objects; it has the declared keys and no others (the OpenAPI document says so)."""

    model_config = ConfigDict(json_schema_extra={"additionalProperties": False})


def _quote_of(obj: Report | Case) -> Report | Case | None:
    return obj if obj.has_quote else None


class QuoteOut(Out):
    exact: str
    prefix: str
    suffix: str
    start: int
    end: int


def _sees_email(context: dict | None) -> bool:
    """Whether the API token of the request (ninja puts it in the context) may see reporters' addresses."""
    request = (context or {}).get("request")
    return bool(getattr(getattr(request, "auth", None), "can_see_email", False))


class ReportOut(Out):
    id: str = Field(validation_alias="uid")
    created_at: Timestamp
    url: str
    canonical_url: TextOrNull
    # The CMS's id of the article, not Report.article_id (our own article's id).
    article_id: TextOrNull = Field(validation_alias="article_external_id")
    quote: QuoteOut | None
    suggestion: str
    comment: str
    category: CategoryOut
    language: TextOrNull
    case_id: int
    email: TextOrNull = Field(None, description="Only for tokens allowed to see reporters' addresses.")

    _shows_email: bool = PrivateAttr(default=False)

    resolve_quote = staticmethod(_quote_of)

    @staticmethod
    def resolve_email(report: Report, context: dict | None) -> str | None:
        return report.email if _sees_email(context) else None

    @model_validator(mode="after")
    def _for_the_token(self, info: ValidationInfo) -> "ReportOut":
        self._shows_email = _sees_email(info.context)
        return self

    @model_serializer(mode="wrap")
    def _email_only_if_allowed(self, handler):  # no return annotation: the document keeps the fields above
        answer = handler(self)
        if not self._shows_email:
            answer.pop("email", None)
        return answer


class ArticleOut(Out):
    id: int
    url: str
    title: str


class AnchorOut(Out):
    """Where the case's passage was last found, in the article's latest text."""

    # Read from the case's anchor_* columns.

    status: Literal[tuple(AnchorStatus.values)] = Field(validation_alias="anchor_status")
    start: int | None = Field(validation_alias="anchor_start")
    end: int | None = Field(validation_alias="anchor_end")
    version_id: int | None = Field(validation_alias="anchor_version_id")
    checked_at: Timestamp | None = Field(validation_alias="anchor_checked_at")


class CaseOut(Out):
    id: int
    status: Literal[tuple(CaseStatus.values)]
    category: CategoryOut
    created_at: Timestamp
    updated_at: Timestamp
    article: ArticleOut
    quote: QuoteOut | None
    report_count: int = Field(description="Reports filed under the case.")
    reader_count: int = Field(description="Distinct readers who reported it (one reader's several reports count once).")
    anchor: AnchorOut | None
    disputed: bool = Field(description="A reader reported the corrected words after the case came to look fixed.")
    assignee: str | None
    resolved_at: Timestamp | None
    duplicate_of: int | None = Field(validation_alias="duplicate_of_id")

    resolve_quote = staticmethod(_quote_of)

    @staticmethod
    def resolve_anchor(case: Case) -> Case | None:
        return case if case.anchor_status else None

    @staticmethod
    def resolve_assignee(case: Case) -> str | None:
        return case.assignee.get_username() if case.assignee_id else None


class NoticeOut(Out):
    """A published correction notice (corrigo.corrections)."""

    id: int
    kind: Literal[tuple(NoticeKind.values)]
    text: str
    minor: bool
    published_at: Timestamp
    updated_at: Timestamp
    article: ArticleOut


class CaseWithReports(CaseOut):
    reports: list[ReportOut]
    notices: list[NoticeOut] = Field(description="The case's published notices, oldest first (withdrawn ones left out).")

    @staticmethod
    def resolve_reports(case: Case):
        return case.reports.order_by("pk")

    @staticmethod
    def resolve_notices(case: Case):
        return case.notices.live().select_related("article").order_by("published_at", "pk")


NEXT_PAGE = "Pass as cursor for the next page; null on the last."


class ReportPage(Out):
    reports: list[ReportOut]
    next: str | None = Field(description=NEXT_PAGE)


class CasePage(Out):
    cases: list[CaseOut]
    next: str | None = Field(description=NEXT_PAGE)


# What intake answers: built from values, not read from objects, so a plain pydantic model (the cheaper).
class Receipt(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    status: Literal["received"]


class ChallengeOut(Out):
    """An ALTCHA challenge: find `number` ≤ `maxNumber` with SHA-256(salt + number) == challenge (hex)."""

    algorithm: Literal["SHA-256"]
    challenge: str
    maxNumber: int  # ALTCHA spells it so
    salt: str
    signature: str
