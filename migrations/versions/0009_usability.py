"""Usability (issue 22): recovery codes due after an admin set up someone's 2FA; one person's grace period and
its reminders

Revision ID: 0009_usability
Revises: 0008_requests
Create Date: 2026-12-03 14:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0009_usability'
down_revision = '0008_requests'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('recovery_codes_due', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('grace_until', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('grace_reminded', sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table('users') as batch:
        batch.drop_column('grace_reminded')
        batch.drop_column('grace_until')
        batch.drop_column('recovery_codes_due')
    if op.get_bind().dialect.name == 'sqlite':
        # Batch mode rebuilt the table from its reflection, which leaves out 0002's expression index: put it back.
        op.create_index('ix_users_kind_name_lower', 'users', ['kind', sa.text('lower(name)')], unique=False)
