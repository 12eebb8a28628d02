import { DomainError } from '../../sessions/domain-error';
import { Body, checkedString, objectBody, onlyFields, streamIdOf } from '../http/ssf-input';

/**
 * A subject (RFC 9493) as a stream stores it, with the key the outbox triggers match events by: users and sessions
 * by uuid (`iss_sub`'s sub, `opaque`'s id, a `complex` subject's session, else its user) and users by `email`.
 */
export interface StreamSubject {
  matchKey: string;
  subject: Body;
}

/** A Map, not an object: a format named `constructor` or `toString` must find nothing, not Object's methods. */
const SIMPLE_FIELDS = new Map<string, string[]>([
  ['email', ['format', 'email']],
  ['iss_sub', ['format', 'iss', 'sub']],
  ['opaque', ['format', 'id']],
]);

function simpleSubject(value: unknown, where: string): StreamSubject {
  const subject = objectBody(value, where);
  const format = checkedString(subject.format, `${where}.format`, 40);
  const fields = SIMPLE_FIELDS.get(format);
  if (!fields) throw DomainError.invalid(`${where}.format`, `Subjects of format ${format} are not supported here.`);
  onlyFields(subject, fields, where);
  for (const field of fields) checkedString(subject[field], `${where}.${field}`, 512);
  if (format === 'email') {
    const email = String(subject.email);
    if (!email.includes('@')) throw DomainError.invalid(`${where}.email`, `${where}.email must be an email address.`);
    return { matchKey: `email:${email.toLowerCase()}`, subject };
  }
  const id = String(format === 'iss_sub' ? subject.sub : subject.id);
  return { matchKey: `uuid:${id.toLowerCase()}`, subject };
}

export function parseSubject(value: unknown): StreamSubject {
  const subject = objectBody(value, 'subject');
  if (subject.format !== 'complex') return simpleSubject(subject, 'subject');
  onlyFields(subject, ['format', 'session', 'user'], 'subject');
  const member = subject.session ?? subject.user;
  if (member === undefined) throw DomainError.invalid('subject', 'A complex subject needs a session or a user.');
  if (subject.user !== undefined) simpleSubject(subject.user, 'subject.user');
  return { matchKey: simpleSubject(member, subject.session ? 'subject.session' : 'subject.user').matchKey, subject };
}

export function parseSubjectChange(raw: unknown): { streamId: string; subject: StreamSubject } {
  const body = objectBody(raw);
  onlyFields(body, ['stream_id', 'subject', 'verified']);
  if (body.verified !== undefined && typeof body.verified !== 'boolean')
    throw DomainError.invalid('verified', 'verified must be a boolean.');
  const streamId = streamIdOf(body.stream_id);
  if (body.subject === undefined) throw DomainError.invalid('subject', 'subject is required.');
  return { streamId, subject: parseSubject(body.subject) };
}
