"""`flask --app wsgi sso list|allow-passwords`: admins always keep a way in, whatever a provider's settings."""
import click
from flask.cli import AppGroup

from . import providers


def sso_commands() -> AppGroup:
    group = AppGroup("sso", help="Single sign-on providers.")

    @group.command("list")
    def list_providers():
        """The identity providers, what they serve and whether they are SSO-only."""
        for provider in providers.listed():
            click.echo(f"{provider.label}: {provider.issuer} ({providers.AREAS.get(provider.areas, provider.areas)}; "
                       f"{'enabled' if provider.enabled else 'disabled'}; "
                       f"{'SSO-only' if provider.sso_only else 'passwords allowed'})")

    @group.command("allow-passwords")
    @click.option("--provider", "label", help="Only this provider (by its button label); all when omitted.")
    def allow_passwords(label):
        """Sign-in with passwords again for people of an SSO-only provider (a provider misconfigured or down)."""
        changed = providers.allow_passwords(label)
        if label and not changed:
            raise click.ClickException(f"No SSO-only provider is called {label}.")
        click.echo(f"Passwords allowed again for: {', '.join(changed)}." if changed
                   else "No provider was SSO-only: passwords already work.")

    return group
