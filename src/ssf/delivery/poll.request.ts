import { DomainError } from '../../sessions/domain-error';
import { checkedString, isUuid, objectBody, onlyFields } from '../http/ssf-input';

/** The most SETs one poll answers, whatever maxEvents asks (RFC 8936 lets the transmitter return fewer). */
export const MAX_EVENTS_PER_POLL = 100;
const MAX_LISTED = 1000;

export interface PollRequest {
  maxEvents: number;
  returnImmediately: boolean;
  ack: string[];
  errors: { jti: string; error: string }[];
}

/** A poll request (RFC 8936 §2.2); jtis that are not uuids name no SET of ours and are ignored like unknown ones. */
export function parsePoll(raw: unknown): PollRequest {
  const body = raw === undefined ? {} : objectBody(raw);
  onlyFields(body, ['maxEvents', 'returnImmediately', 'ack', 'setErrs']);
  const { maxEvents, returnImmediately, ack = [], setErrs = {} } = body;
  if (maxEvents !== undefined && !(Number.isSafeInteger(maxEvents) && (maxEvents as number) >= 0))
    throw DomainError.invalid('maxEvents', 'maxEvents must be a non-negative integer.');
  if (returnImmediately !== undefined && typeof returnImmediately !== 'boolean')
    throw DomainError.invalid('returnImmediately', 'returnImmediately must be a boolean.');
  if (!Array.isArray(ack) || ack.length > MAX_LISTED)
    throw DomainError.invalid('ack', `ack must be an array of at most ${MAX_LISTED} jti values.`);
  const errorsByJti = objectBody(setErrs, 'setErrs');
  if (Object.keys(errorsByJti).length > MAX_LISTED)
    throw DomainError.invalid('setErrs', `setErrs may name at most ${MAX_LISTED} SETs.`);
  const errors = Object.entries(errorsByJti).map(([jti, value]) => {
    const error = objectBody(value, `setErrs.${jti}`);
    onlyFields(error, ['err', 'description'], `setErrs.${jti}`);
    const err = checkedString(error.err, 'setErrs.err', 100);
    const description =
      error.description === undefined ? null : checkedString(error.description, 'setErrs.description', 1000);
    return { jti, error: description ? `${err}: ${description}` : err };
  });
  return {
    maxEvents: Math.min((maxEvents as number | undefined) ?? MAX_EVENTS_PER_POLL, MAX_EVENTS_PER_POLL),
    returnImmediately: returnImmediately ?? false,
    ack: ack.map((jti) => checkedString(jti, 'ack', 100)).filter(isUuid),
    errors: errors.filter((e) => isUuid(e.jti)),
  };
}
