"""Signing in through an organisation's own identity provider, with OpenID Connect.

An NHS trust, ICB or council that already signs its staff in (Microsoft Entra ID,
NHSmail, Okta, Keycloak…) registers IntegraMap there as a web application and
gives it the provider's issuer address and the client id and secret it was
issued, in the environment (see :class:`OidcConfig`). The sign-in page then
offers "Sign in with <provider>".

The flow is the authorisation code flow with PKCE (S256), a ``state`` kept in
the signed session cookie and a ``nonce`` bound into the id_token. Authlib
fetches the provider's discovery document (``/.well-known/openid-configuration``)
and its keys (JWKS), exchanges the code at the token endpoint and checks the
id_token's RS256 (or other published) signature; the issuer, audience, expiry
and nonce claims are checked here against what this server expects. A refusal
becomes one sentence for the person (:class:`OidcRefused`), never a traceback.

What the provider says only identifies the person: their roles still come from
grants in the store.

Signing out of IntegraMap also ends the person's session at the provider when the
provider publishes an ``end_session_endpoint`` (OpenID Connect RP-Initiated
Logout 1.0): otherwise, on a shared computer, the next person to press "Sign in
with …" would be let straight back in as the last one. The browser is sent
there with the id_token as ``id_token_hint`` and comes back to
``/login/signed-out``, which the provider must know as a post-logout address.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode, urlparse

import requests
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, Response
from joserfc.errors import ClaimError, ExpiredTokenError, JoseError
from pydantic import BaseModel, ConfigDict

log = logging.getLogger(__name__)

ISSUER_ENV = "INTEGRAMAP_OIDC_ISSUER"
CLIENT_ID_ENV = "INTEGRAMAP_OIDC_CLIENT_ID"
CLIENT_SECRET_ENV = "INTEGRAMAP_OIDC_CLIENT_SECRET"
NAME_ENV = "INTEGRAMAP_OIDC_NAME"
SCOPES_ENV = "INTEGRAMAP_OIDC_SCOPES"
REDIRECT_ENV = "INTEGRAMAP_OIDC_REDIRECT_URI"
POST_LOGOUT_ENV = "INTEGRAMAP_OIDC_POST_LOGOUT_REDIRECT_URI"
NEW_ACCOUNTS_ENV = "INTEGRAMAP_OIDC_NEW_ACCOUNTS"
DEFAULT_SCOPES = "openid email profile"
TIMEOUT_SECONDS = 10
"""How long a request to the provider (discovery, keys, token) may take before the sign-in is refused."""
_CLIENT_NAME = "integramap_oidc"


class OidcConfigError(ValueError):
    """The identity provider settings in the environment are incomplete or unusable."""


class OidcRefused(Exception):
    """A sign-in through the identity provider was refused; the message is for the person."""


WRONG_ISSUER = ("The identity provider describes itself as a different issuer than the one IntegraMap is set "
                "up to trust, so you are not signed in: tell whoever runs IntegraMap for your organisation.")


class OidcConfig(BaseModel):
    """How this server signs people in through the organisation's identity provider.

    Examples
    --------
    >>> OidcConfig.from_env({}) is None
    True
    >>> config = OidcConfig.from_env({ISSUER_ENV: "https://login.example.nhs.uk/realm/",
    ...                               CLIENT_ID_ENV: "integramap", CLIENT_SECRET_ENV: "s3cret",
    ...                               NAME_ENV: "NHSmail"})
    >>> config.issuer, config.provider_name, config.discovery_url
    ('https://login.example.nhs.uk/realm/', 'NHSmail', 'https://login.example.nhs.uk/realm/.well-known/openid-configuration')
    >>> OidcConfig.from_env({ISSUER_ENV: "http://login.example.nhs.uk", CLIENT_ID_ENV: "a",
    ...                      CLIENT_SECRET_ENV: "b"})
    Traceback (most recent call last):
    ...
    integramap.web.common.oidc.OidcConfigError: INTEGRAMAP_OIDC_ISSUER must be an https:// address ...
    """

    model_config = ConfigDict(frozen=True)

    issuer: str
    """The provider's issuer identifier, exactly as its id_tokens' ``iss`` claim gives it."""
    client_id: str
    client_secret: str
    provider_name: str = "your organisation's account"
    """Shown on the button: "Sign in with NHSmail"."""
    scopes: str = DEFAULT_SCOPES
    redirect_uri: str | None = None
    """Where the provider sends people back; by default this server's ``/login/oidc/callback``."""
    post_logout_redirect_uri: str | None = None
    """Where the provider sends people after signing them out; by default this server's ``/login/signed-out``."""
    new_accounts: bool = True
    """Whether someone the provider vouches for but who has no account gets one (with no roles)."""

    @property
    def discovery_url(self) -> str:
        """The provider's OpenID Connect discovery document."""
        return f"{self.issuer.rstrip('/')}/.well-known/openid-configuration"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "OidcConfig | None":
        """The settings from the environment; ``None`` when no issuer is set (sign-in by password only)."""
        env = os.environ if environ is None else environ
        issuer = env.get(ISSUER_ENV, "").strip()
        if not issuer:
            return None
        missing = [name for name in (CLIENT_ID_ENV, CLIENT_SECRET_ENV) if not env.get(name, "").strip()]
        if missing:
            raise OidcConfigError(f"{ISSUER_ENV} is set but {' and '.join(missing)} "
                                  f"{'is' if len(missing) == 1 else 'are'} not: the identity provider "
                                  "issues both when IntegraMap is registered with it")
        if not _trusted_address(issuer):
            raise OidcConfigError(f"{ISSUER_ENV} must be an https:// address (got {issuer!r}); plain http is "
                                  "accepted only for a provider on this computer")
        new_accounts = env.get(NEW_ACCOUNTS_ENV, "yes").strip().lower()
        if new_accounts not in ("yes", "no"):
            raise OidcConfigError(f"{NEW_ACCOUNTS_ENV} must be yes or no (got {new_accounts!r})")
        scopes = " ".join(env.get(SCOPES_ENV, DEFAULT_SCOPES).split())
        if "openid" not in scopes.split():
            scopes = f"openid {scopes}"
        return cls(issuer=issuer, client_id=env[CLIENT_ID_ENV].strip(), client_secret=env[CLIENT_SECRET_ENV],
                   provider_name=env.get(NAME_ENV, "").strip() or cls.model_fields["provider_name"].default,
                   scopes=scopes, redirect_uri=env.get(REDIRECT_ENV, "").strip() or None,
                   post_logout_redirect_uri=env.get(POST_LOGOUT_ENV, "").strip() or None,
                   new_accounts=new_accounts == "yes")


class Identity(BaseModel):
    """Who the identity provider says signed in."""

    model_config = ConfigDict(frozen=True)

    subject: str
    """The provider's ``sub``: stable and unique for this person at this provider."""
    email: str | None = None
    name: str | None = None
    id_token: str | None = None
    """The id_token itself, kept in the session to name the session to end at sign-out."""


UNREACHABLE = ("The identity provider could not be reached, so you are not signed in. Please try again "
               "in a moment; if it keeps happening, tell whoever runs IntegraMap for your organisation.")


class OidcSignIn:
    """The authorisation code flow against one provider, for one Flask server."""

    def __init__(self, server: Flask, config: OidcConfig) -> None:
        self.config = config
        oauth = OAuth(server)
        self.client: Any = oauth.register(
            name=_CLIENT_NAME, client_id=config.client_id, client_secret=config.client_secret,
            server_metadata_url=config.discovery_url,
            client_kwargs={"scope": config.scopes, "code_challenge_method": "S256",
                           "default_timeout": TIMEOUT_SECONDS})

    def start(self, redirect_uri: str) -> Response:
        """The redirect to the provider's sign-in page (state, nonce and PKCE verifier kept in the session)."""
        try:
            self._check_discovery()
            response: Response = self.client.authorize_redirect(self.config.redirect_uri or redirect_uri)
        except OidcRefused:
            raise
        except (requests.RequestException, ValueError, KeyError, RuntimeError) as err:
            log.warning("identity provider discovery failed: %s", err)
            raise OidcRefused(UNREACHABLE) from None
        return response

    def finish(self) -> Identity:
        """Who signed in, from the provider's answer on this request; :class:`OidcRefused` otherwise."""
        try:
            issuer = self._check_discovery()
            token = self.client.authorize_access_token(claims_options={
                "iss": {"essential": True, "value": issuer},
                "aud": {"essential": True, "value": self.config.client_id},
            })
        except OidcRefused:
            raise
        except MismatchingStateError:
            raise OidcRefused("This sign-in was not started from this browser, or it took too long. "
                              "Please sign in again.") from None
        except OAuthError as err:
            log.info("identity provider refused the sign-in: %s", err)
            said = getattr(err, "description", None) or getattr(err, "error", None) or ""
            raise OidcRefused("The identity provider did not sign you in"
                              + (f" ({str(said)[:200]})" if said else "") + ". Please try again.") from None
        except ExpiredTokenError:
            raise OidcRefused("The identity provider's answer had expired: check this computer's clock, "
                              "then sign in again.") from None
        except ClaimError as err:
            raise OidcRefused(_claim_refusal(err.claim)) from None
        except JoseError as err:
            log.warning("id_token refused: %s", err)
            raise OidcRefused("The identity provider's answer was not signed with its published keys, so "
                              "you are not signed in.") from None
        except (requests.RequestException, ValueError, KeyError, RuntimeError) as err:
            log.warning("identity provider exchange failed: %s", err)
            raise OidcRefused(UNREACHABLE) from None
        claims = token.get("userinfo") if isinstance(token, dict) else None
        if not claims or not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise OidcRefused("The identity provider did not say who signed in (no id_token), so you are "
                              "not signed in.")
        email = claims.get("email")
        if not isinstance(email, str) or claims.get("email_verified") is False:
            email = None  # an address the provider has not confirmed identifies no one
        name = claims.get("name") or claims.get("preferred_username")
        raw = token.get("id_token") if isinstance(token, dict) else None
        return Identity(subject=claims["sub"], email=email, name=name if isinstance(name, str) else None,
                        id_token=raw if isinstance(raw, str) else None)

    def end_session_address(self, id_token: str, back: str) -> str | None:
        """Where to send the browser to end the person's session at the provider too.

        ``None`` when the provider publishes no ``end_session_endpoint`` (or one that is not
        https), or cannot be reached: the person is then signed out of IntegraMap only, and told so.
        """
        try:
            endpoint = self.client.load_server_metadata().get("end_session_endpoint")
        except (requests.RequestException, ValueError, KeyError, RuntimeError) as err:
            log.warning("identity provider discovery failed at sign-out: %s", err)
            return None
        if not isinstance(endpoint, str) or not _trusted_address(endpoint):
            return None
        query = urlencode({"id_token_hint": id_token, "client_id": self.config.client_id,
                           "post_logout_redirect_uri": self.config.post_logout_redirect_uri or back})
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"

    def _check_discovery(self) -> str:
        """The issuer the provider's id_tokens must name, once its discovery document is read.

        The document must name the configured issuer (OpenID Connect Discovery 4.3), else a
        look-alike document could point the token and key endpoints elsewhere; a trailing slash
        is the only difference allowed, and the document's spelling is the one tokens carry.
        """
        metadata = self.client.load_server_metadata()
        issuer = str(metadata.get("issuer", ""))
        if issuer.rstrip("/") != self.config.issuer.rstrip("/"):
            log.warning("discovery document names issuer %r, not the configured %r", issuer, self.config.issuer)
            raise OidcRefused(WRONG_ISSUER)
        return issuer


def _trusted_address(address: str) -> bool:
    """An https address, or plain http to this computer (a provider run for testing).

    Examples
    --------
    >>> _trusted_address("https://login.example.nhs.uk/logout"), _trusted_address("http://evil.example/")
    (True, False)
    >>> _trusted_address("http://127.0.0.1:8080/logout")
    True
    """
    parsed = urlparse(address)
    loopback = parsed.hostname in ("localhost", "127.0.0.1", "::1")
    return parsed.scheme == "https" or (parsed.scheme == "http" and loopback)


def _claim_refusal(claim: str) -> str:
    """The sentence for an id_token claim that failed its check.

    Examples
    --------
    >>> print(_claim_refusal("aud"))
    The identity provider's answer was meant for another application, so you are not signed in.
    """
    reasons = {
        "iss": "came from a different identity provider than the one IntegraMap is set up to trust",
        "aud": "was meant for another application",
        "nonce": "does not belong to the sign-in this browser started",
        "exp": "had expired",
        "iat": "has an impossible issue time",
        "nbf": "is not valid yet",
    }
    reason = reasons.get(claim, f"has a wrong or missing {claim!r}")
    return f"The identity provider's answer {reason}, so you are not signed in."
