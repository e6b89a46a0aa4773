"""pending_registrations: a help-center registration waits here until its emailed link is followed (issue 20)

Revision ID: 0006_pending_registrations
Revises: 0005_passwords
Create Date: 2026-12-04 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0006_pending_registrations'
down_revision = '0005_passwords'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'pending_registrations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('password_hash', sa.String(length=255), nullable=True),
        sa.Column('token_hash', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index('ix_pending_registrations_email_created', 'pending_registrations', ['email', 'created_at'],
                    unique=False)
    op.create_index('ix_pending_registrations_expires_at', 'pending_registrations', ['expires_at'], unique=False)


def downgrade():
    op.drop_index('ix_pending_registrations_expires_at', table_name='pending_registrations')
    op.drop_index('ix_pending_registrations_email_created', table_name='pending_registrations')
    op.drop_table('pending_registrations')
