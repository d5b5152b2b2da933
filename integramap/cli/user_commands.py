"""``integramap users …`` and ``integramap audit``: accounts, their roles per site, and who did what."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from ..people import Role
from ..store import DATABASE_URL_ENV
from ..store.accounts import AccountError
from . import CommandError
from .store_commands import login_name, open_store, table, when

PASSWORD_ENV = "INTEGRAMAP_PASSWORD"


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    """Add ``integramap users`` and ``integramap audit`` to the ``integramap`` parser."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--database", metavar="URL",
                        help=f"database URL (default: ${DATABASE_URL_ENV}, else SQLite in "
                             "$INTEGRAMAP_DATA_DIR or ./instance)")

    users = sub.add_parser("users", help="accounts that may sign in, and their roles on each site",
                           description="Accounts that may sign in to the web app and the API. With "
                                       "no accounts the app is single-user and listens on this "
                                       "computer only.")
    commands = users.add_subparsers(dest="users_command", metavar="COMMAND")
    commands.required = True

    p = commands.add_parser("add", parents=[common], help="add an account",
                            description=f"Add an account. The password is read from ${PASSWORD_ENV} "
                                        "if set, else asked for.")
    p.add_argument("name", metavar="NAME", help="the person's name, shown as the author of what they save")
    p.add_argument("--admin", action="store_true", help="may see, edit and share every site")
    p.add_argument("--identity-provider", action="store_true",
                   help="no password: the person signs in only through the organisation's identity "
                        "provider; NAME is their email address there")
    p.set_defaults(handler=cmd_add)

    p = commands.add_parser("list", parents=[common], help="every account and its roles")
    p.set_defaults(handler=cmd_list)

    p = commands.add_parser("passwd", parents=[common], help="set an account's password",
                            description=f"Set an account's password (from ${PASSWORD_ENV}, else asked for).")
    p.add_argument("name", metavar="NAME")
    p.set_defaults(handler=cmd_passwd)

    p = commands.add_parser("remove", parents=[common], help="remove an account (its saves stay in the history)")
    p.add_argument("name", metavar="NAME")
    p.set_defaults(handler=cmd_remove)

    p = commands.add_parser("grant", parents=[common], help="give a person a role on a site")
    p.add_argument("name", metavar="NAME")
    p.add_argument("site", metavar="SITE", help="site id (`integramap sites list` shows them)")
    p.add_argument("role", metavar="ROLE", choices=[r.value for r in Role],
                   help="viewer (open it), editor (also save), owner (also share)")
    p.set_defaults(handler=cmd_grant)

    p = commands.add_parser("revoke", parents=[common], help="take away a person's role on a site")
    p.add_argument("name", metavar="NAME")
    p.add_argument("site", metavar="SITE")
    p.set_defaults(handler=cmd_revoke)

    p = commands.add_parser("token", parents=[common], help="make a personal token for the REST API",
                            description="Print a new personal token for the REST API (shown once: keep it "
                                        "like a password).")
    p.add_argument("name", metavar="NAME")
    p.set_defaults(handler=cmd_token)

    p = sub.add_parser("audit", parents=[common], help="who signed in, shared and saved what, newest first")
    p.add_argument("--site", metavar="SITE", help="only this site")
    p.add_argument("--person", metavar="NAME", help="only what this person did")
    p.add_argument("--limit", type=int, default=50, metavar="N", help="lines to show (default 50)")
    p.set_defaults(handler=cmd_audit)


def read_password(prompt: str = "Password") -> str:
    """The password from ``$INTEGRAMAP_PASSWORD``, else typed twice at the terminal."""
    given = os.environ.get(PASSWORD_ENV)
    if given:
        return given
    if not sys.stdin.isatty():
        raise CommandError(f"no password: set {PASSWORD_ENV} or run the command at a terminal")
    first = getpass.getpass(f"{prompt}: ")
    if getpass.getpass(f"{prompt} again: ") != first:
        raise CommandError("the two passwords differ; nothing was changed")
    return first


def cmd_add(args: argparse.Namespace) -> int:
    password = None if args.identity_provider else read_password()
    with open_store(args) as store:
        try:
            store.accounts.add(args.name, password, admin=args.admin, actor=login_name())
        except AccountError as err:
            raise CommandError(str(err)) from None
    print(f"account {' '.join(args.name.split())!r} added{' (admin)' if args.admin else ''}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        accounts = store.accounts.all()
    if not accounts:
        print("no accounts: the app runs single-user on this computer only; "
              "`integramap users add NAME` adds one")
        return 0
    rows = [["NAME", "ADMIN", "SIGNS IN WITH", "TOKENS", "SITES"]]
    for a in accounts:
        ways = [w for w, on in (("password", a.has_password), ("identity provider", a.identity_provider)) if on]
        # An account with neither is waiting for its first sign-in through the identity provider.
        rows.append([a.name, "yes" if a.admin else "", ", ".join(ways) or "identity provider (not yet used)",
                     str(a.tokens),
                     ", ".join(f"{site} ({role.value})" for site, role in a.roles.items())])
    print(table(rows))
    return 0


def cmd_passwd(args: argparse.Namespace) -> int:
    password = read_password("New password")
    with open_store(args) as store:
        try:
            store.accounts.set_password(args.name, password, actor=login_name())
        except AccountError as err:
            raise CommandError(str(err)) from None
    print(f"password of {args.name!r} changed")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        try:
            store.accounts.remove(args.name, actor=login_name())
        except AccountError as err:
            raise CommandError(str(err)) from None
    print(f"account {args.name!r} removed; the revisions it saved keep its name")
    return 0


def cmd_grant(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        if not store.exists(args.site):
            raise CommandError(f"no site {args.site!r} in {store.describe()}; `integramap sites list` "
                               "shows the stored sites")
        try:
            store.accounts.grant(args.name, args.site, Role(args.role), actor=login_name())
        except AccountError as err:
            raise CommandError(str(err)) from None
    print(f"{args.name!r} is now {args.role} of site {args.site!r}")
    return 0


def cmd_revoke(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        try:
            had = store.accounts.revoke(args.name, args.site, actor=login_name())
        except AccountError as err:
            raise CommandError(str(err)) from None
    print(f"{args.name!r} no longer has a role on site {args.site!r}" if had
          else f"{args.name!r} had no role on site {args.site!r}; nothing changed")
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    with open_store(args) as store:
        try:
            token = store.accounts.new_token(args.name, actor=login_name())
        except AccountError as err:
            raise CommandError(str(err)) from None
    print(token)
    print(f"(a new API token for {args.name!r}: shown only now, keep it like a password)", file=sys.stderr)
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise CommandError(f"--limit is {args.limit}; expected 1 or more lines")
    with open_store(args) as store:
        entries = store.accounts.audit(limit=args.limit, site_id=args.site, actor=args.person)
    if not entries:
        print("nothing recorded" + (" for that site or person" if args.site or args.person else ""))
        return 0
    rows = [["WHEN", "WHO", "WHAT", "SITE", "DETAIL"]]
    rows += [[when(e.at), e.actor, e.action, e.site_id or "", e.detail] for e in entries]
    print(table(rows))
    return 0
