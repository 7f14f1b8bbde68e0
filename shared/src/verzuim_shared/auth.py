"""Bearer-JWT authentication for every /v1 endpoint, in one place.

A token carries `sub` (the caller's id), `rol` (one of `Rol`) and `werkgever_id` (the tenant). HS256 with a
shared secret is the embedded default; configure `VERZUIM_AUTH_JWT_PUBLIC_KEY` (PEM) to accept RS256/ES256
tokens of an OIDC provider instead. Fine-grained authorisation comes later; no endpoint is open by accident
because every router under /v1 is built with `authenticated_router()`.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated

import jwt
from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from verzuim_shared.events.base import Actor, Rol
from verzuim_shared.problems import Problem
from verzuim_shared.settings import ServiceSettings


@dataclass(frozen=True)
class Principal:
    id: str
    rol: Rol
    werkgever_id: str

    def as_actor(self) -> Actor:
        return Actor(id=self.id, rol=self.rol)


class AuthError(Problem):
    status = 401
    title = "Niet geauthenticeerd"
    type_slug = "niet-geauthenticeerd"


class ForbiddenError(Problem):
    status = 403
    title = "Geen toegang"
    type_slug = "geen-toegang"


def _verification_key(settings: ServiceSettings) -> tuple[str, list[str]]:
    if settings.auth_jwt_public_key:
        return settings.auth_jwt_public_key, ["RS256", "ES256"]
    secret = settings.auth_jwt_secret.get_secret_value()
    if not secret:
        raise AuthError("De service heeft geen sleutel om tokens te controleren (VERZUIM_AUTH_JWT_SECRET).")
    return secret, ["HS256"]


def decode_token(token: str, settings: ServiceSettings) -> Principal:
    key, algorithms = _verification_key(settings)
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=algorithms,
            audience=settings.auth_audience,
            issuer=settings.auth_issuer,
            options={"require": ["exp", "sub", "iss", "aud"]},
        )
    except jwt.ExpiredSignatureError:
        raise AuthError("Het token is verlopen.") from None
    except jwt.InvalidTokenError as exc:
        raise AuthError(f"Het token is ongeldig: {exc}.") from None
    try:
        rol = Rol(claims["rol"])
        werkgever_id = str(claims["werkgever_id"])
    except (KeyError, ValueError):
        raise AuthError("Het token mist een geldige 'rol' of 'werkgever_id'.") from None
    return Principal(id=str(claims["sub"]), rol=rol, werkgever_id=werkgever_id)


def mint_token(
    settings: ServiceSettings,
    *,
    sub: str,
    rol: Rol | str,
    werkgever_id: str,
    valid_for: timedelta = timedelta(hours=12),
    now: datetime | None = None,
) -> str:
    """Mint an HS256 token (embedded setup and tests; production tokens come from the identity provider)."""
    now = now or datetime.now(UTC)
    claims = {
        "sub": sub,
        "rol": Rol(rol).value,
        "werkgever_id": werkgever_id,
        "iss": settings.auth_issuer,
        "aud": settings.auth_audience,
        "iat": int(now.timestamp()),
        "exp": int((now + valid_for).timestamp()),
    }
    secret = settings.auth_jwt_secret.get_secret_value()
    if not secret:
        raise SystemExit("VERZUIM_AUTH_JWT_SECRET is not set")
    return jwt.encode(claims, secret, algorithm="HS256")


_bearer = HTTPBearer(auto_error=False, description="JWT with claims sub, rol, werkgever_id")


def current_principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthError("Deze endpoint vraagt een bearer-token (Authorization: Bearer <jwt>).")
    settings: ServiceSettings = request.app.state.settings
    return decode_token(credentials.credentials, settings)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def require_roles(*roles: Rol) -> object:
    allowed = frozenset(roles)

    def check(principal: CurrentPrincipal) -> Principal:
        if principal.rol not in allowed:
            names = ", ".join(sorted(r.value for r in allowed))
            raise ForbiddenError(f"De rol '{principal.rol.value}' mag dit niet; toegestaan: {names}.")
        return principal

    return Depends(check)


def authenticated_router(**kwargs: object) -> APIRouter:
    """Every /v1 router is built here, so authentication cannot be forgotten on a new endpoint."""
    deps = list(kwargs.pop("dependencies", []) or [])  # type: ignore[call-overload]
    return APIRouter(dependencies=[Depends(current_principal), *deps], **kwargs)  # type: ignore[arg-type]


def mint_token_cli(argv: list[str] | None = None) -> None:
    """`verzuim-token --rol leidinggevende --sub lg-1 --werkgever demo`: print a dev token."""
    parser = argparse.ArgumentParser(description="Mint a development JWT for the embedded setup")
    parser.add_argument("--sub", required=True, help="the caller's id")
    parser.add_argument("--rol", required=True, choices=[r.value for r in Rol])
    parser.add_argument("--werkgever", required=True, help="werkgever_id (tenant)")
    parser.add_argument("--hours", type=float, default=12.0)
    parser.add_argument(
        "--secret-file",
        default=os.environ.get("VERZUIM_SECRET_FILE", ".verzuim/jwt-secret"),
        help="file with the HS256 secret when VERZUIM_AUTH_JWT_SECRET is not set",
    )
    args = parser.parse_args(argv)
    settings = ServiceSettings()
    if not settings.auth_jwt_secret.get_secret_value() and os.path.exists(args.secret_file):
        with open(args.secret_file) as fh:
            os.environ["VERZUIM_AUTH_JWT_SECRET"] = fh.read().strip()
        settings = ServiceSettings()
    token = mint_token(
        settings,
        sub=args.sub,
        rol=args.rol,
        werkgever_id=args.werkgever,
        valid_for=timedelta(hours=args.hours),
    )
    sys.stdout.write(token + "\n")
