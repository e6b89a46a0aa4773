"""Admin command line: `flask --app wsgi user create|reset-2fa|unlock|set-password`, `demo`, `rotate-keys`,
`recovery run-due`."""
import click
from flask import current_app
from flask.cli import AppGroup

from .accounts import ROLES, AccountError, EmailTaken, create_account
from .extensions import db
from .models import Authenticator, User
from .twofactor.base import FlowError
from .twofactor.login import normalise_email

# Re-exported for callers that created accounts through this module before portal.accounts existed.
create_user = create_account

DEMO = [
    ("admin@example.com", "Ada Admin", "admin", "demo-admin-pass"),
    ("agent@example.com", "Sam Agent", "agent", "demo-agent-pass"),
    ("user@example.com", "Eve Customer", "end-user", "demo-user-pass"),
]


def _find(email: str) -> User:
    user = db.session.scalar(db.select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise click.ClickException(f"No account with the email {email}.")
    return user


def register_cli(app) -> None:
    user_group = AppGroup("user", help="Manage people who sign in.")  # its commands run in an app context

    @user_group.command("create")
    @click.option("--email", required=True)
    @click.option("--name", required=True)
    @click.option("--role", type=click.Choice(list(ROLES)), required=True)
    @click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
                  help="Asked for at a prompt when omitted.")
    def create(email, name, role, password):
        """Create an admin, agent or end user."""
        try:
            user = create_account(email, name, role, password)
        except AccountError as error:
            raise click.ClickException(error.message) from None
        click.echo(f"Created {role} {user.email}.")

    @user_group.command("reset-2fa")
    @click.argument("email")
    def reset_2fa(email):
        """Remove every second factor of a person (lost phone); they set one up at next sign-in."""
        from .twofactor.setup import reset
        with current_app.test_request_context():
            count = reset(_find(email), actor=None)
        click.echo(f"Removed {count} authenticator(s) from {email}; their sessions are signed out.")

    @user_group.command("unlock")
    @click.argument("email")
    def unlock(email):
        """Lift a lock placed after too many wrong codes."""
        from . import security_log
        from .twofactor.lockout import unlock as do_unlock
        user = _find(email)
        do_unlock(user)
        security_log.record("2fa.unlocked", user)
        db.session.commit()
        click.echo(f"Unlocked {user.email}.")

    @user_group.command("set-password")
    @click.argument("email")
    def set_password(email):
        """Give a person a new password (asked for twice); every session of theirs is signed out and they are told."""
        from . import password_reset
        user = _find(email)
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
        reason = password_reset.problem_with(user, password)
        if reason:
            raise click.ClickException(reason)
        with current_app.test_request_context():
            ended = password_reset.set_password(user, password, "password.set_by_admin", keep_current=False)
        click.echo(f"Set a new password for {user.email}; {ended} session(s) signed out.")

    @user_group.command("disable")
    @click.argument("email")
    def disable(email):
        """Disable an account: every session ends and no sign-in works until it is enabled again."""
        from . import account_status
        with current_app.test_request_context():
            try:
                ended = account_status.disable(_find(email))
            except FlowError as error:
                raise click.ClickException(str(error)) from None
        click.echo(f"Disabled {email}; {ended} session(s) signed out.")

    @user_group.command("enable")
    @click.argument("email")
    def enable(email):
        """Enable a disabled account again."""
        from . import account_status
        with current_app.test_request_context():
            try:
                account_status.enable(_find(email))
            except FlowError as error:
                raise click.ClickException(str(error)) from None
        click.echo(f"Enabled {email}.")

    app.cli.add_command(user_group)
    from .sso.cli import sso_commands
    app.cli.add_command(sso_commands())  # sso list | allow-passwords: the way back in past an SSO-only provider

    @app.cli.command("demo")
    def demo():
        """Create the demo accounts (one admin, one agent, one end user) and print their logins."""
        for email, name, role, password in DEMO:
            try:
                create_account(email, name, role, password)
            except EmailTaken:
                pass  # created by an earlier run
        click.echo("Demo accounts:")
        for email, _name, role, password in DEMO:
            where = "/login" if role == "end-user" else "/agent/login"
            click.echo(f"  {role:<9} {email:<20} password: {password:<16} sign in at {where}")

    @app.cli.command("rotate-keys")
    def rotate_keys():
        """Re-encrypt every stored secret with the first key of PORTAL_ENCRYPTION_KEYS (older keys still read)."""
        ring = current_app.extensions["portal_keyring"]
        count = 0
        for authenticator in db.session.scalars(db.select(Authenticator).where(Authenticator.secret_enc.is_not(None))):
            authenticator.secret_enc = ring.rotate(authenticator.secret_enc)
            count += 1
        from .models import AccountRecovery
        for recovery in db.session.scalars(db.select(AccountRecovery).where(AccountRecovery.state.in_(
                ("requested", "waiting")))):  # an active recovery's cancel link, mailed again at each step
            recovery.token_enc = ring.rotate(recovery.token_enc)
            count += 1
        from .sso.providers import rotate_secrets
        count += rotate_secrets(ring)  # SSO client secrets
        db.session.commit()
        click.echo(f"Re-encrypted {count} secret(s) with the current key.")

    from .account_recovery.cli import register_recovery_cli
    register_recovery_cli(app)  # flask recovery run-due
