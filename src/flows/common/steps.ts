// The step indicator of a journey, in the style of the State design system's «stepper» (docs/screens.md):
// «Étape 2 sur 4 — Code reçu par SMS» as the page's heading, «Étape suivante : vos enfants» below, a progress bar.
import { currentLanguage, tr } from '../../i18n/request-language.js';

export interface Step {
  /** The journey's name, shown above the heading («Activer mon compte»). */
  journey: string;
  current: number;
  total: number;
  title: string;
  /** The next step's title, lower-cased to follow «Étape suivante :»; null on the last step. */
  next: string | null;
}

const lowerFirst = (text: string) => text.charAt(0).toLocaleLowerCase(currentLanguage()) + text.slice(1);

/** Step `current` (from 1) of a journey whose steps are `titles`. */
export function stepOf(journey: string, titles: readonly string[], current: number): Step {
  const next = titles[current];
  return { journey, current, total: titles.length, title: titles[current - 1] ?? '', next: next ? lowerFirst(next) : null };
}

/** The page's <title> before « – Sésame»: the step first, so a screen reader's tab list says where one is. */
export const stepHeading = (step: Step) => `${step.title} – ${tr('common:stepper.state', { current: step.current, total: step.total })} – ${step.journey}`;
