"""users.language and users.time_zone: each person's own language and time zone (portal.i18n)

Revision ID: 0012_language_and_zone
Revises: 0011_disabled_accounts
Create Date: 2026-12-03 16:45:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0012_language_and_zone'
down_revision = '0011_disabled_accounts'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('language', sa.String(length=8), nullable=True))
        batch.add_column(sa.Column('time_zone', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('users') as batch:
        batch.drop_column('time_zone')
        batch.drop_column('language')
    if op.get_bind().dialect.name == 'sqlite':
        # Batch mode rebuilt the table from its reflection, which leaves out 0002's expression index: put it back.
        op.create_index('ix_users_kind_name_lower', 'users', ['kind', sa.text('lower(name)')], unique=False)
