/** Result shapes of the user-agent parser (the dicts Python ua-parser's legacy `Parse()` returns). */
export interface UapBrowser {
  family: string;
  major: string | null;
  minor: string | null;
  patch: string | null;
}
export interface UapOs {
  family: string;
  major: string | null;
  minor: string | null;
  patch: string | null;
  patch_minor: string | null;
}
export interface UapDevice {
  family: string;
  brand: string | null;
  model: string | null;
}
export interface ParsedUserAgent {
  string: string;
  user_agent: UapBrowser;
  os: UapOs;
  device: UapDevice;
}

export type DeviceClass = 'smartphone' | 'tablet' | 'desktop' | 'bot' | 'other';
