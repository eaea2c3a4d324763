"""The Report API's input schema (DESIGN.md, "Report API v1"): validation at the edge."""

from typing import Annotated, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from corrigo.anchoring import CONTEXT_LENGTH
from corrigo.lib.urls import InvalidURL, canonical_url

MAX_EXACT = 1000
MAX_ARTICLE_TEXT = 200_000

ClientReportId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,64}$")]
# BCP 47, loosely: a primary subtag and up to seven more, letters and digits only.
LANGUAGE_TAG = r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8}){0,7}$"
LanguageTag = Annotated[str, StringConstraints(pattern=LANGUAGE_TAG, max_length=35)]


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

    @field_validator("url", "canonical_url")
    @classmethod
    def _canonical(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return canonical_url(value)
        except InvalidURL as exc:
            raise ValueError(str(exc)) from None

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

    @field_validator("canonical_url", "article_id", "title", "suggestion", "comment", "language", "email", mode="before")
    @classmethod
    def _blank_is_absent(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


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
