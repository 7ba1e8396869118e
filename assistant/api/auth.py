"""API tokens on requests: `Authorization: Bearer pa_…` and the scope an endpoint needs.

Only tokens count: the chat's sign-in cookie (or its session token sent as a bearer) is not
a token and is refused like any other.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from assistant.api.deps import DbSession
from assistant.persistence.tokens import ApiToken, verify_token

# auto_error=False: a missing header gets our own 401 with its WWW-Authenticate challenge
bearer = HTTPBearer(
    auto_error=False, description="An API token from `plant tokens create NAME --scope …`."
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def unauthorized(detail: str) -> HTTPException:
    return HTTPException(401, detail, headers={"WWW-Authenticate": "Bearer"})


def require(scope: str) -> Any:
    """A dependency that yields the request's token when it is valid and grants `scope`:
    401 without a valid token, 403 when the token lacks the scope."""

    def caller(credentials: Credentials, session: DbSession) -> ApiToken:
        if credentials is None:
            raise unauthorized("Send an API token: `Authorization: Bearer pa_…`.")
        token = verify_token(session, token=credentials.credentials)
        if token is None:
            raise unauthorized("The API token is not valid, or it was revoked.")
        if not token.grants(scope):
            raise HTTPException(403, f"The API token {token.name!r} lacks the scope {scope}.")
        return token

    return Depends(caller)


def actor(token: ApiToken, by: str | None = None) -> str:
    """Who changed a ticket, for its history: the token, and the person when named."""
    via = f"api:{token.name}"
    return f"{by.strip()} via {via}" if by and by.strip() else via
