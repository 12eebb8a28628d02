/** Coarse device class of a UA (ua-parser-js 1.x, MIT), cached beside the parse result. */
import { UAParser } from 'ua-parser-js';
import { cacheEntry } from './ua-cache';
import type { DeviceClass, ParsedUserAgent } from './uap-types';

const uaParserJs = new UAParser();
const DESKTOP_OS =
  /^(?:windows|mac os|chromium os|linux|[kxl]?ubuntu|debian|suse|opensuse|gentoo|arch|slackware|fedora|mandriva|centos|pclinuxos|red ?hat|zenwalk|linpus|raspbian|mint|mageia|vectorlinux|deepin|manjaro|elementary os|sabayon|linspire|gnu|hurd|[-a-z]{0,5}bsd|dragonfly|haiku|solaris|opensolaris|sunos|aix|beos|os\/2|amigaos|morphos|openvms|hp-ux|serenityos|unix|plan 9|minix|risc os)$/i;

/**
 * Coarse device class:
 *  - 'bot': uap-core classifies the device as "Spider" (crawlers, monitors, bots);
 *  - otherwise ua-parser-js 1.x's device type: 'mobile' -> 'smartphone', 'tablet' -> 'tablet';
 *    no type and a desktop OS (Windows, Mac OS, Linux distros, Chromium OS, BSDs, ...) -> 'desktop';
 *  - everything else (smart TVs, consoles, wearables, embedded, unknown) -> 'other'.
 */
export function deviceClass(ua: string): DeviceClass {
  if (typeof ua !== 'string') throw new TypeError(`Expected user agent to be a string, got ${String(ua)}`);
  const entry = cacheEntry(ua);
  if (entry.deviceClass === undefined) entry.deviceClass = computeDeviceClass(ua, entry.parsed);
  return entry.deviceClass;
}

function computeDeviceClass(ua: string, parsed: ParsedUserAgent): DeviceClass {
  if (parsed.device.family === 'Spider') return 'bot';
  if (ua.trim() === '') return 'other';
  uaParserJs.setUA(ua);
  switch (uaParserJs.getDevice().type) {
    case 'mobile':
      return 'smartphone';
    case 'tablet':
      return 'tablet';
    case undefined: {
      const os = uaParserJs.getOS().name;
      return os !== undefined && DESKTOP_OS.test(os) ? 'desktop' : 'other';
    }
    default:
      return 'other';
  }
}
