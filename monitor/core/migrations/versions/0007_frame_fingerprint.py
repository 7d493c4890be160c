"""frame fingerprint of each camera's previous grab (frozen detection at any fleet size);
drop the never-used previous_frame_png

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 15:10:00.000000
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("camera_status", schema=None) as batch_op:
        batch_op.add_column(sa.Column("frame_fingerprint", sa.LargeBinary(), nullable=True))
        batch_op.drop_column("previous_frame_png")


def downgrade() -> None:
    with op.batch_alter_table("camera_status", schema=None) as batch_op:
        batch_op.add_column(sa.Column("previous_frame_png", sa.LargeBinary(), nullable=True))
        batch_op.drop_column("frame_fingerprint")
