// Renders the pug screens. Templates compile once and are cached; every page gets the common frame's locals and
// French typography.
import path from 'node:path';
import pug from 'pug';
import { countOf } from './count.js';
import { VIEWS_DIR } from '../package-paths.js';
import { withFrenchTypography } from './typography.js';

const cache = new Map<string, pug.compileTemplate>();

export interface PageLocals {
  title: string;
  /** The relying application the person is on their way to, shown in the header ("pour accéder à Pronote"). */
  clientName?: string | undefined;
  csrf?: string | undefined;
  [key: string]: unknown;
}

/**
 * What the frame of every page says about the service itself (the footer's declared accessibility status). Set once
 * from the configuration at start (`setFrameFacts`), like the template cache: every renderer (our screens, the
 * provider's pages, the error pages) shares the frame, and threading one setting through each would not make it
 * any less global. A page's own locals win.
 */
let frameFacts: Record<string, unknown> = { accessibilityStatus: 'non conforme' };

export function setFrameFacts(facts: { accessibilityStatus: string }): void {
  frameFacts = { ...facts };
}

export function renderView(view: string, locals: PageLocals): string {
  let template = cache.get(view);
  if (!template) {
    template = pug.compileFile(path.join(VIEWS_DIR, `${view}.pug`), { basedir: VIEWS_DIR });
    cache.set(view, template);
  }
  // French no-break spaces once, here, for every page and every message it shows (src/http/typography.ts).
  return withFrenchTypography(template({ countOf, ...frameFacts, ...locals }));
}
