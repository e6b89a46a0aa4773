"""support requests, their messages, requester verifications and account recoveries (issue 23)

Revision ID: 0008_requests
Revises: 0007_passkeys
Create Date: 2026-12-03 14:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0008_requests'
down_revision = '0007_passkeys'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'support_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('requester_id', sa.Integer(), nullable=False),
        sa.Column('subject', sa.String(length=150), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['requester_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_support_requests_requester_id', 'support_requests', ['requester_id'], unique=False)
    op.create_index('ix_support_requests_status_created', 'support_requests', ['status', 'created_at'], unique=False)
    op.create_table(
        'request_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['request_id'], ['support_requests.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_request_messages_request_id', 'request_messages', ['request_id'], unique=False)
    op.create_table(
        'requester_verifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('asked_by_id', sa.Integer(), nullable=True),
        sa.Column('asked_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.Column('method_label', sa.String(length=80), nullable=False),
        sa.Column('email_only', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['request_id'], ['support_requests.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['asked_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_requester_verifications_request_id', 'requester_verifications', ['request_id'], unique=False)
    op.create_table(
        'account_recoveries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('ip', sa.String(length=64), nullable=False),
        sa.Column('user_agent', sa.String(length=300), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('token_enc', sa.Text(), nullable=False),
        sa.Column('approved_by_id', sa.Integer(), nullable=True),
        sa.Column('approved_at', sa.DateTime(), nullable=True),
        sa.Column('second_approved_by_id', sa.Integer(), nullable=True),
        sa.Column('second_approved_at', sa.DateTime(), nullable=True),
        sa.Column('ends_at', sa.DateTime(), nullable=True),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('finished_how', sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['second_approved_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index('ix_account_recoveries_user_id', 'account_recoveries', ['user_id'], unique=False)
    op.create_index('ix_account_recoveries_state_ends', 'account_recoveries', ['state', 'ends_at'], unique=False)


def downgrade():
    op.drop_index('ix_account_recoveries_state_ends', table_name='account_recoveries')
    op.drop_index('ix_account_recoveries_user_id', table_name='account_recoveries')
    op.drop_table('account_recoveries')
    op.drop_index('ix_requester_verifications_request_id', table_name='requester_verifications')
    op.drop_table('requester_verifications')
    op.drop_index('ix_request_messages_request_id', table_name='request_messages')
    op.drop_table('request_messages')
    op.drop_index('ix_support_requests_status_created', table_name='support_requests')
    op.drop_index('ix_support_requests_requester_id', table_name='support_requests')
    op.drop_table('support_requests')
