"""Authentication styles (reference §3): Basic, login token (``_loginid`` + ``_token``), JWT Bearer, open.

Every check is strict and constant-time; a bad credential is YCP0427, never silently ignored.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass

from sterling_mock.mock_server.base.errors import JwtNotEnabled, NotAuthenticated
from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.domain import clock
from sterling_mock.mock_server.domain.context import Ctx
from sterling_mock.mock_server.store.core import Store


@dataclass
class Credentials:
    authorization: str = ""
    loginid: str = ""
    token: str = ""


def check_password(settings: Settings, user: str, password: str) -> bool:
    expected = settings.users.get(user)
    # compare against a dummy when the user is unknown, so timing does not reveal which users exist
    ok = hmac.compare_digest((expected or "\0invalid").encode(), password.encode())
    return expected is not None and ok


def issue_token(ctx: Ctx, user: str) -> str:
    token = secrets.token_hex(24)
    expires = ctx.now().timestamp() + ctx.settings.token_lifetime
    ctx.tx.put_token(token, ctx.ns, user, expires)
    return token


def _fail(settings: Settings, why: str) -> NotAuthenticated:
    return NotAuthenticated(why, http_status=settings.auth_error_status)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_jwt(settings: Settings, user: str, issued: float) -> str:
    """An HS256 JWT (RFC 7519) for ``user``, expiring ``token_lifetime`` seconds later on the virtual clock."""
    header = _b64url(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    claims = {
        "sub": user,
        "iat": int(issued),
        "exp": int(issued + settings.token_lifetime),
        "iss": "sterling-mock",
    }
    payload = _b64url(json.dumps(claims, separators=(",", ":")).encode())
    signature = hmac.new(
        settings.jwt_secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256
    ).digest()
    return f"{header}.{payload}.{_b64url(signature)}"


def verify_jwt(settings: Settings, token: str, now: float) -> str:
    """The token's subject; the signature is checked before anything in it is believed, and only HS256 is
    accepted (an ``alg`` of ``none`` or another algorithm is refused, RFC 8725 §3.1)."""
    try:
        header, payload, signature = token.split(".")
        expected = hmac.new(
            settings.jwt_secret.encode(), f"{header}.{payload}".encode(), hashlib.sha256
        ).digest()
        if not hmac.compare_digest(expected, _b64url_decode(signature)):
            raise _fail(settings, "The bearer token's signature is invalid.")
        algorithm = json.loads(_b64url_decode(header)).get("alg")
        claims = json.loads(_b64url_decode(payload))
    except (ValueError, AttributeError, binascii.Error, UnicodeDecodeError):
        raise _fail(settings, "The bearer token is malformed.") from None
    if algorithm != "HS256":
        raise _fail(settings, "The bearer token is not signed with HS256.")
    if not isinstance(claims, dict) or not isinstance(claims.get("sub"), str):
        raise _fail(settings, "The bearer token carries no subject.")
    expires = claims.get("exp")
    if not isinstance(expires, (int, float)) or expires <= now:  # RFC 7519 §4.1.4: not on or after exp
        raise _fail(settings, "The bearer token has expired.")
    return str(claims["sub"])


def jwt_user(store: Store, settings: Settings, ns: str, creds: Credentials) -> str:
    """Who ``GET /jwt`` issues a token for: the ``_loginid``/``_token`` pair from ``POST /invoke/login``
    [DOC][OBS: IBM's client], or a Basic header.  Checked in every style that accepts Bearer tokens, even
    where login tokens are not accepted on API calls (JWT-only instances still log in first)."""
    if settings.auth_style in ("BASIC", "STANDARD"):
        raise JwtNotEnabled(f"auth_style is {settings.auth_style}; JWT needs ANY or JWT.")
    if settings.auth_style == "OPEN":
        return creds.loginid or _basic_user(creds.authorization) or "admin"
    if creds.loginid or creds.token:
        return _token_user(store, settings, ns, creds)
    scheme, _, value = creds.authorization.strip().partition(" ")
    if scheme.lower() == "basic":
        return _basic_check(settings, value)
    raise _fail(settings, "GET /jwt needs _loginid and _token (from POST /invoke/login).")


def authenticate(store: Store, settings: Settings, ns: str, creds: Credentials) -> str:
    """The calling user, or YCP0427.  Which styles are accepted follows ``settings.auth_style``."""
    style = settings.auth_style
    if style == "OPEN":
        return _basic_user(creds.authorization) or creds.loginid or "admin"
    header = creds.authorization.strip()
    scheme, _, value = header.partition(" ")
    scheme = scheme.lower()
    if scheme == "bearer" and style in ("ANY", "JWT"):
        with store.read() as tx:
            now = clock.now(tx, ns).timestamp()
        return verify_jwt(settings, value.strip(), now)
    if style == "JWT":
        raise _fail(settings, "This instance requires a JWT bearer token (GET /jwt).")
    if creds.token or creds.loginid:
        if style not in ("ANY", "STANDARD"):
            raise _fail(settings, "Login tokens are not accepted by this instance.")
        return _token_user(store, settings, ns, creds)
    if scheme == "basic" and style in ("ANY", "BASIC"):
        return _basic_check(settings, value)
    if scheme == "bearer":
        raise _fail(settings, f"Bearer tokens are not accepted by this instance (auth_style {style}).")
    raise _fail(settings, "No credentials were given.")


def _basic_check(settings: Settings, value: str) -> str:
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise _fail(settings, "The Basic authorization header is malformed.") from None
    user, sep, password = decoded.partition(":")
    if not sep or not check_password(settings, user, password):
        raise _fail(settings, "Invalid user or password.")
    return user


def _token_user(store: Store, settings: Settings, ns: str, creds: Credentials) -> str:
    if not (creds.token and creds.loginid):
        raise _fail(settings, "Both _loginid and _token are required.")
    with store.read() as tx:
        found = tx.get_token(creds.token)
        now = clock.now(tx, ns).timestamp()
    if found is None or not hmac.compare_digest(found[1].encode(), creds.loginid.encode()):
        raise _fail(settings, "The token is not valid for this user.")
    if found[2] < now:
        raise _fail(settings, "The token has expired; log in again.")
    return found[1]


def _basic_user(header: str) -> str:
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return ""
    try:
        return base64.b64decode(value.strip(), validate=True).decode("utf-8").partition(":")[0]
    except (binascii.Error, UnicodeDecodeError):
        return ""
