// The message catalogue: every text a person reads (screens, error messages, SMS, mail) comes from JSON files
// `locales/<lang>/<namespace>.json`, read once at start-up through i18next. French is the reference: the packaged
// `locales/fr` holds every key. Other languages are the folders present, in the package and in the académie's own
// folder (LOCALES_DIR), which may add a language or replace a packaged one.
//
// Validation at start-up (decision, docs/i18n.md): a broken file (not JSON, not an object of strings, a folder whose
// name is not a language tag) stops the start with a clear error; a language that lacks some French keys, plural
// forms or interpolation variables starts with a warning per problem, and those keys fall back to French. An
// académie adding a language file by file keeps a working service, and the log says what is still missing.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import i18next, { type i18n, type TFunction } from 'i18next';
import { PACKAGE_ROOT } from '../package-paths.js';

export const REFERENCE_LANGUAGE = 'fr';
export const PACKAGED_LOCALES_DIR = path.join(PACKAGE_ROOT, 'locales');

/** A language folder's name: a BCP 47 language with an optional region or script («fr», «en», «ar», «pt-BR»). */
const LANGUAGE_TAG = /^[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-[A-Z]{2})?$/;
const NAMESPACE = /^[a-z][a-z0-9-]*$/;
const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;

type Tree = { [key: string]: string | Tree };
/** lang → namespace → nested keys. */
type Resources = Record<string, Record<string, Tree>>;

export class CatalogueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CatalogueError';
  }
}

function readTree(file: string): Tree {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CatalogueError(`message catalogue: ${file} is not valid JSON (${(err as Error).message})`);
  }
  const check = (value: unknown, at: string): Tree => {
    if (!value || typeof value !== 'object' || Array.isArray(value)) throw new CatalogueError(`message catalogue: ${file}${at} must be an object of texts`);
    for (const [key, child] of Object.entries(value)) {
      if (typeof child !== 'string') check(child, `${at}.${key}`);
    }
    return value as Tree;
  };
  return check(parsed, '');
}

/** Reads `<dir>/<lang>/<namespace>.json` into `into` (a later folder replaces a namespace an earlier one had). */
function readFolder(dir: string, into: Resources): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CatalogueError(`message catalogue: ${dir} is not a folder`);
  for (const lang of readdirSync(dir)) {
    const langDir = path.join(dir, lang);
    if (!statSync(langDir).isDirectory()) continue;
    if (!LANGUAGE_TAG.test(lang)) throw new CatalogueError(`message catalogue: folder ${langDir} is not named after a language (fr, en, ar, pt-BR…)`);
    for (const file of readdirSync(langDir)) {
      if (!file.endsWith('.json')) continue;
      const ns = file.slice(0, -'.json'.length);
      if (!NAMESPACE.test(ns)) throw new CatalogueError(`message catalogue: ${path.join(langDir, file)}: a namespace is lower-case letters, digits and dashes`);
      (into[lang] ??= {})[ns] = readTree(path.join(langDir, file));
    }
  }
}

/** Every `ns:a.b.c` key of one language with its text. */
export function flatten(namespaces: Record<string, Tree>): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (tree: Tree, prefix: string) => {
    for (const [key, value] of Object.entries(tree)) {
      if (typeof value === 'string') out.set(`${prefix}${key}`, value);
      else walk(value, `${prefix}${key}.`);
    }
  };
  for (const [ns, tree] of Object.entries(namespaces)) walk(tree, `${ns}:`);
  return out;
}

/** The `{{name}}` variables a text interpolates (formats after a comma ignored). */
export function variablesOf(text: string): string[] {
  return [...new Set([...text.matchAll(/\{\{\s*([^,}\s]+)[^}]*\}\}/g)].map((m) => m[1] as string))].sort();
}

/**
 * What `lang` lacks compared with French: missing keys, missing plural forms (those Intl.PluralRules gives the
 * language), and texts that do not use the same variables. Empty when the language is complete.
 */
export function problemsOf(reference: Map<string, string>, lang: string, texts: Map<string, string>): string[] {
  const problems: string[] = [];
  const categories = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
  const seenPlurals = new Set<string>();
  for (const [key, text] of reference) {
    const plural = PLURAL_SUFFIX.exec(key);
    if (plural) {
      const base = key.slice(0, plural.index);
      if (seenPlurals.has(base)) continue;
      seenPlurals.add(base);
      const vars = variablesOf(text);
      for (const category of categories) {
        const own = texts.get(`${base}_${category}`);
        if (own === undefined) problems.push(`${base}_${category} is missing`);
        else if (variablesOf(own).join() !== vars.join()) problems.push(`${base}_${category} should use {{${vars.join('}}, {{')}}}`);
      }
      continue;
    }
    const own = texts.get(key);
    if (own === undefined) problems.push(`${key} is missing`);
    else if (variablesOf(own).join() !== variablesOf(text).join()) problems.push(`${key} should use ${variablesOf(text).map((v) => `{{${v}}}`).join(', ') || 'no variable'}`);
  }
  return problems;
}

export interface Catalogue {
  /** The languages people can choose, French first. */
  readonly languages: readonly string[];
  /** The text of `key` (`namespace:path.to.key`) in `lang`, French when the language lacks it. */
  t(lang: string, key: string, values?: Record<string, unknown>): string;
  /** A `t` bound to one language, for the views. */
  fixedT(lang: string): TFunction;
  /** `ltr` or `rtl` (Arabic, Hebrew…), for `<html dir>`. */
  dir(lang: string): 'ltr' | 'rtl';
  /** The language's own name («English», «Français»), from the catalogue (`common:language.name`). */
  nameOf(lang: string): string;
}

export interface LoadOptions {
  /** An académie's folder of extra or replaced languages (LOCALES_DIR). */
  extraDir?: string | undefined;
  /** Told about incomplete languages (each falls back to French for what it lacks). */
  warn?: (message: string) => void;
  /** Replaces the packaged folder (tests). */
  packagedDir?: string;
}

/**
 * i18next resolves every call (namespaces, fallbacks, nesting, interpolation), tens of microseconds each and dozens
 * per page: rendering the login form went from 0.1 to 0.8 ms. A text asked without values never changes once the
 * catalogue is loaded, so each is resolved once per language; calls with values (plurals, names) still go through.
 */
function remembered(t: TFunction): TFunction {
  const texts = new Map<string, string>();
  const noValues = (values: unknown) =>
    values === undefined || (typeof values === 'object' && values !== null && Object.keys(values).length === 0);
  const resolve = t as unknown as (key: unknown, values?: unknown) => string;
  const fast = (key: unknown, values?: unknown): string => {
    if (typeof key !== 'string' || !noValues(values)) return resolve(key, values);
    let text = texts.get(key);
    if (text === undefined) {
      text = resolve(key);
      texts.set(key, text);
    }
    return text;
  };
  return fast as unknown as TFunction;
}

export function loadCatalogue(options: LoadOptions = {}): Catalogue {
  const resources: Resources = {};
  readFolder(options.packagedDir ?? PACKAGED_LOCALES_DIR, resources);
  if (options.extraDir) readFolder(options.extraDir, resources);
  const frenchNamespaces = resources[REFERENCE_LANGUAGE];
  if (!frenchNamespaces) throw new CatalogueError(`message catalogue: no ${REFERENCE_LANGUAGE}/ folder, and French is the reference`);
  const reference = flatten(frenchNamespaces);
  for (const [lang, namespaces] of Object.entries(resources)) {
    if (lang === REFERENCE_LANGUAGE) continue;
    // Wrong variables first (a text that would show «{{count}}»), then what is missing, namespace by namespace.
    const all = problemsOf(reference, lang, flatten(namespaces));
    const problems = [...all.filter((p) => !p.endsWith(' is missing')), ...all.filter((p) => p.endsWith(' is missing'))];
    if (problems.length) {
      options.warn?.(`message catalogue: language ${lang} is incomplete (${problems.length} problems), French is shown instead for: ${problems.slice(0, 20).join('; ')}${problems.length > 20 ? `; and ${problems.length - 20} more` : ''}`);
    }
  }
  const languages = [REFERENCE_LANGUAGE, ...Object.keys(resources).filter((l) => l !== REFERENCE_LANGUAGE).sort()];
  const instance: i18n = i18next.createInstance();
  void instance.init({
    initAsync: false,
    resources,
    lng: REFERENCE_LANGUAGE,
    fallbackLng: REFERENCE_LANGUAGE,
    supportedLngs: languages,
    load: 'currentOnly',
    ns: Object.keys(frenchNamespaces),
    defaultNS: 'common',
    returnNull: false,
    returnEmptyString: false,
    // pug escapes what `#{}` and `=` print, and mail-texts.ts escapes its HTML: escaping here would show «&amp;».
    interpolation: { escapeValue: false },
  });
  const fixed = new Map(languages.map((lang) => [lang, remembered(instance.getFixedT(lang))]));
  const fixedT = (lang: string): TFunction => fixed.get(lang) ?? (fixed.get(REFERENCE_LANGUAGE) as TFunction);
  // i18next's `dir` asks ICU each time (a new Intl.Locale and its text info), and every page asks it for each
  // language (the switch links): the catalogue's languages are known, their directions never change.
  const directions = new Map(languages.map((lang) => [lang, instance.dir(lang)]));
  return {
    languages,
    t: (lang, key, values) => fixedT(lang)(key, values ?? {}) as string,
    fixedT,
    dir: (lang) => directions.get(lang) ?? instance.dir(lang),
    nameOf: (lang) => fixedT(lang)('common:language.name') as string,
  };
}

/**
 * The catalogue every renderer uses, installed once at start-up (`installCatalogue`, src/sesame.ts) with the
 * académie's folder; until then, the packaged languages. One instance for the process, like the template cache: the
 * screens, the provider's pages, the error pages and the SMS all share it.
 */
let installed: Catalogue | undefined;

export function installCatalogue(catalogue: Catalogue): void {
  installed = catalogue;
}

export function catalogue(): Catalogue {
  return (installed ??= loadCatalogue());
}
