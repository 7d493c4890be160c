"""movement reviews keep the camera figures computed when they were recorded

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 15:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
# Chained after the picture baseline (0005).
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('movement_reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('figures', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('movement_reviews', schema=None) as batch_op:
        batch_op.drop_column('figures')
