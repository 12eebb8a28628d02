import { defineTable } from '../../sessions/persistence/tables/table';

/**
 * A subject a receiver added to (included) or removed from (not included) a stream. `match_key` is what the outbox
 * triggers compare with an event's keys: `uuid:<user or session uuid>` or `email:<lower-case address>`.
 */
export interface StreamSubjectRow {
  stream_id: string;
  match_key: string;
  subject: Record<string, unknown>;
  included: boolean;
}

export const STREAM_SUBJECTS = defineTable<StreamSubjectRow>('ssf_stream_subjects', 'x', {
  stream_id: 'uuid',
  match_key: 'text',
  subject: 'jsonb',
  included: 'boolean',
});
