"""sessions on the server: user_sessions (one row per signed-in browser, its token only hashed), known_browsers
(for new sign-in notices), and server-side state of a pending sign-in (pending_logins.data)

Revision ID: 0004_sessions
Revises: 0003
Create Date: 2026-12-03 09:50:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0004_sessions'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'user_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('area', sa.String(length=16), nullable=False),
        sa.Column('how', sa.String(length=40), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.Column('fresh_at', sa.DateTime(), nullable=True),
        sa.Column('ip', sa.String(length=64), nullable=False),
        sa.Column('user_agent', sa.String(length=300), nullable=False),
        sa.Column('data', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index('ix_user_sessions_user_id', 'user_sessions', ['user_id'], unique=False)
    op.create_table(
        'known_browsers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('user_id', 'token_hash'),
    )
    op.create_index('ix_known_browsers_user_id', 'known_browsers', ['user_id'], unique=False)
    with op.batch_alter_table('pending_logins') as batch:
        batch.add_column(sa.Column('data', sa.Text(), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('pending_logins') as batch:
        batch.drop_column('data')
    op.drop_index('ix_known_browsers_user_id', table_name='known_browsers')
    op.drop_table('known_browsers')
    op.drop_index('ix_user_sessions_user_id', table_name='user_sessions')
    op.drop_table('user_sessions')
