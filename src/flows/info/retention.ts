// How long each kind of personal data is kept, as the «Données personnelles» page states it: read from the same
// settings the code runs with, so the page cannot drift from what the service does.
import type { Config } from '../../config.js';

/** 600 → «10 minutes», 3600 → «1 heure», 172800 → «48 heures», 1209600 → «14 jours» (no-break space before the unit). */
export function frenchDuration(seconds: number): string {
  const plural = (n: number, unit: string) => `${n}\u00a0${unit}${n > 1 ? 's' : ''}`;
  if (seconds % 86400 === 0 && seconds >= 3 * 86400) return plural(seconds / 86400, 'jour');
  if (seconds % 3600 === 0) return plural(seconds / 3600, 'heure');
  if (seconds % 60 === 0) return plural(seconds / 60, 'minute');
  return plural(seconds, 'seconde');
}

export interface RetentionLine {
  data: string;
  kept: string;
}

const HOUR = 3600;
const DAY = 24 * HOUR;
/** The device cookie's lifetime (src/flows/login/device-cookie.ts). */
const DEVICE_COOKIE_DAYS = 365;

/** One line per kind of data, in the order a family meets them. */
export function retentionLines(config: Config): RetentionLine[] {
  const d = frenchDuration;
  // The longest window of the counters keyed on a number, an address or an identifiant (SMS per day).
  const counters = Math.max(DAY, config.login.windowSeconds, HOUR);
  return [
    {
      data: 'Demande d’activation en cours (nom, prénom, numéro de portable, code reçu par SMS, sous une forme illisible)',
      kept: `${d(config.activation.flowTtlSeconds)} au plus ; le code lui-même n’est valable que ${d(config.activation.codeTtlSeconds)}`,
    },
    { data: 'Première connexion en cours (avec le courrier de l’établissement)', kept: `${d(config.firstConnection.flowTtlSeconds)} au plus` },
    { data: 'Lien de confirmation envoyé par courriel', kept: `${d(config.firstConnection.emailLinkTtlSeconds)}, puis il ne fonctionne plus` },
    {
      data: 'Demande « Mot de passe oublié » en cours (identifiant, code reçu par SMS sous une forme illisible)',
      kept: `${d(config.recovery.flowTtlSeconds)} au plus ; le lien envoyé par courriel fonctionne ${d(config.recovery.emailLinkTtlSeconds)}`,
    },
    {
      data: 'Compteurs de tentatives (numéro de portable, adresse IP, identifiant), qui protègent contre les abus',
      kept: `${d(counters)} au plus`,
    },
    { data: 'Connexion ouverte (session)', kept: `${d(config.ttl.session)} au plus, ou jusqu’à la déconnexion` },
    {
      data: 'Jetons remis aux services auxquels vous vous connectez',
      kept: `${d(config.ttl.accessToken)} ; ${d(config.ttl.refreshToken)} pour un accès prolongé que vous avez autorisé`,
    },
    { data: 'Autorisations que vous avez données à un service', kept: 'jusqu’à leur retrait, dans « Mon compte », rubrique « Mes applications »' },
    {
      data: 'Journal de sécurité (connexions réussies ou non, changements de mot de passe, adresse IP), visible en partie dans « Mon compte »',
      kept: `${d(config.audit.retentionDays * DAY)}`,
    },
    { data: 'Témoin « appareil connu » dans votre navigateur', kept: `${DEVICE_COOKIE_DAYS}\u00a0jours au plus` },
  ];
}
