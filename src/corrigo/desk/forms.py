"""The desk's forms: validation at the edge, before any service function runs."""

from datetime import date, timedelta

from django import forms
from django.contrib.auth.models import User
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

from corrigo.anchoring import selector_error
from corrigo.corrections.models import NoticeKind
from corrigo.corrections.services import MAX_TEXT, InvalidNotice, clean_text
from corrigo.desk.metrics import MAX_DAYS
from corrigo.lib.urls import InvalidURL, parse_origin
from corrigo.reports.actions import MAX_NOTE, OUTCOMES
from corrigo.reports.schemas import LANGUAGE_TAG
from corrigo.sites.models import Role, Scope, Site
from corrigo.sites.services import INTAKE_LIMITS, MAX_PASSWORD_LENGTH
from corrigo.sql import UNSTORABLE, row_id

ANSWER_TIMES = ["sla_fact_hours", "sla_typo_hours", "sla_other_hours"]
MAX_ANSWER_HOURS = 24 * 366
OUTCOME_CHOICES = [(o.value, o.label) for o in OUTCOMES]


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=OUTCOME_CHOICES)


class BulkOutcomeForm(forms.Form):
    """An outcome for the picked cases, or for every case the queue's filters match."""

    outcome = forms.ChoiceField(choices=OUTCOME_CHOICES)
    cases = forms.TypedMultipleChoiceField(coerce=int, choices=[], required=False)
    all_matching = forms.BooleanField(required=False)
    return_query = forms.CharField(required=False, max_length=4000)
    # What the confirmation page showed: the action applies only to what the editor saw.
    expected = forms.IntegerField(required=False, min_value=0, max_value=10**9)
    confirmed = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id is accepted here; which ones the user may touch is checked against the database.
        self.fields["cases"].valid_value = lambda value: row_id(str(value)) is not None

    def clean(self):
        data = super().clean()
        if not data.get("all_matching") and not data.get("cases"):
            raise ValidationError("Pick some cases first.")
        return data


class NoteForm(forms.Form):
    text = forms.CharField(max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 3}))


class NoticeForm(forms.Form):
    """A correction notice as an editor writes it on the case page."""

    kind = forms.ChoiceField(choices=NoticeKind.choices, initial=NoticeKind.CORRECTION)
    text = forms.CharField(max_length=MAX_TEXT, strip=False, widget=forms.Textarea(attrs={"rows": 3, "dir": "auto"}))
    minor = forms.BooleanField(required=False, label="Minor (a typo-class fix: listed, never a banner)")

    def clean_text(self) -> str:
        try:
            return clean_text(self.cleaned_data["text"])
        except InvalidNotice as error:
            raise ValidationError(str(error)) from None


class MergeForm(forms.Form):
    into = forms.IntegerField(min_value=1, max_value=2**63 - 1, label="Duplicate of case")
    confirmed = forms.BooleanField(required=False)


class SavedFilterForm(forms.Form):
    name = forms.CharField(max_length=80, strip=True, label="Save this filter as")
    query = forms.CharField(required=False, max_length=4000)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        if UNSTORABLE.search(name):
            raise ValidationError("A name cannot hold a NUL character or an unpaired surrogate.")
        return name


class PeriodForm(forms.Form):
    """The metrics page's period: both days included, at most MAX_DAYS long, not in the future."""

    day_from = forms.DateField(required=False, label="From")
    day_to = forms.DateField(required=False, label="To")

    def period(self, today: date) -> tuple[date, date, list[str]]:
        """(first day, last day, what was corrected) — a bad period falls back to the last 30 days."""
        self.is_valid()
        problems = [f"{self.fields[name].label}: {' '.join(errors)}" for name, errors in self.errors.items()]
        end = self.cleaned_data.get("day_to") or today
        start = self.cleaned_data.get("day_from") or max(end, date.min + timedelta(days=29)) - timedelta(days=29)
        if start > end:
            start, end = end, start
            problems.append("The period ran backwards: its days are swapped.")
        end = min(end, today)
        start = min(start, end)
        if (end - start).days + 1 > MAX_DAYS:
            start = end - timedelta(days=MAX_DAYS - 1)
            problems.append(f"A period is at most {MAX_DAYS} days: it now starts on {start.day} {start:%B %Y}.")
        return start, end, problems


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="Nobody")

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = members if members is not None else User.objects.none()


def _selectors(value: str) -> str:
    value = value.strip()
    if value and (error := selector_error(value)):
        raise ValidationError(f"{value!r} is {error}.")
    return value


MAX_POLICY = 10_000


class SiteSettingsForm(forms.ModelForm):
    corrections_policy = forms.CharField(
        required=False,
        max_length=MAX_POLICY,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Corrections policy",
        help_text="Plain text at the top of the public corrections page: how you correct, and how to reach you.",
    )
    default_language = forms.CharField(
        max_length=35,
        validators=[RegexValidator(LANGUAGE_TAG, "A language tag such as en, uk or pt-BR.")],
        help_text="The widget's language when the page does not say (en, uk, ru…).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in (*INTAKE_LIMITS, "challenge"):
            self.fields[name].required = False

    class Meta:
        model = Site
        fields = [
            "name",
            "article_selector",
            "ignore_selectors",
            "default_language",
            "fetch_articles",
            *ANSWER_TIMES,
            *INTAKE_LIMITS,
            "challenge",
            "corrections_policy",
        ]
        labels = {
            "fetch_articles": "Fetch article pages",
            "sla_fact_hours": "Answer factual errors within (hours)",
            "sla_typo_hours": "Answer typos within (hours)",
            "sla_other_hours": "Answer other reports within (hours)",
        }
        help_texts = {
            "fetch_articles": "For CMSs that cannot push: when a reader saw a text other than the published one, "
            "Corrigo fetches the article's page (only from the allowed origins) and its text becomes the published one. "
            "From then on readers' copies never move a case.",
            "ignore_selectors": "Comma-separated CSS selectors left out of the article text: ads, teasers, and "
            'anything that changes on every view ("updated 5 minutes ago"), which would otherwise '
            "make each report look like a new version of the article.",
            "sla_fact_hours": "The queue colours a case amber in the last quarter of this time and red after it. "
            "Empty: no target.",
        }
        widgets = {
            **{name: forms.NumberInput(attrs={"min": 1, "max": MAX_ANSWER_HOURS}) for name in ANSWER_TIMES},
            **{name: forms.NumberInput(attrs={"min": 0, "max": 1_000_000}) for name in INTAKE_LIMITS},
        }

    def clean(self):
        data = super().clean()
        for name in ANSWER_TIMES:
            hours = data.get(name)
            if hours is not None and not 1 <= hours <= MAX_ANSWER_HOURS:
                self.add_error(name, f"Between 1 and {MAX_ANSWER_HOURS} hours (a year), or empty for no target.")
        if not data.get("challenge"):
            data["challenge"] = self.instance.challenge
        for name in INTAKE_LIMITS:
            value = data.get(name)
            if value is None:  # left out or empty: the limit stays as it is
                data[name] = getattr(self.instance, name)
            elif value > 1_000_000:
                self.add_error(name, "At most 1,000,000; 0 for no limit.")
        return data

    # The widget finds the article and skips what to ignore with these; one it cannot read
    # would leave the site without a working widget, so it is refused here.
    def clean_article_selector(self) -> str:
        return _selectors(self.cleaned_data["article_selector"])

    def clean_ignore_selectors(self) -> str:
        return _selectors(self.cleaned_data["ignore_selectors"])

    def clean_corrections_policy(self) -> str:
        policy = self.cleaned_data["corrections_policy"]
        if UNSTORABLE.search(policy):
            raise ValidationError("The policy may not contain NUL characters or unpaired surrogates.")
        return policy


class OriginsForm(forms.Form):
    origins = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One origin per line, e.g. https://news.example.org",
    )

    def clean_origins(self) -> list[str]:
        origins = [line.strip() for line in self.cleaned_data["origins"].splitlines() if line.strip()]
        errors = []
        for origin in origins:
            try:
                parse_origin(origin)
            except InvalidURL as why:
                shown = origin if len(origin) <= 80 else origin[:79] + "…"
                errors.append(ValidationError(f"Not an http(s) origin: {shown} ({why})"))
        if errors:
            raise ValidationError(errors)
        return origins


class MemberForm(forms.Form):
    """Add a member: an existing user, or a new one when a first password is given.

    The field rules are the CLI's (sites.services.add_member checks them again, with the
    password rules and whether the user exists).
    """

    username = forms.CharField(max_length=150, validators=[UnicodeUsernameValidator()])
    # The least role by default: an admin raises it on purpose, never by leaving the default.
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)
    email = forms.EmailField(required=False, max_length=254, help_text="Only for a new user.")
    password = forms.CharField(
        required=False,
        strip=False,
        max_length=MAX_PASSWORD_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Only for a new user: their first password.",
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, required=False)
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices,
        initial=[Scope.READ],
        widget=forms.CheckboxSelectMultiple,
        help_text="Give a token only what its integration needs.",
    )
    can_see_email = forms.BooleanField(required=False, label="May see reporters' email addresses")
