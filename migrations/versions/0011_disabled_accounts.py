"""users.disabled_at: an admin disables an account (someone leaving) and enables it again

Revision ID: 0011_disabled_accounts
Revises: 0010_sso
Create Date: 2026-12-03 14:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0011_disabled_accounts'
down_revision = '0010_sso'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('disabled_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('users') as batch:
        batch.drop_column('disabled_at')
    if op.get_bind().dialect.name == 'sqlite':
        # Batch mode rebuilt the table from its reflection, which leaves out 0002's expression index: put it back.
        op.create_index('ix_users_kind_name_lower', 'users', ['kind', sa.text('lower(name)')], unique=False)
