"""Login rules the desk adds to Django auth: lockouts by user name, never by stored address."""

from django.http import HttpRequest


def no_client_address(request: HttpRequest) -> None:
    """django-axes' AXES_CLIENT_IP_CALLABLE: Corrigo never stores a raw IP address."""
    return None
