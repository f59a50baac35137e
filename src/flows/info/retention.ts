// How long each kind of personal data is kept, as the «Données personnelles» page states it: read from the same
// settings the code runs with, so the page cannot drift from what the service does.
import type { Config } from '../../config.js';
import { tr } from '../../i18n/request-language.js';

/** 600 → «10 minutes», 3600 → «1 heure», 172800 → «48 heures», 1209600 → «14 jours», in the request's language. */
export function duration(seconds: number): string {
  if (seconds % 86400 === 0 && seconds >= 3 * 86400) return tr('common:time.days', { count: seconds / 86400 });
  if (seconds % 3600 === 0) return tr('common:time.hours', { count: seconds / 3600 });
  if (seconds % 60 === 0) return tr('common:time.minutes', { count: seconds / 60 });
  return tr('common:time.seconds', { count: seconds });
}

export interface RetentionLine {
  data: string;
  kept: string;
}

const HOUR = 3600;
const DAY = 24 * HOUR;
/** The device cookie's lifetime (src/flows/login/device-cookie.ts). */
const DEVICE_COOKIE_DAYS = 365;

/** One line per kind of data, in the order a family meets them, in the request's language (`info:retention.*`). */
export function retentionLines(config: Config): RetentionLine[] {
  const d = duration;
  // The longest window of the counters keyed on a number, an address or an identifiant (SMS per day).
  const counters = Math.max(DAY, config.login.windowSeconds, HOUR);
  return [
    {
      data: tr('info:retention.activation.data'),
      kept: tr('info:retention.activation.kept', { flow: d(config.activation.flowTtlSeconds), code: d(config.activation.codeTtlSeconds) }),
    },
    { data: tr('info:retention.firstConnection.data'), kept: tr('info:retention.atMost', { duration: d(config.firstConnection.flowTtlSeconds) }) },
    { data: tr('info:retention.emailLink.data'), kept: tr('info:retention.emailLink.kept', { duration: d(config.firstConnection.emailLinkTtlSeconds) }) },
    {
      data: tr('info:retention.recovery.data'),
      kept: tr('info:retention.recovery.kept', { flow: d(config.recovery.flowTtlSeconds), link: d(config.recovery.emailLinkTtlSeconds) }),
    },
    {
      data: tr('info:retention.counters.data'),
      kept: tr('info:retention.atMost', { duration: d(counters) }),
    },
    { data: tr('info:retention.session.data'), kept: tr('info:retention.session.kept', { duration: d(config.ttl.session) }) },
    {
      data: tr('info:retention.tokens.data'),
      kept: tr('info:retention.tokens.kept', { access: d(config.ttl.accessToken), refresh: d(config.ttl.refreshToken) }),
    },
    { data: tr('info:retention.grants.data'), kept: tr('info:retention.grants.kept') },
    {
      data: tr('info:retention.audit.data'),
      kept: d(config.audit.retentionDays * DAY),
    },
    { data: tr('info:retention.device.data'), kept: tr('info:retention.atMost', { duration: tr('common:time.days', { count: DEVICE_COOKIE_DAYS }) }) },
  ];
}
