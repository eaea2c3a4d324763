"""The push API's schemas (docs/api.md, "Pushing an article version"): what a push may be, and its answer."""

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from corrigo.anchoring.textmodel import in_text_model
from corrigo.reports.models import AnchorStatus
from corrigo.reports.schemas import MAX_ARTICLE_TEXT, blank_is_absent, canonical_or_none

MAX_PUSH_BODY = 2 * 1024 * 1024


class ArticleIn(BaseModel):
    """One version of an article, from the CMS: exactly one of `html` and `text`.

    The identity fields follow the reports' rules (the same validators), so a push and
    the readers' reports on one page name one article.
    """

    model_config = ConfigDict(strict=True, extra="forbid")

    site: str = Field(min_length=1, max_length=64)
    url: str = Field(min_length=1, max_length=2048)
    canonical_url: str | None = Field(default=None, max_length=2048)
    article_id: str | None = Field(default=None, max_length=200, description="The CMS's id for the article.")
    title: str | None = Field(default=None, max_length=500)
    published_at: AwareDatetime | None = Field(default=None, strict=False, description="ISO 8601 with a time zone.")
    modified_at: AwareDatetime | None = Field(default=None, strict=False, description="ISO 8601 with a time zone.")
    html: str | None = Field(default=None, min_length=1, description="A whole page, or the article's HTML.")
    text: str | None = Field(
        default=None, min_length=1, max_length=MAX_ARTICLE_TEXT, description="The article text, already in the text model."
    )

    _canonical = field_validator("url", "canonical_url")(canonical_or_none)
    _blank_is_absent = field_validator("canonical_url", "article_id", "title", mode="before")(blank_is_absent)

    @field_validator("text")
    @classmethod
    def _in_the_text_model(cls, value: str | None) -> str | None:
        if value is not None and not in_text_model(value):
            raise ValueError("not in the text model (docs/text-model.md): collapse whitespace, no empty lines, NFC")
        return value

    @model_validator(mode="after")
    def _one_of_html_and_text(self) -> "ArticleIn":
        if (self.html is None) == (self.text is None):
            raise ValueError("send exactly one of html and text")
        return self


class AnchorAfterPush(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Literal[tuple(AnchorStatus.values)]
    start: int | None
    end: int | None


class CaseAfterPush(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: int
    anchor: AnchorAfterPush


class PushAnswer(BaseModel):
    """What a push answers: built from values (articles.publishing.Publication)."""

    model_config = ConfigDict(extra="forbid")

    article_id: int = Field(description="Corrigo's id of the article (the read API's article.id).")
    version_id: int
    new: bool = Field(description="False when Corrigo already had this text (the answer is then 200).")
    cases: list[CaseAfterPush] = Field(description="Every open case this version re-anchored.")
