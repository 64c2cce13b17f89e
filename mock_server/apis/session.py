"""login: the STANDARD auth style's token (reference §3)."""

from __future__ import annotations

from sterling_mock.client.wire import Doc
from sterling_mock.mock_server.apis.spec import ApiSpec
from sterling_mock.mock_server.base.errors import NotAuthenticated
from sterling_mock.mock_server.domain import auth
from sterling_mock.mock_server.domain.context import Ctx, Output


def login(ctx: Ctx, doc: Doc) -> Output:
    """``{"LoginID","Password"}`` -> ``UserToken`` valid for ``token_lifetime`` seconds of the virtual clock.

    Succeeds in every auth style (a Basic header sent alongside is ignored [OBS: IBM's client]).
    """
    user = str(doc.get("LoginID", ""))
    password = str(doc.get("Password", ""))
    if not user or not auth.check_password(ctx.settings, user, password):
        raise NotAuthenticated("Invalid LoginID or Password.", http_status=ctx.settings.auth_error_status)
    token = auth.issue_token(ctx, user)
    return Output(
        "Login",
        {
            "LoginID": user,
            "UserToken": token,
            "UserName": user,
            "UserGroupID": "SYSTEM",
            "OrganizationCode": "DEFAULT",
        },
    )


APIS = {
    "login": ApiSpec(login, "Login", "Login", writes=True, public=True),
}
