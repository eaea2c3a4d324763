"""The corrections API's schemas: a case action as an integration sends it, and the notices answer.

The notice's own shape (NoticeOut) is declared with the other answers in corrigo.reports.schemas.
"""

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from corrigo.corrections.models import NoticeKind
from corrigo.corrections.services import MAX_TEXT
from corrigo.reports.actions import MAX_NOTE
from corrigo.reports.schemas import NoticeOut, Out

ACTIONS = ("fixed", "not_error", "wont_fix", "spam", "duplicate", "reopen", "assign", "note")
MAX_ROW_ID = 2**63 - 1


class NoticeIn(BaseModel):
    """The notice a "fixed" action publishes with the fix."""

    model_config = ConfigDict(strict=True, extra="forbid")

    kind: Literal[tuple(NoticeKind.values)]
    text: str = Field(min_length=1, max_length=MAX_TEXT, description="Plain text; links as bare URLs.")
    minor: bool = Field(False, description="A typo-class fix: listed in the feeds and the history, never a banner.")


class CaseActionIn(BaseModel):
    """What to do to a case: the desk's own outcomes, with what each needs."""

    model_config = ConfigDict(strict=True, extra="forbid")

    action: Literal[ACTIONS]
    duplicate_of: int | None = Field(None, ge=1, le=MAX_ROW_ID, description="For duplicate: the case it repeats.")
    assignee: str | None = Field(None, min_length=1, max_length=150, description="For assign: a user name; null unassigns.")
    note: str | None = Field(None, min_length=1, max_length=MAX_NOTE, description="For note: the text.")
    notice: NoticeIn | None = Field(None, description="For fixed: a correction notice to publish with the fix.")

    @model_validator(mode="after")
    def _what_each_action_needs(self) -> "CaseActionIn":
        if self.action == "duplicate" and self.duplicate_of is None:
            raise ValueError("duplicate needs duplicate_of")
        if self.action == "assign" and "assignee" not in self.model_fields_set:
            raise ValueError("assign needs assignee (null unassigns)")
        if self.action == "note" and not (self.note or "").strip():
            raise ValueError("note needs a note")
        if self.notice is not None and self.action != "fixed":
            raise ValueError("only fixed takes a notice")
        if self.notice is not None and not self.notice.text.strip():
            raise ValueError("the notice needs some text")
        return self


class NoticePage(Out):
    notices: list[NoticeOut]
    next: str | None = Field(description="Pass as cursor for the next page; null on the last.")
    jsonld: dict[str, Any] | None = Field(
        description="For one article (url or article_id): schema.org markup whose `correction` lists its notices."
    )
