"""webauthn_credentials and webauthn_challenges: security keys and passkeys (issue 21); the built-in "webauthn"
plugin, installed with one instance and switched off until an admin turns it on

Revision ID: 0007_passkeys
Revises: 0006_pending_registrations
Create Date: 2026-12-03 14:00:00

"""
import json
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = '0007_passkeys'
down_revision = '0006_pending_registrations'
branch_labels = None
depends_on = None

plugins = sa.table('plugins', sa.column('key', sa.String), sa.column('installed', sa.Boolean),
                   sa.column('active', sa.Boolean), sa.column('installed_at', sa.DateTime))
plugin_instances = sa.table('plugin_instances', sa.column('plugin_key', sa.String), sa.column('name', sa.String),
                            sa.column('status', sa.String), sa.column('config', sa.Text),
                            sa.column('created_at', sa.DateTime))


def upgrade():
    op.create_table(
        'webauthn_credentials',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('authenticator_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('credential_id', sa.String(length=1400), nullable=False),
        sa.Column('public_key', sa.LargeBinary(), nullable=False),
        sa.Column('sign_count', sa.BigInteger(), nullable=False),
        sa.Column('transports', sa.String(length=200), nullable=False),
        sa.Column('backup_eligible', sa.Boolean(), nullable=False),
        sa.Column('backed_up', sa.Boolean(), nullable=False),
        sa.Column('aaguid', sa.String(length=36), nullable=False),
        sa.Column('user_handle', sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(['authenticator_id'], ['authenticators.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('authenticator_id'),
        sa.UniqueConstraint('credential_id'),
    )
    op.create_index('ix_webauthn_credentials_user_id', 'webauthn_credentials', ['user_id'], unique=False)
    op.create_table(
        'webauthn_challenges',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('challenge_hash', sa.String(length=64), nullable=False),
        sa.Column('purpose', sa.String(length=120), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('challenge_hash'),
    )
    op.create_index('ix_webauthn_challenges_purpose', 'webauthn_challenges', ['purpose'], unique=False)
    op.create_index('ix_webauthn_challenges_expires_at', 'webauthn_challenges', ['expires_at'], unique=False)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    # Installed and switched off: an admin switches "Security keys & passkeys" on in Auth & SSO.
    op.bulk_insert(plugins, [{'key': 'webauthn', 'installed': True, 'active': False, 'installed_at': now}])
    op.bulk_insert(plugin_instances, [{'plugin_key': 'webauthn', 'name': 'Security key or passkey',
                                       'status': 'active', 'config': json.dumps({}), 'created_at': now}])


def downgrade():
    op.execute(sa.text("DELETE FROM authenticators WHERE method = 'webauthn'"))
    op.execute(sa.text("DELETE FROM plugin_instances WHERE plugin_key = 'webauthn'"))
    op.execute(sa.text("DELETE FROM plugins WHERE key = 'webauthn'"))
    op.drop_index('ix_webauthn_challenges_expires_at', table_name='webauthn_challenges')
    op.drop_index('ix_webauthn_challenges_purpose', table_name='webauthn_challenges')
    op.drop_table('webauthn_challenges')
    op.drop_index('ix_webauthn_credentials_user_id', table_name='webauthn_credentials')
    op.drop_table('webauthn_credentials')
