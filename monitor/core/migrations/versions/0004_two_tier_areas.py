"""two-tier local administration: districts become the optional grouping level (former
district), unit kinds, merged units kept readable, crews and users scoped to any areas, outages
and reviews remember their area

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 15:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Unit kinds guessed from the old names (the rest stay empty: shown with the level's name).
KIND_BY_PREFIX = (
    ("commune", "Phường %", "ward"),
    ("commune", "Xã %", "commune"),
    ("commune", "Đặc khu %", "special_zone"),
    ("village", "Thôn %", "village"),
    ("village", "Tổ dân phố %", "residential_group"),
)


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _add_fk_column(table: str, column: str, ondelete: str) -> None:
    # Plain ALTER TABLE ADD COLUMN on SQLite: a batch copy of a table other tables point at would
    # fire their ON DELETE actions when the old table is dropped.
    if _sqlite():
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN {column} INTEGER "
            f"CONSTRAINT fk_{table}_{column}_areas REFERENCES areas (id) ON DELETE {ondelete}"
        )
        return
    op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
    op.create_foreign_key(
        f"fk_{table}_{column}_areas", table, "areas", [column], ["id"], ondelete=ondelete
    )


def upgrade() -> None:
    # Areas: unit kind, the unit that replaced a merged one, and when.
    op.add_column(
        "areas", sa.Column("kind", sa.String(length=24), nullable=False, server_default="")
    )
    _add_fk_column("areas", "superseded_by_id", "SET NULL")
    op.add_column("areas", sa.Column("retired_on", sa.Date(), nullable=True))
    op.create_index("ix_areas_superseded_by_id", "areas", ["superseded_by_id"])
    op.execute(
        "UPDATE areas SET level = 'cluster', kind = 'former_district' WHERE level = 'district'"
    )
    for level, pattern, kind in KIND_BY_PREFIX:
        op.execute(
            sa.text(
                "UPDATE areas SET kind = :kind WHERE level = :level AND kind = '' "
                "AND name LIKE :pattern"
            ).bindparams(kind=kind, level=level, pattern=pattern)
        )

    # Crews cover any set of areas (communes, clusters), not only districts.
    op.create_table(
        "crew_areas",
        sa.Column("crew_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name="fk_crew_areas_area_id_areas", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["crew_id"], ["crews.id"], name="fk_crew_areas_crew_id_crews", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("crew_id", "area_id", name="pk_crew_areas"),
    )
    op.execute("INSERT INTO crew_areas (crew_id, area_id) SELECT crew_id, area_id FROM crew_districts")
    op.drop_table("crew_districts")

    # Police (and other) users limited to some areas: a commune police post.
    op.create_table(
        "user_areas",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name="fk_user_areas_area_id_areas", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_user_areas_user_id_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "area_id", name="pk_user_areas"),
    )

    # Tickets remember the camera's area (not a district).
    if _sqlite():
        op.execute("ALTER TABLE tickets RENAME COLUMN district_id TO area_id")
    else:
        op.alter_column("tickets", "district_id", new_column_name="area_id")
        op.execute(
            "ALTER TABLE tickets RENAME CONSTRAINT fk_tickets_district_id_areas "
            "TO fk_tickets_area_id_areas"
        )
    # Old tickets pointed at the district: point them at the camera's (or group's) area.
    op.execute(
        "UPDATE tickets SET area_id = (SELECT incidents.area_id FROM incidents "
        "WHERE incidents.id = tickets.incident_id) "
        "WHERE EXISTS (SELECT 1 FROM incidents WHERE incidents.id = tickets.incident_id "
        "AND incidents.area_id IS NOT NULL)"
    )

    # Outages keep the area path they began in; reviews the area they were recorded in.
    op.add_column(
        "incidents",
        sa.Column("area_path", sa.String(length=400), nullable=False, server_default=""),
    )
    op.create_index("ix_incidents_area_path", "incidents", ["area_path"])
    op.execute(
        "UPDATE incidents SET area_path = (SELECT areas.path FROM areas "
        "WHERE areas.id = incidents.area_id) WHERE area_id IS NOT NULL"
    )
    _add_fk_column("movement_reviews", "area_id", "SET NULL")
    op.execute(
        "UPDATE movement_reviews SET area_id = (SELECT movement_instances.area_id "
        "FROM movement_instances WHERE movement_instances.id = movement_reviews.instance_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("movement_reviews") as batch:
        if not _sqlite():
            batch.drop_constraint("fk_movement_reviews_area_id_areas", type_="foreignkey")
        batch.drop_column("area_id")
    op.drop_index("ix_incidents_area_path", table_name="incidents")
    op.drop_column("incidents", "area_path")
    if _sqlite():
        op.execute("ALTER TABLE tickets RENAME COLUMN area_id TO district_id")
    else:
        op.execute(
            "ALTER TABLE tickets RENAME CONSTRAINT fk_tickets_area_id_areas "
            "TO fk_tickets_district_id_areas"
        )
        op.alter_column("tickets", "area_id", new_column_name="district_id")
    op.drop_table("user_areas")
    op.create_table(
        "crew_districts",
        sa.Column("crew_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name="fk_crew_districts_area_id_areas", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["crew_id"], ["crews.id"], name="fk_crew_districts_crew_id_crews", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("crew_id", "area_id", name="pk_crew_districts"),
    )
    op.execute("INSERT INTO crew_districts (crew_id, area_id) SELECT crew_id, area_id FROM crew_areas")
    op.drop_table("crew_areas")
    op.execute("UPDATE areas SET level = 'district' WHERE level = 'cluster'")
    op.drop_index("ix_areas_superseded_by_id", table_name="areas")
    with op.batch_alter_table("areas") as batch:
        if not _sqlite():
            batch.drop_constraint("fk_areas_superseded_by_id_areas", type_="foreignkey")
        batch.drop_column("superseded_by_id")
        batch.drop_column("retired_on")
        batch.drop_column("kind")
