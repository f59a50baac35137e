// The operator's facts the legal pages publish (mentions légales, données personnelles, accessibility statement):
// validated here with the other settings, given example values outside production, and left empty in production
// when unset, where the pages say «non renseigné» and the start-up log names what is missing (docs/screens.md).
import { z } from 'zod';
import { hasInvisibleCharacters } from './accounts/invisible-characters.js';

/** One line of plain text: no control or invisible character (it is printed on public pages), 300 characters at most. */
const text = z
  .string()
  .refine((v) => !/\p{Cc}/u.test(v) && !hasInvisibleCharacters(v), 'must be one line of text without control or invisible characters')
  .transform((v) => v.trim())
  .pipe(z.string().min(1).max(300));

/** Where people can write: an email address or an https address (shown as a link). */
const contact = z.union([z.email(), z.url({ protocol: /^https$/ })], { error: 'must be an email address or an https:// URL' });

/** A calendar date, AAAA-MM-JJ, that exists. */
const date = z.iso.date();

/** The three statuses of the RGAA model statement (from the audit's conformity rate: 100 %, at least 50 %, less). */
export const ACCESSIBILITY_STATUSES = { totale: 'totalement conforme', partielle: 'partiellement conforme', non: 'non conforme' } as const;

export const LEGAL_SETTINGS = {
  LEGAL_PUBLISHER: text.optional(),
  LEGAL_PUBLISHER_ADDRESS: text.optional(),
  LEGAL_PUBLICATION_DIRECTOR: text.optional(),
  LEGAL_HOST: text.optional(),
  LEGAL_HOST_ADDRESS: text.optional(),
  LEGAL_HOST_PHONE: text.optional(),
  LEGAL_CONTROLLER: text.optional(),
  LEGAL_DPO_CONTACT: contact.optional(),
  LEGAL_CONTACT: contact.optional(),
  LEGAL_ACCOUNT_RETENTION: text.optional(),
  LEGAL_LOG_RETENTION: text.optional(),
  LEGAL_ACCESSIBILITY_STATUS: z.enum(['totale', 'partielle', 'non']).optional(),
  LEGAL_ACCESSIBILITY_DATE: date.optional(),
  LEGAL_ACCESSIBILITY_RATE: z.coerce.number().min(0).max(100).optional(),
  LEGAL_ACCESSIBILITY_DEROGATIONS: text.optional(),
};

type LegalEnv = z.output<z.ZodObject<typeof LEGAL_SETTINGS>>;

/** A published fact: the operator's own, an example (development and tests only), or null («non renseigné»). */
export type LegalValue = { text: string; example: boolean } | null;

export interface LegalSettings {
  publisher: LegalValue;
  publisherAddress: LegalValue;
  publicationDirector: LegalValue;
  host: LegalValue;
  hostAddress: LegalValue;
  hostPhone: LegalValue;
  /** The data controller; the publisher when not set apart. */
  controller: LegalValue;
  dpoContact: LegalValue;
  /** Where to report an accessibility problem or ask about the service. */
  contact: LegalValue;
  accountRetention: LegalValue;
  logRetention: LegalValue;
  accessibility: {
    /** Never null: unset in production means «non conforme» (no audit). */
    status: { text: string; example: boolean };
    /** AAAA-MM-JJ of the statement. */
    date: LegalValue;
    rate: LegalValue;
    /** Null means none declared (not «non renseigné»: having none is an answer). */
    derogations: string | null;
  };
  /** The settings production runs without (the start-up warning lists them). */
  missing: string[];
  /** Whether any example value is shown (the pages then say so at the top). */
  examples: boolean;
}

/** 2026-09-01 → «1er septembre 2026» (no-break spaces: a date spelled out is not split across lines). */
export function frenchDate(iso: string): string {
  const [year, month, day] = iso.split('-').map(Number) as [number, number, number];
  const monthName = new Intl.DateTimeFormat('fr-FR', { month: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(year, month - 1, 1)));
  return [day === 1 ? '1er' : String(day), monthName, String(year)].join('\u00a0');
}

/** What the demonstration shows; each is marked «exemple» on the pages. */
const EXAMPLES: Partial<Record<keyof LegalEnv, string>> = {
  LEGAL_PUBLISHER: 'Académie d’exemple, rectorat',
  LEGAL_PUBLISHER_ADDRESS: '1 rue de l’Exemple, 00000 Exempleville',
  LEGAL_PUBLICATION_DIRECTOR: 'le recteur de l’académie d’exemple',
  LEGAL_HOST: 'Hébergeur d’exemple',
  LEGAL_HOST_ADDRESS: '2 avenue des Serveurs, 00000 Exempleville',
  LEGAL_HOST_PHONE: '01 23 45 67 89',
  LEGAL_DPO_CONTACT: 'dpd@academie.invalid',
  LEGAL_CONTACT: 'accessibilite@academie.invalid',
  LEGAL_ACCOUNT_RETENTION: 'un an après la fin de la scolarité du dernier enfant dans l’académie',
  LEGAL_LOG_RETENTION: '6 mois',
  LEGAL_ACCESSIBILITY_STATUS: 'partielle',
  LEGAL_ACCESSIBILITY_DATE: '2026-09-01',
};

/** The legal facts from the parsed environment; `production` decides between examples and «non renseigné». */
export function legalSettings(e: LegalEnv, production: boolean): LegalSettings {
  const missing: string[] = [];
  const value = (name: keyof LegalEnv, show: (v: string) => string = (v) => v): LegalValue => {
    const own = e[name];
    if (own !== undefined) return { text: show(String(own)), example: false };
    const example = EXAMPLES[name];
    if (example === undefined) return null;
    if (production) {
      missing.push(name);
      return null;
    }
    return { text: show(example), example: true };
  };
  // A service that has not been audited is «non conforme» under the RGAA: that, not «non renseigné», is its status.
  const status = value('LEGAL_ACCESSIBILITY_STATUS', (v) => ACCESSIBILITY_STATUSES[v as keyof typeof ACCESSIBILITY_STATUSES]) ?? {
    text: ACCESSIBILITY_STATUSES.non,
    example: false,
  };
  const rate = e.LEGAL_ACCESSIBILITY_RATE;
  const settings: Omit<LegalSettings, 'examples'> = {
    publisher: value('LEGAL_PUBLISHER'),
    publisherAddress: value('LEGAL_PUBLISHER_ADDRESS'),
    publicationDirector: value('LEGAL_PUBLICATION_DIRECTOR'),
    host: value('LEGAL_HOST'),
    hostAddress: value('LEGAL_HOST_ADDRESS'),
    hostPhone: value('LEGAL_HOST_PHONE'),
    controller: e.LEGAL_CONTROLLER !== undefined ? { text: e.LEGAL_CONTROLLER, example: false } : value('LEGAL_PUBLISHER'),
    dpoContact: value('LEGAL_DPO_CONTACT'),
    contact: value('LEGAL_CONTACT'),
    accountRetention: value('LEGAL_ACCOUNT_RETENTION'),
    logRetention: value('LEGAL_LOG_RETENTION'),
    accessibility: {
      status,
      date: value('LEGAL_ACCESSIBILITY_DATE', frenchDate),
      rate: rate !== undefined ? { text: `${String(rate).replace('.', ',')}\u00a0%`, example: false } : null,
      derogations: e.LEGAL_ACCESSIBILITY_DEROGATIONS ?? null,
    },
    // LEGAL_PUBLISHER is looked at twice (publisher, controller): listed once.
    missing: [...new Set(missing)],
  };
  const shown = [...Object.values(settings), ...Object.values(settings.accessibility)];
  return { ...settings, examples: shown.some((v) => typeof v === 'object' && v !== null && 'example' in v && v.example) };
}
