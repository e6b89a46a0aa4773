"""sso_providers, sso_identities, sso_states: OpenID Connect single sign-on (issue 24)

Revision ID: 0010_sso
Revises: 0009_usability
Create Date: 2026-12-03 14:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0010_sso'
down_revision = '0009_usability'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'sso_providers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('label', sa.String(length=80), nullable=False),
        sa.Column('issuer', sa.String(length=500), nullable=False),
        sa.Column('client_id', sa.String(length=255), nullable=False),
        sa.Column('client_secret_enc', sa.Text(), nullable=False),
        sa.Column('areas', sa.String(length=16), nullable=False),
        sa.Column('email_domains', sa.Text(), nullable=False),
        sa.Column('create_accounts', sa.Boolean(), nullable=False),
        sa.Column('mfa_rule', sa.String(length=16), nullable=False),
        sa.Column('trusted_acr', sa.String(length=500), nullable=False),
        sa.Column('sso_only', sa.Boolean(), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('label'),
    )
    op.create_table(
        'sso_identities',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['provider_id'], ['sso_providers.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('provider_id', 'subject', name='uq_sso_identity_subject'),
        sa.UniqueConstraint('provider_id', 'user_id', name='uq_sso_identity_user'),
    )
    op.create_index('ix_sso_identities_user_id', 'sso_identities', ['user_id'], unique=False)
    op.create_table(
        'sso_states',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('state', sa.String(length=128), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )
    op.create_index('ix_sso_states_state', 'sso_states', ['state'], unique=False)
    op.create_index('ix_sso_states_expires_at', 'sso_states', ['expires_at'], unique=False)


def downgrade():
    op.drop_index('ix_sso_states_expires_at', table_name='sso_states')
    op.drop_index('ix_sso_states_state', table_name='sso_states')
    op.drop_table('sso_states')
    op.drop_index('ix_sso_identities_user_id', table_name='sso_identities')
    op.drop_table('sso_identities')
    op.drop_table('sso_providers')
