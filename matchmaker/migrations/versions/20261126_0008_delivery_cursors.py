"""delivery cursors of external search indices

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 23:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import matchmaker.db


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'delivery_cursors',
        sa.Column('name', sa.String(length=128), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('updated_at', matchmaker.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_delivery_cursors')),
    )


def downgrade() -> None:
    op.drop_table('delivery_cursors')
