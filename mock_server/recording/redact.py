"""Secrets never reach the disk: what the recorder learns, replaces by placeholders, and audits at the end.

Learned per session, from the traffic itself: Basic credentials and Bearer tokens (the Authorization header
is dropped, its kind kept), ``_token`` and ``_loginid``, login passwords and the ``UserToken`` login answers,
JWTs (``/jwt`` answers, anything shaped like one), interop ``YFSEnvironment.password`` / ``.userId``,
cookies, and any attribute whose name says password or secret.  Each real value gets a numbered placeholder
(``{{token:1}}``) used in every file of the session, so a chained call (login, then ``_token`` on the next call)
reads as the same placeholder in both places; ``restore`` turns placeholders a client sends back into the real
values before a call is forwarded (both ways).  ``_loginid`` is kept, as a placeholder.

Headers are kept by an allow-list.  ``audit`` scans every file of a session for a learned value (as written,
JSON-, XML- and URL-escaped, and as the Basic header's base64) and for token patterns; the recorder refuses to
mark a session clean while it finds any.  Passwords shorter than ``MIN_FREE_TEXT`` characters are replaced only
where they are known to sit (a login body, an interop parameter), not as free text in every body.

``Customers`` (optional) replaces customer names, addresses, e-mails and phones by consistent fake values:
the same real value gives the same fake value for the whole session.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus
from xml.sax.saxutils import escape, quoteattr

from sterling_mock.mock_server.calls.stubs import PLACEHOLDER, SECRET_NAME

REQUEST_HEADERS = ("content-type", "accept", "x-sterling-mock-namespace")
RESPONSE_HEADERS = ("content-type", "retry-after", "interopsentdata", "location")
MIN_FREE_TEXT = 4
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")
AUTH_VALUE = re.compile(r"\b(Basic|Bearer)\s+[A-Za-z0-9+/=._~-]{6,}")
#: The JSON / XML attribute forms of a named value: ``"UserToken":"…"`` and ``UserToken="…"``.
_NAMED = r'(?:"{name}"\s*:\s*"(?P<j>[^"\\]*)"|\b{name}="(?P<x>[^"]*)")'


def _named(name: str) -> re.Pattern[str]:
    return re.compile(_NAMED.format(name=re.escape(name)))


_USER_TOKEN = _named("UserToken")
_LOGIN_ID = _named("LoginID")
_PASSWORD = _named("Password")


def _forms(value: str) -> set[str]:
    """How a value may be written in a file: as is, JSON-, XML- and URL-escaped."""
    forms = {
        value,
        json.dumps(value)[1:-1],
        escape(value),
        quoteattr(value)[1:-1],
        quote(value),
        quote_plus(value),
    }
    return {f for f in forms if f}


@dataclass
class Redactor:
    """The secrets of one session and their placeholders."""

    secrets: dict[str, str] = field(default_factory=dict)  # real value -> placeholder
    counts: dict[str, int] = field(default_factory=dict)
    #: Values that are too short to be replaced as free text but must still never be written.
    structured_only: set[str] = field(default_factory=set)
    extra_audit: set[str] = field(default_factory=set)

    # ------------------------------------------------------------------------------------ learning

    def learn(self, value: str, kind: str) -> str:
        """The placeholder of ``value`` (a new one the first time it is seen)."""
        value = value.strip()
        if not value or PLACEHOLDER.fullmatch(value):
            return value
        found = self.secrets.get(value)
        if found is not None:
            return found
        self.counts[kind] = self.counts.get(kind, 0) + 1
        placeholder = f"{{{{{kind}:{self.counts[kind]}}}}}"
        self.secrets[value] = placeholder
        if kind != "loginid" and len(value) < MIN_FREE_TEXT:
            self.structured_only.add(value)
        return placeholder

    def learn_authorization(self, header: str) -> str:
        """Learn what an Authorization header carries; the kind of authentication it is."""
        scheme, _, credential = header.strip().partition(" ")
        if scheme.lower() == "basic":
            self.extra_audit.add(credential.strip())
            try:
                user, _, password = base64.b64decode(credential.strip()).decode("utf-8").partition(":")
            except (ValueError, UnicodeDecodeError):
                self.learn(credential, "secret")
                return "basic"
            self.learn(user, "loginid")
            self.learn(password, "password")
            return "basic"
        if scheme.lower() == "bearer":
            self.learn(credential, "jwt")
            return "bearer"
        if header.strip():
            self.learn(header, "secret")
            return "other"
        return "none"

    def learn_cookies(self, header: str) -> None:
        for part in header.split(";"):
            name, sep, value = part.strip().partition("=")
            if sep and name.lower() not in ("path", "domain", "expires", "max-age", "samesite"):
                self.learn(value, "cookie")

    def learn_document_text(self, text: str, *, login: bool = False) -> None:
        """Tokens and passwords inside a body: ``UserToken``, JWT shapes, password-named attributes; the
        ``LoginID`` of a login body or answer."""
        for match in _USER_TOKEN.finditer(text):
            self.learn(match.group("j") or match.group("x") or "", "token")
        for match in JWT.finditer(text):
            self.learn(match.group(0), "jwt")
        for match in re.finditer(r'"([A-Za-z_.]*)"\s*:\s*"([^"\\]*)"|\b([A-Za-z_.]+)="([^"]*)"', text):
            name = match.group(1) or match.group(3) or ""
            value = match.group(2) if match.group(1) is not None else match.group(4)
            if SECRET_NAME.search(name) and value:
                self.learn(_unescape(value), "password")
        if login:
            for match in _LOGIN_ID.finditer(text):
                self.learn(match.group("j") or match.group("x") or "", "loginid")

    # ------------------------------------------------------------------------------------ replacing

    def scrub(self, text: str, *, structured: bool = False) -> str:
        """``text`` with every learned value replaced by its placeholder (long values first).  With
        ``structured`` (a login body, an interop parameter) short values and login ids are replaced too."""
        for value, placeholder in sorted(self.secrets.items(), key=lambda kv: -len(kv[0])):
            free = len(value) >= MIN_FREE_TEXT and not placeholder.startswith("{{loginid")
            if not (free or structured):
                continue
            if structured and not free:
                text = _replace_named(text, value, placeholder)
                continue
            for form in _forms(value):
                if form in text:
                    text = text.replace(form, placeholder)
        return JWT.sub(lambda m: self.learn(m.group(0), "jwt"), text)

    def restore(self, text: str) -> str:
        """Placeholders a client sends back (a replayed request) turned into the real values again."""
        if "{{" not in text:
            return text
        reverse = {placeholder: value for value, placeholder in self.secrets.items()}
        return PLACEHOLDER.sub(lambda m: reverse.get(m.group(0), m.group(0)), text)

    # ------------------------------------------------------------------------------------ auditing

    def audit(self, files: list[Path]) -> list[str]:
        """Findings (file and what was found, never the value) for every file still holding a secret."""
        needles: list[tuple[str, str]] = []
        for value, placeholder in self.secrets.items():
            if placeholder.startswith("{{loginid"):
                continue
            if len(value) >= MIN_FREE_TEXT:
                needles += [(form, placeholder) for form in _forms(value)]
        needles += [(value, "Authorization credential") for value in self.extra_audit if len(value) >= 6]
        findings = []
        for path in files:
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            for needle, what in needles:
                if needle in text:
                    findings.append(f"{path.name}: the real value of {what}")
            short = [v for v in self.structured_only if v in self.secrets]
            for value in short:
                if _named_value_present(text, value):
                    findings.append(f"{path.name}: the real value of {self.secrets[value]}")
            if JWT.search(text):
                findings.append(f"{path.name}: a JWT")
            if AUTH_VALUE.search(text):
                findings.append(f"{path.name}: an Authorization header value")
        return sorted(set(findings))


def _unescape(value: str) -> str:
    try:
        loaded = json.loads(f'"{value}"')
        return loaded if isinstance(loaded, str) else value
    except ValueError:
        return value


_SECRET_FIELDS = (
    "Password",
    "YFSEnvironment.password",
    "_token",
    "UserToken",
    "LoginID",
    "_loginid",
    "YFSEnvironment.userId",
)


def _replace_named(text: str, value: str, placeholder: str) -> str:
    """Replace a short value only where a secret-named field holds it (JSON, XML attribute, form/query)."""
    for name in _SECRET_FIELDS:
        text = text.replace(f'"{name}":"{value}"', f'"{name}":"{placeholder}"')
        text = text.replace(f'"{name}": "{value}"', f'"{name}": "{placeholder}"')
        text = text.replace(f'{name}="{value}"', f'{name}="{placeholder}"')
        text = text.replace(f"{name}={quote_plus(value)}&", f"{name}={placeholder}&")
        if text.endswith(f"{name}={quote_plus(value)}"):
            text = text[: -len(quote_plus(value))] + placeholder
    return text


def _named_value_present(text: str, value: str) -> bool:
    return any(
        f'"{name}":"{value}"' in text or f'"{name}": "{value}"' in text or f'{name}="{value}"' in text
        for name in ("Password", "YFSEnvironment.password", "_token", "UserToken")
    )


def keep_headers(headers: dict[str, str], allowed: tuple[str, ...]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k.lower() in allowed}


# ---------------------------------------------------------------------------------------- customer data

CUSTOMER_FIELDS = {
    "FirstName": "first",
    "MiddleName": "first",
    "LastName": "last",
    "CustomerFirstName": "first",
    "CustomerLastName": "last",
    "AddressLine1": "street",
    "AddressLine2": "line",
    "AddressLine3": "line",
    "AddressLine4": "line",
    "AddressLine5": "line",
    "AddressLine6": "line",
    "City": "city",
    "ZipCode": "zip",
    "EMailID": "email",
    "AlternateEmailID": "email",
    "CustomerEMailID": "email",
    "DayPhone": "phone",
    "EveningPhone": "phone",
    "MobilePhone": "phone",
    "OtherPhone": "phone",
    "CustomerPhoneNo": "phone",
    "DayFaxNo": "phone",
    "EveningFaxNo": "phone",
    "Company": "company",
}
_FIRST = ("Alex", "Sam", "Robin", "Jordan", "Casey", "Morgan", "Taylor", "Jamie", "Avery", "Riley")
_LAST = ("Example", "Sample", "Tester", "Demo", "Placeholder", "Mock", "Dummy", "Fixture", "Stub", "Proxy")
_CITY = ("Springfield", "Riverton", "Fairview", "Lakeside", "Greenville", "Oakdale", "Milton", "Ashford")


@dataclass
class Customers:
    """Consistent fake customer values: ``fake(kind, real)`` is the same for the same real value."""

    salt: str = "sterling-mock"
    seen: dict[str, str] = field(default_factory=dict)

    def fake(self, kind: str, real: str) -> str:
        number = int(hashlib.sha256(f"{self.salt}|{kind}|{real}".encode()).hexdigest()[:8], 16)
        if kind == "first":
            return _FIRST[number % len(_FIRST)]
        if kind == "last":
            return _LAST[number % len(_LAST)] + str(number % 97)
        if kind == "street":
            return f"{number % 900 + 100} Example Street"
        if kind == "line":
            return f"Unit {number % 90 + 10}"
        if kind == "city":
            return _CITY[number % len(_CITY)]
        if kind == "zip":
            return f"{number % 90000 + 10000}"
        if kind == "email":
            return f"customer{number % 100000}@example.com"
        if kind == "phone":
            return f"555-01{number % 100:02d}-{number % 10000:04d}"
        return f"Example Company {number % 1000}"

    def collect(self, doc: Any) -> None:
        """Learn the fake value of every customer attribute in a parsed document."""
        if isinstance(doc, list):
            for item in doc:
                self.collect(item)
            return
        if not isinstance(doc, dict):
            return
        for key, value in doc.items():
            if isinstance(value, str):
                kind = CUSTOMER_FIELDS.get(key)
                if kind and value.strip() and value not in self.seen.values():
                    self.seen.setdefault(value, self.fake(kind, value))
            else:
                self.collect(value)

    def replace(self, text: str) -> str:
        for real, fake in sorted(self.seen.items(), key=lambda kv: -len(kv[0])):
            for form in {real, json.dumps(real)[1:-1], escape(real), quoteattr(real)[1:-1]}:
                if form and form in text:
                    text = re.sub(r'(?<=["=>])' + re.escape(form) + r'(?=["<])', fake, text)
        return text
