/** The event types SessionHub transmits (docs/shared-signals.md says when each is sent and what it carries). */
const CAEP = 'https://schemas.openid.net/secevent/caep/event-type';
const RISC = 'https://schemas.openid.net/secevent/risc/event-type';
const SSF = 'https://schemas.openid.net/secevent/ssf/event-type';

export const EVENT_TYPES = {
  sessionRevoked: `${CAEP}/session-revoked`,
  sessionEstablished: `${CAEP}/session-established`,
  credentialChange: `${CAEP}/credential-change`,
  accountDisabled: `${RISC}/account-disabled`,
  accountEnabled: `${RISC}/account-enabled`,
  accountPurged: `${RISC}/account-purged`,
  verification: `${SSF}/verification`,
  streamUpdated: `${SSF}/stream-updated`,
} as const;

/** What a receiver may request; verification and stream-updated are always delivered and never requested. */
export const EVENTS_SUPPORTED: readonly string[] = [
  EVENT_TYPES.sessionRevoked,
  EVENT_TYPES.sessionEstablished,
  EVENT_TYPES.credentialChange,
  EVENT_TYPES.accountDisabled,
  EVENT_TYPES.accountEnabled,
  EVENT_TYPES.accountPurged,
];

export const DELIVERY_METHODS = { push: 'urn:ietf:rfc:8935', poll: 'urn:ietf:rfc:8936' } as const;
export type DeliveryMethod = (typeof DELIVERY_METHODS)[keyof typeof DELIVERY_METHODS];

export const STREAM_STATUSES = ['enabled', 'paused', 'disabled'] as const;
export type StreamStatus = (typeof STREAM_STATUSES)[number];

/** The scopes a receiver's access token can carry: manage its streams, or only read them and poll. */
export const SCOPES = { manage: 'ssf.manage', read: 'ssf.read' } as const;
export type Scope = (typeof SCOPES)[keyof typeof SCOPES];
