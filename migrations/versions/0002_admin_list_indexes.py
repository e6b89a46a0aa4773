"""indexes for the admin people lists: (kind, email) for paging, (kind, lower(name)) for name search

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_users_kind_email', 'users', ['kind', 'email'], unique=False)
    op.create_index('ix_users_kind_name_lower', 'users', ['kind', sa.text('lower(name)')], unique=False)


def downgrade():
    op.drop_index('ix_users_kind_name_lower', table_name='users')
    op.drop_index('ix_users_kind_email', table_name='users')
