"""`flask recovery run-due`: carry out the account recoveries whose waiting period has ended. Schedule it (cron,
a systemd timer, a Kubernetes CronJob) every few minutes; recoveries are also run whenever they are looked at."""
import click
from flask import current_app
from flask.cli import AppGroup


def register_recovery_cli(app) -> None:
    group = AppGroup("recovery", help="Lost-device account recoveries.")

    @group.command("run-due")
    def run_due():
        """Remove the factors of every account whose recovery waiting period has ended."""
        from .flow import run_due as run
        with current_app.test_request_context():  # the owners' notices carry links
            done = run()
        click.echo(f"Carried out {done} account recovery(ies) whose waiting period ended.")

    app.cli.add_command(group)
