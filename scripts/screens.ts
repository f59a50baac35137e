// `npm run screens`: every screen state in Chromium at 320 and 1280 px, light and dark, with text-only zoom at 200 %
// on 320 px, and in forced colours; axe-core (WCAG 2.1 A/AA), French typography, a next action, no sideways scroll. Screenshots and
// an index.html go to screens/out/ (gitignored); a table of states × checks is printed; the exit code is 1 on any
// problem. `npm run screens -- --only activation` walks only the states whose name contains «activation».
// A plain script rather than a jest project: it writes a folder for a reviewer and prints its own report; the jest
// test (test/e2e/screens-checks-chromium.test.ts) runs the same states and checks without the screenshots.
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHECKS, variantName, type Variant } from '../test/support/screen-checks.js';
import { failures, knownProblems, runScreens, STATE_NAMES, type StateResult } from '../test/support/screen-run.js';

const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'screens', 'out');

export const ALL_VARIANTS: Variant[] = [
  { width: 320, scheme: 'light', textZoom: false },
  { width: 320, scheme: 'dark', textZoom: false },
  { width: 1280, scheme: 'light', textZoom: false },
  { width: 1280, scheme: 'dark', textZoom: false },
  { width: 320, scheme: 'light', textZoom: true },
  { width: 320, scheme: 'light', textZoom: false, forcedColors: true },
];

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

function indexHtml(results: StateResult[], problems: string[]): string {
  const states = [...new Set(results.map((r) => r.state))];
  const rows = states.map((state) => {
    const cells = ALL_VARIANTS.map((v) => {
      const r = results.find((x) => x.state === state && variantName(x.variant) === variantName(v));
      if (!r?.screenshot) return '<td>—</td>';
      const bad = Object.values(r.checks).flat();
      return `<td${bad.length ? ' class="bad"' : ''}><a href="${r.screenshot}"><img src="${r.screenshot}" alt="${escape(`${state}, ${variantName(v)}`)}" loading="lazy"></a>${bad.length ? `<ul>${bad.map((p) => `<li>${escape(p)}</li>`).join('')}</ul>` : ''}</td>`;
    });
    const heading = results.find((x) => x.state === state)?.heading ?? '';
    return `<tr><th scope="row" id="${state}">${state}<br><small lang="fr">${escape(heading)}</small></th>${cells.join('')}</tr>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sésame screens</title>
<style>body{font-family:system-ui,sans-serif;margin:1rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem;vertical-align:top;text-align:left}
img{width:160px;display:block}td.bad{background:#fdd}ul{max-width:16rem;font-size:.8rem;padding-left:1rem}</style></head>
<body><h1>Sésame — every screen state (${new Date().toISOString()})</h1>
<p>${states.length} states × ${ALL_VARIANTS.length} variants; ${problems.length ? `<strong>${problems.length} problems</strong>` : 'no problem found'}.
Checks: axe-core WCAG 2.1 A/AA, French typography, a next action, no sideways scroll, a visible focus ring.</p>
<table><thead><tr><th>state</th>${ALL_VARIANTS.map((v) => `<th>${variantName(v)}</th>`).join('')}</tr></thead>
<tbody>${rows.join('\n')}</tbody></table></body></html>
`;
}

function report(results: StateResult[]): string {
  const states = [...new Set(results.map((r) => r.state))];
  const width = Math.max(...states.map((s) => s.length), 5);
  const head = `${'state'.padEnd(width)}  ${CHECKS.map((c) => c.padEnd(20)).join('')}`;
  const lines = states.map((state) => {
    const mine = results.filter((r) => r.state === state);
    const cells = CHECKS.map((c) => {
      const bad = mine.filter((r) => r.checks[c].length).map((r) => variantName(r.variant));
      return (bad.length ? `FAIL ${bad.length}/${mine.length}` : 'ok').padEnd(20);
    });
    return `${state.padEnd(width)}  ${cells.join('')}`;
  });
  return [head, ...lines].join('\n');
}

async function main(): Promise<number> {
  const onlyAt = process.argv.indexOf('--only');
  const only = onlyAt > 0 && process.argv[onlyAt + 1] ? new RegExp(process.argv[onlyAt + 1]!) : undefined;
  await rm(OUT, { recursive: true, force: true });
  const run = await runScreens({
    variants: ALL_VARIANTS,
    screenshots: OUT,
    ...(only ? { only } : {}),
    onState: (state, results) => {
      const bad = failures({ results, broken: [] }).length;
      process.stdout.write(`${bad ? '✗' : '✓'} ${state} — ${results[0]?.heading ?? ''}\n`);
    },
  });
  const problems = failures(run);
  await writeFile(path.join(OUT, 'index.html'), indexHtml(run.results, problems));
  console.log(`\n${report(run.results)}\n`);
  const expected = only ? STATE_NAMES.filter((s) => only.test(s)).length : STATE_NAMES.length;
  console.log(`${new Set(run.results.map((r) => r.state)).size} of ${expected} states, ${ALL_VARIANTS.length} variants each; screenshots: ${path.relative(process.cwd(), path.join(OUT, 'index.html'))}`);
  const known = knownProblems(run);
  if (known.length) console.log(`\nknown problems, left to a change outside the stylesheet (test/support/screen-states.ts):\n${known.join('\n')}`);
  if (problems.length) {
    console.log(`\n${problems.length} problems:\n${problems.join('\n')}`);
    return 1;
  }
  console.log('no problem found');
  return 0;
}

process.exitCode = await main();
