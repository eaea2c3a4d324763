"""Bearer tokens on the API: who is calling, and whether their token may do what they ask."""

from django.http import HttpRequest
from ninja.security import HttpBearer

from corrigo.reports.errors import ApiError
from corrigo.sites.models import ApiToken, Scope
from corrigo.sites.services import token_for


class TokenAuth(HttpBearer):
    """A live token of the site, with `scope` among its scopes.

    No token or an unknown one: 401 (ninja's AuthenticationError, answered by corrigo.api).
    A live token without the scope: 403 `forbidden`, saying which scope it lacks.
    """

    def __init__(self, scope: Scope | str = Scope.READ):
        super().__init__()
        self.scope = Scope(scope)

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = token_for(token)
        if found is not None and not found.has_scope(self.scope):
            raise ApiError(403, "forbidden", f"This token does not have the {self.scope.value} scope.")
        return found
