"""Forms for what notifications let people choose: their mail, and a site's webhook endpoints."""

from django import forms

from corrigo.notify.models import EmailChoice, EventType, WebhookFormat
from corrigo.notify.webhooks import EndpointError, check_endpoint_url

LANGUAGE_CHOICES = [("", "The site's language"), ("en", "English"), ("uk", "Українська"), ("ru", "Русский")]


class EmailAddressForm(forms.Form):
    email = forms.EmailField(required=False, max_length=254, label="Your email address")


class SiteMailForm(forms.Form):
    """One site's line on the notifications page: what mail, in which language."""

    email = forms.ChoiceField(choices=EmailChoice.choices, widget=forms.RadioSelect, label="Email me")
    language = forms.ChoiceField(choices=LANGUAGE_CHOICES, required=False, label="in")


class WebhookForm(forms.Form):
    url = forms.CharField(max_length=2048, label="URL", help_text="Where Corrigo POSTs each event (https, public).")
    format = forms.ChoiceField(choices=WebhookFormat.choices, initial=WebhookFormat.STANDARD)
    events = forms.MultipleChoiceField(
        choices=EventType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every event.",
    )

    def clean_url(self) -> str:
        try:
            return check_endpoint_url(self.cleaned_data["url"].strip())
        except EndpointError as error:
            raise forms.ValidationError(str(error)) from None
