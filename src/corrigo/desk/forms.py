"""The desk's forms: validation at the edge, before any service function runs."""

from django import forms
from django.contrib.auth.models import User
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

from corrigo.anchoring import selector_error
from corrigo.lib.urls import InvalidURL, parse_origin
from corrigo.reports.actions import MAX_NOTE, OUTCOMES
from corrigo.reports.schemas import LANGUAGE_TAG
from corrigo.sites.models import Role, Scope, Site
from corrigo.sites.services import MAX_PASSWORD_LENGTH
from corrigo.sql import row_id

OUTCOME_CHOICES = [(o.value, o.label) for o in OUTCOMES]


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=OUTCOME_CHOICES)


class BulkOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=OUTCOME_CHOICES)
    cases = forms.TypedMultipleChoiceField(coerce=int, choices=[])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id is accepted here; which ones the user may touch is checked against the database.
        self.fields["cases"].valid_value = lambda value: row_id(str(value)) is not None


class NoteForm(forms.Form):
    text = forms.CharField(max_length=MAX_NOTE, widget=forms.Textarea(attrs={"rows": 3}))


class MergeForm(forms.Form):
    into = forms.IntegerField(min_value=1, max_value=2**63 - 1, label="Duplicate of case")


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


class SiteSettingsForm(forms.ModelForm):
    default_language = forms.CharField(
        max_length=35,
        validators=[RegexValidator(LANGUAGE_TAG, "A language tag such as en, uk or pt-BR.")],
        help_text="The widget's language when the page does not say (en, uk, ru…).",
    )

    class Meta:
        model = Site
        fields = ["name", "article_selector", "ignore_selectors", "default_language"]
        help_texts = {
            "ignore_selectors": "Comma-separated CSS selectors left out of the article text: ads, teasers, and "
            'anything that changes on every view ("updated 5 minutes ago"), which would otherwise '
            "make each report look like a new version of the article.",
        }

    # The widget finds the article and skips what to ignore with these; one it cannot read
    # would leave the site without a working widget, so it is refused here.
    def clean_article_selector(self) -> str:
        return _selectors(self.cleaned_data["article_selector"])

    def clean_ignore_selectors(self) -> str:
        return _selectors(self.cleaned_data["ignore_selectors"])


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
