"""A small OpenID Connect provider on loopback, for testing sign-in through an identity provider.

It speaks just enough of the protocol for the authorisation code flow with
PKCE: discovery, an authorize endpoint that signs in :attr:`LocalProvider.user`
at once, a token endpoint that checks the client's secret, the code, the
redirect address and the PKCE verifier, and a JWKS; id_tokens are signed RS256
with joserfc (Authlib's JOSE library). :attr:`LocalProvider.tamper` overrides
id_token claims and :attr:`LocalProvider.sign_with_stranger` signs with a key
the JWKS does not publish, so tests can check that each is refused. Its
``end_session_endpoint`` (RP-Initiated Logout) checks the id_token_hint is one it
issued and sends the browser back to a registered post-logout address;
:attr:`LocalProvider.end_session` set to False leaves it out of discovery.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import threading
import time
from typing import Any
from urllib.parse import urlencode

from flask import Flask, jsonify, redirect, request
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server

CLIENT_ID = "integramap-test"
CLIENT_SECRET = "a-client-secret-for-tests-only"


class LocalProvider:
    """The provider and its loopback server; ``with LocalProvider() as p:`` starts and stops it."""

    def __init__(self, redirect_uris: list[str] | None = None) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})
        self.stranger = RSAKey.generate_key(2048, parameters={"kid": "test-key", "alg": "RS256"})
        self.redirect_uris = redirect_uris or ["http://localhost/login/oidc/callback"]
        self.post_logout_uris = ["http://localhost/login/signed-out"]
        self.end_session: bool | str = True
        """Publish an end_session_endpoint (True), none (False), or this address instead."""
        self.logout_requests: list[dict[str, str]] = []
        self.sessions_ended: list[str] = []
        """The ``sub`` of each session ended through the end_session_endpoint."""
        self.user: dict[str, Any] = {"sub": "248289761001", "email": "asha.patel@example.nhs.uk",
                                     "email_verified": True, "name": "Asha Patel"}
        self.tamper: dict[str, Any] = {}
        self.sign_with_stranger = False
        self.refuse: str | None = None
        """An OAuth error code the authorize endpoint answers with instead of signing in."""
        self.authorize_requests: list[dict[str, str]] = []
        self.token_requests: list[dict[str, str]] = []
        self._codes: dict[str, dict[str, Any]] = {}
        self.app = self._build()
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "LocalProvider":
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._server.shutdown()
        self._thread.join(timeout=10)

    def _build(self) -> Flask:
        app = Flask("local-oidc-provider")

        @app.get("/.well-known/openid-configuration")
        def discovery() -> Any:
            extra = {}
            if self.end_session:
                extra["end_session_endpoint"] = (self.end_session if isinstance(self.end_session, str)
                                                 else f"{self.issuer}/logout")
            return jsonify({**extra,
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
                "scopes_supported": ["openid", "email", "profile"],
            })

        @app.get("/logout")
        def logout() -> Any:
            args = request.args.to_dict()
            self.logout_requests.append(args)
            try:
                token = jwt.decode(args.get("id_token_hint", ""), KeySet([self.key]))
            except ValueError:
                return "id_token_hint is not a token this provider issued", 400
            if token.claims.get("aud") != CLIENT_ID or args.get("client_id") != CLIENT_ID:
                return "id_token_hint was issued to another client", 400
            back = args.get("post_logout_redirect_uri", "")
            if back not in self.post_logout_uris:
                return "unregistered post_logout_redirect_uri", 400
            self.sessions_ended.append(str(token.claims.get("sub")))
            return redirect(back)

        @app.get("/jwks")
        def jwks() -> Any:
            return jsonify(KeySet([self.key]).as_dict(private=False))

        @app.get("/authorize")
        def authorize() -> Any:
            args = request.args.to_dict()
            self.authorize_requests.append(args)
            if args.get("client_id") != CLIENT_ID or args.get("redirect_uri") not in self.redirect_uris:
                return "unknown client or redirect address", 400
            back = args["redirect_uri"]
            if self.refuse:
                return redirect(f"{back}?{urlencode({'error': self.refuse, 'state': args.get('state', '')})}")
            if (args.get("response_type") != "code" or "openid" not in args.get("scope", "").split()
                    or args.get("code_challenge_method") != "S256" or not args.get("code_challenge")):
                return redirect(f"{back}?{urlencode({'error': 'invalid_request', 'state': args.get('state', '')})}")
            code = secrets.token_urlsafe(16)
            self._codes[code] = {"nonce": args.get("nonce"), "challenge": args["code_challenge"],
                                 "redirect_uri": back}
            return redirect(f"{back}?{urlencode({'code': code, 'state': args.get('state', '')})}")

        @app.post("/token")
        def token() -> Any:
            form = request.form.to_dict()
            self.token_requests.append(form)
            client_id, secret = form.get("client_id"), form.get("client_secret")
            if request.authorization is not None:
                client_id, secret = request.authorization.username, request.authorization.password
            if client_id != CLIENT_ID or secret != CLIENT_SECRET:
                return jsonify({"error": "invalid_client"}), 401
            grant = self._codes.pop(form.get("code", ""), None)
            if form.get("grant_type") != "authorization_code" or grant is None:
                return jsonify({"error": "invalid_grant"}), 400
            if form.get("redirect_uri") != grant["redirect_uri"]:
                return jsonify({"error": "invalid_grant", "error_description": "redirect_uri differs"}), 400
            verifier = form.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if not verifier or challenge != grant["challenge"]:
                return jsonify({"error": "invalid_grant", "error_description": "PKCE verifier differs"}), 400
            now = int(time.time())
            claims = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300,
                      "nonce": grant["nonce"], **self.user, **self.tamper}
            key = self.stranger if self.sign_with_stranger else self.key
            id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, key)
            return jsonify({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                            "expires_in": 300, "id_token": id_token})

        return app
