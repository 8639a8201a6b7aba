"""tickets: the whole flow, deadlines, idempotency and rate limits; ratings, experiences, department inboxes

The ticket's columns take the names of the public API (ticket_no, subject, body, public).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 08:30:52.020498

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('experience',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=50), nullable=False),
    sa.Column('contact_phone', sa.String(length=30), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reject_reason', sa.Text(), nullable=False),
    sa.Column('moderated_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_experience'))
    )
    with op.batch_alter_table('experience', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_experience_status'), ['status'], unique=False)

    op.create_table('inbox_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('ticket_no', sa.String(length=20), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbox_entry')),
    sa.UniqueConstraint('event_id', 'department_id', name=op.f('uq_inbox_entry_event_id'))
    )
    with op.batch_alter_table('inbox_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbox_entry_department_id'), ['department_id'], unique=False)

    op.create_table('rating',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=20), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('ticket_no', sa.String(length=20), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('appeal_reason', sa.Text(), nullable=False),
    sa.Column('appealed_by', sa.String(length=100), nullable=False),
    sa.Column('review_note', sa.Text(), nullable=False),
    sa.Column('reviewed_by', sa.String(length=100), nullable=False),
    sa.Column('rectification_ticket_no', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating'))
    )
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.create_index('ix_rating_department_id_created_at', ['department_id', 'created_at'], unique=False)

    op.create_table('recent_submission',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('client', sa.String(length=80), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recent_submission'))
    )
    with op.batch_alter_table('recent_submission', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recent_submission_at'), ['at'], unique=False)
        batch_op.create_index('ix_recent_submission_client_at', ['client', 'at'], unique=False)

    op.create_table('experience_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('experience_id', sa.Integer(), nullable=False),
    sa.Column('author', sa.String(length=100), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['experience_id'], ['experience.id'], name=op.f('fk_experience_note_experience_id_experience')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_experience_note'))
    )
    with op.batch_alter_table('experience_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_experience_note_experience_id'), ['experience_id'], unique=False)

    op.create_table('idempotency_key',
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], name=op.f('fk_idempotency_key_ticket_id_ticket')),
    sa.PrimaryKeyConstraint('key_hash', name=op.f('pk_idempotency_key'))
    )
    with op.batch_alter_table('idempotency_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idempotency_key_created_at'), ['created_at'], unique=False)

    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_ticket_number'), type_='unique')
        batch_op.alter_column('number', new_column_name='ticket_no', existing_type=sa.String(length=20), existing_nullable=False)
        batch_op.alter_column('title', new_column_name='subject', existing_type=sa.String(length=100), existing_nullable=False)
        batch_op.alter_column('content', new_column_name='body', existing_type=sa.Text(), existing_nullable=False)
        batch_op.alter_column('may_publish', new_column_name='public', existing_type=sa.Boolean(), existing_nullable=False)

    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_email', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('source', sa.String(length=20), nullable=False, server_default='resident'))
        batch_op.add_column(sa.Column('handling_department_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deadline_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deadline_stage', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('bounce_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('reopen_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('extension_days_requested', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('duplicate_of', sa.String(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('qa_published', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.create_unique_constraint(batch_op.f('uq_ticket_ticket_no'), ['ticket_no'])
        batch_op.create_index(batch_op.f('ix_ticket_deadline_at'), ['deadline_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_handling_department_id'), ['handling_department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ticket_status'), ['status'], unique=False)

    with op.batch_alter_table('ticket_step', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor_role', sa.String(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('from_status', sa.String(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('to_status', sa.String(length=20), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('department_id', sa.Integer(), nullable=True))



def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('ticket_step', schema=None) as batch_op:
        batch_op.drop_column('department_id')
        batch_op.drop_column('to_status')
        batch_op.drop_column('from_status')
        batch_op.drop_column('actor_role')

    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ticket_status'))
        batch_op.drop_index(batch_op.f('ix_ticket_item_id'))
        batch_op.drop_index(batch_op.f('ix_ticket_handling_department_id'))
        batch_op.drop_index(batch_op.f('ix_ticket_deadline_at'))
        batch_op.drop_constraint(batch_op.f('uq_ticket_ticket_no'), type_='unique')
        for column in ('version', 'qa_published', 'answered_at', 'duplicate_of', 'extension_days_requested',
                       'reopen_count', 'bounce_count', 'deadline_stage', 'deadline_at', 'assigned_at',
                       'handling_department_id', 'source', 'contact_email'):
            batch_op.drop_column(column)

    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.alter_column('public', new_column_name='may_publish', existing_type=sa.Boolean(), existing_nullable=False)
        batch_op.alter_column('body', new_column_name='content', existing_type=sa.Text(), existing_nullable=False)
        batch_op.alter_column('subject', new_column_name='title', existing_type=sa.String(length=100), existing_nullable=False)
        batch_op.alter_column('ticket_no', new_column_name='number', existing_type=sa.String(length=20), existing_nullable=False)

    with op.batch_alter_table('ticket', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_ticket_number'), ['number'])

    with op.batch_alter_table('idempotency_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idempotency_key_created_at'))

    op.drop_table('idempotency_key')
    with op.batch_alter_table('experience_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_experience_note_experience_id'))

    op.drop_table('experience_note')
    with op.batch_alter_table('recent_submission', schema=None) as batch_op:
        batch_op.drop_index('ix_recent_submission_client_at')
        batch_op.drop_index(batch_op.f('ix_recent_submission_at'))

    op.drop_table('recent_submission')
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.drop_index('ix_rating_department_id_created_at')

    op.drop_table('rating')
    with op.batch_alter_table('inbox_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbox_entry_department_id'))

    op.drop_table('inbox_entry')
    with op.batch_alter_table('experience', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_experience_status'))

    op.drop_table('experience')
