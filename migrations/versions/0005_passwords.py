"""passwords: "Forgot your password?" links (password_resets, only a hash of each token) and the per-account budget
of wrong passwords (users.password_failures, users.password_next_attempt_at)

Revision ID: 0005_passwords
Revises: 0004_sessions
Create Date: 2026-12-03 11:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0005_passwords'
down_revision = '0004_sessions'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'password_resets',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index('ix_password_resets_user_id', 'password_resets', ['user_id'], unique=False)
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('password_failures', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('password_next_attempt_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('users') as batch:
        batch.drop_column('password_next_attempt_at')
        batch.drop_column('password_failures')
    if op.get_bind().dialect.name == 'sqlite':
        # Batch mode rebuilt the table from its reflection, which leaves out 0002's expression index: put it back.
        op.create_index('ix_users_kind_name_lower', 'users', ['kind', sa.text('lower(name)')], unique=False)
    op.drop_index('ix_password_resets_user_id', table_name='password_resets')
    op.drop_table('password_resets')
