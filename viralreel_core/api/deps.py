"""Who is asking: the client the token gate let in, as a route dependency (and the bearer scheme in the
OpenAPI document)."""

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPBearer

from viralreel_core.api.gate import client_of
from viralreel_core.api.tokens import Client

__all__ = ["Caller", "guard"]

_bearer = HTTPBearer(auto_error=False, description="Needed when the server has VIRALREEL_API_TOKENS (or "
                                                   "VIRALREEL_API_TOKEN) set.")


def current_client(request: Request, _: Annotated[Any, Depends(_bearer)]) -> Client:
    return client_of(request.scope)  # the gate has checked the token already


Caller = Annotated[Client, Depends(current_client)]
guard = [Depends(current_client)]  # routes with no job of their own: the bearer scheme in the OpenAPI document
