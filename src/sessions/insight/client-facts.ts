import { createHash } from 'node:crypto';
import { DeviceClass, DeviceInfo } from '../session.model';
import { deviceClass, ParsedUserAgent, parseUserAgent } from './user-agent/uap-parser';

/**
 * What a user agent string and an app's device report say about the client: pure functions, computed once when a
 * session is written (login, or a validate from a new agent), never on reads. The seed command uses them too.
 */

export interface AgentFacts {
  parsed: ParsedUserAgent;
  deviceClass: DeviceClass;
  /** A session's title when the login names none: "Safari on Mac OS X". */
  title: string;
}

export function agentFacts(userAgent: string): AgentFacts {
  const parsed = parseUserAgent(userAgent);
  return {
    parsed,
    deviceClass: deviceClass(userAgent),
    title: `${parsed.user_agent.family} on ${parsed.os.family}`,
  };
}

/** The device facts an app did not report are unknown (null). */
export function deviceInfo(reported: Partial<DeviceInfo> | undefined): DeviceInfo {
  return {
    brand: reported?.brand ?? null,
    model: reported?.model ?? null,
    osName: reported?.osName ?? null,
    osVersion: reported?.osVersion ?? null,
    appName: reported?.appName ?? null,
    appVersion: reported?.appVersion ?? null,
  };
}

/** One device per user and fingerprint: the user agent plus what the app says about the hardware and itself. */
export function deviceFingerprint(
  userAgent: string,
  device: Pick<DeviceInfo, 'brand' | 'model' | 'osName' | 'appName'>,
): string {
  return createHash('sha256')
    .update(JSON.stringify([userAgent, device.brand, device.model, device.osName, device.appName]))
    .digest('hex');
}
