"""picture baseline: a camera's healthy noise, sharpness, brightness by hour and colourfulness,
stored with its reference view

Revision ID: 0005
Revises: 0004 (temporarily 0003 on the judgement branch)
Create Date: 2026-11-30 15:20:00.000000
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (SQLite supports it): batch mode would rebuild the table.
    op.add_column('reference_views', sa.Column('baseline', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('reference_views') as batch:
        batch.drop_column('baseline')
