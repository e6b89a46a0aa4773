"""drop the index on security_events.created_at alone: no query uses it (the person's activity reads through
(user_id, created_at), the admin log pages by id), and every event written paid for it

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 05:30:00

"""
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_security_events_created_at', table_name='security_events')


def downgrade():
    op.create_index('ix_security_events_created_at', 'security_events', ['created_at'], unique=False)
