"""Sign-up, sign-in, token refresh, sign-out and the signed-in user's own account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Cookie, Depends, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm

from aigc.auth import service
from aigc.auth.dependencies import CurrentUser
from aigc.auth.schemas import ChangePasswordRequest, RefreshRequest, TokenPair
from aigc.core.config import Settings
from aigc.core.deps import SessionDep, SettingsDep
from aigc.core.errors import error_responses
from aigc.users.schemas import UserPublic, UserRegister

REFRESH_COOKIE = "aigc_refresh"
REFRESH_COOKIE_PATH = "/api/v1/auth"

# Public: no token needed to sign up, sign in, refresh or sign out.
public_router = APIRouter(prefix="/auth", tags=["auth"])
# Needs a signed-in user.
router = APIRouter(prefix="/auth", tags=["auth"], responses=error_responses(401))

RefreshCookie = Annotated[str | None, Cookie(alias=REFRESH_COOKIE, include_in_schema=False)]


def _set_refresh_cookie(response: Response, settings: Settings, tokens: TokenPair) -> None:
    response.set_cookie(
        REFRESH_COOKIE,
        tokens.refresh_token,
        max_age=settings.refresh_token_expire_days * 24 * 3600,
        path=REFRESH_COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=settings.public_base_url.startswith("https://"),
    )


def _client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@public_router.post(
    "/register",
    summary="Register",
    response_model=UserPublic,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(403, 409, 422),
)
async def register(data: UserRegister, session: SessionDep, settings: SettingsDep) -> UserPublic:
    """Create an account when registration is open."""
    return UserPublic.model_validate(await service.register(session, settings, data))


@public_router.post(
    "/login", summary="Sign in", response_model=TokenPair, responses=error_responses(401, 403, 422, 429, 503)
)
async def login(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
) -> TokenPair:
    """OAuth2 password form (username or email); returns tokens and sets the refresh cookie."""
    tokens = await service.login(
        session,
        settings,
        form.username,
        form.password,
        _client_ip(request),
        request.headers.get("user-agent"),
    )
    _set_refresh_cookie(response, settings, tokens)
    return tokens


@public_router.post(
    "/refresh", summary="Refresh tokens", response_model=TokenPair, responses=error_responses(401)
)
async def refresh(
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    refresh_cookie: RefreshCookie = None,
    body: RefreshRequest | None = None,
) -> TokenPair:
    """Trade a refresh token (body or cookie) for a new pair; the old one stops working."""
    raw = (body.refresh_token if body else None) or refresh_cookie
    tokens = await service.refresh(session, settings, raw, request.headers.get("user-agent"))
    _set_refresh_cookie(response, settings, tokens)
    return tokens


@public_router.post("/logout", summary="Sign out", status_code=status.HTTP_204_NO_CONTENT)
async def logout(
    response: Response,
    session: SessionDep,
    refresh_cookie: RefreshCookie = None,
    body: RefreshRequest | None = None,
) -> None:
    """Revoke the refresh token and clear its cookie; access tokens lapse within their short lifetime."""
    await service.logout(session, (body.refresh_token if body else None) or refresh_cookie)
    response.delete_cookie(REFRESH_COOKIE, path=REFRESH_COOKIE_PATH)


@router.get("/me", summary="Current user", response_model=UserPublic)
async def me(user: CurrentUser) -> UserPublic:
    """The signed-in account."""
    return UserPublic.model_validate(user)


@router.post(
    "/change-password",
    summary="Change password",
    response_model=TokenPair,
    responses=error_responses(400, 422),
)
async def change_password(
    data: ChangePasswordRequest,
    request: Request,
    response: Response,
    user: CurrentUser,
    session: SessionDep,
    settings: SettingsDep,
) -> TokenPair:
    """Change the password; every older token stops working and this client gets a fresh pair."""
    tokens = await service.change_password(
        session, settings, user, data.current_password, data.new_password, request.headers.get("user-agent")
    )
    _set_refresh_cookie(response, settings, tokens)
    return tokens
