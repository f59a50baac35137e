// Writes the Markdown report of one run: the machine, the ceilings, one table per scenario, the ratios against
// the bare oidc-provider and argon2id, the targets with how far we are, and where the time goes.
import type { Ceiling } from './ceilings.js';
import type { ProfileSummary } from './cpu-profile.js';
import { referenceRow, type Goal } from './goals.js';
import type { ImportResult } from './import-scenario.js';
import type { LoadResult } from './load.js';
import { OIDC_SCENARIOS, type OidcResults, type OidcScenario, type SqlCounts } from './oidc-scenarios.js';
import type { StoreMode } from './targets.js';

export interface BenchReport {
  date: string;
  mode: StoreMode;
  quick: boolean;
  durationS: number;
  elapsedS: number;
  version: { commit: string; modified: string[] };
  machine: { cpus: number; model: string; node: string; loadBefore: number[]; loadAfter: number[] };
  ceilings: { argon2: Ceiling; rs256: Ceiling };
  idleRssMb: number;
  sesame: Partial<OidcResults>;
  sqlCounts: SqlCounts;
  bare: Partial<OidcResults>;
  activation: { rows: LoadResult[] } | { note: string };
  imports: { results: ImportResult[]; note?: string };
  goals: Goal[];
  profiles: { scenario: string; file: string; summary: ProfileSummary }[];
  chartFile: string;
}

const TITLES: Record<OidcScenario, string> = {
  'sign-in': 'Connexion complète (authorize → profil → identifiant + mot de passe → consentement → code → token → userinfo)',
  userinfo: 'Userinfo (jeton d’accès valide)',
  introspection: 'Introspection (jeton d’accès valide)',
  refresh: 'Rafraîchissement avec rotation du jeton',
};

const f1 = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '–');
const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');

function loadTable(rows: LoadResult[], unit: string, parts: string[] = []): string {
  const withDb = rows.some((r) => r.databaseCpuMsPerOp !== undefined);
  const dbLabel = 'CPU base ms/op';
  const head = ['concurrence', `${unit}/s`, 'p50 (ms)', 'p95 (ms)', 'p99 (ms)', ...parts.flatMap((p) => [`${p} p50`, `${p} p99`]), 'CPU serveur ms/op', ...(withDb ? [dbLabel] : []), 'pic RSS (Mo)', 'erreurs'];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const partCells = parts.flatMap((p) => [f1(r.parts[p]?.p50 ?? NaN), f1(r.parts[p]?.p99 ?? NaN)]);
    lines.push(`| ${[r.concurrency, f1(r.opsPerSecond), f1(r.latency.p50), f1(r.latency.p95), f1(r.latency.p99), ...partCells, f2(r.cpuMsPerOp), ...(withDb ? [f2(r.databaseCpuMsPerOp ?? NaN)] : []), f1(r.peakRssMb), r.errors].join(' | ')} |`);
  }
  const failed = rows.find((r) => r.firstError);
  if (failed) lines.push('', `Première erreur : \`${failed.firstError!.slice(0, 200).replace(/`/g, "'")}\``);
  return lines.join('\n');
}

function gap(goal: Goal): string {
  if (goal.met === undefined) return 'non mesurable ici';
  if (goal.ratio === undefined) return goal.met ? 'atteint' : 'manqué';
  return goal.met ? `atteint (${(goal.ratio * 100).toFixed(0)} % de la limite)` : `manqué : ×${goal.ratio.toFixed(2)} la limite`;
}

export function renderReport(r: BenchReport): string {
  const out: string[] = [];
  const push = (...lines: string[]) => out.push(...lines);
  push(
    `# Banc d’essai Sésame — ${r.date} — stockage ${r.mode}${r.quick ? ' (rapide)' : ''}`,
    '',
    `Produit par \`npm run bench -- --store ${r.mode}${r.quick ? ' --quick' : ` --duration ${r.durationS}`}\` en ${Math.round(r.elapsedS)} s. ` +
      `Chaque scénario tourne ${r.durationS} s par niveau de concurrence (boucle fermée : chaque client virtuel enchaîne ses opérations), après un court échauffement.`,
    '',
    '## Comment lire ce rapport',
    '',
    '- **CPU serveur ms/op** est la mesure de référence : temps CPU (utilisateur + système, tous les threads, y compris ceux d’argon2) du processus serveur lu dans `/proc/<pid>/stat`, divisé par le nombre d’opérations. Le générateur de charge partage la machine, donc les opérations/s sous-estiment le serveur ; le CPU par opération, lui, ne dépend presque pas de la charge.',
    '- Les **ratios** comparent Sésame à un oidc-provider 9 nu (adaptateur mémoire, pas de hachage, `bench/bare-provider.ts`) mesuré dans la même exécution, et au temps d’un hachage argon2id mesuré ici avec les mêmes paramètres : ils restent comparables d’une machine à l’autre, les chiffres bruts non.',
    '- **CPU base ms/op** (PostgreSQL, et Redis s’il sert) : temps CPU de tous les processus `postgres` (et `redis-server`) de la machine pendant la mesure, divisé par le nombre d’opérations. Ces serveurs sont partagés avec les tests des autres : chiffre indicatif, majoré. Il n’entre pas dans les cibles, qui portent sur le processus Sésame comme pour oidc-provider nu (qui n’a pas de base).',
    '- Les cibles sont jugées à la concurrence 8. Pic RSS = VmHWM, remis à zéro avant chaque mesure.',
    `- **Bruit** : machine à ${r.machine.cpus} cœurs (${r.machine.model}), partagée avec d’autres personnes qui compilent et testent pendant la mesure (charge moyenne ${r.machine.loadBefore.map((l) => l.toFixed(1)).join(' / ')} au début, ${r.machine.loadAfter.map((l) => l.toFixed(1)).join(' / ')} à la fin). Les latences et débits sont bruités ; les CPU ms/op le sont moins. ${r.quick ? 'Exécution rapide : fenêtres courtes, chiffres indicatifs.' : ''}`,
    `- Code mesuré : commit ${r.version.commit}${r.version.modified.length ? `, plus des modifications en cours dans ${r.version.modified.map((f) => `\`${f}\``).join(', ')}` : ''}.`,
    `- Node ${r.machine.node}. Sésame tourne dans un processus à part (\`node --import tsx src/main.ts\`, LOG_LEVEL=warn, NODE_ENV=development pour que l’outbox SMS soit permise).`,
    '',
    '## Plafonds de la machine (même exécution)',
    '',
    '| mesure | CPU ms/op | par seconde (2 cœurs) |',
    '|---|---|---|',
    `| hachage argon2id (m=19456, t=2, p=1, @node-rs/argon2) | ${f2(r.ceilings.argon2.cpuMsPerOp)} | ${f1(r.ceilings.argon2.perSecond)} |`,
    `| signature RS256 (2048 bits, node:crypto) | ${f2(r.ceilings.rs256.cpuMsPerOp)} | ${f1(r.ceilings.rs256.perSecond)} (1 thread) |`,
    `| RSS de Sésame au repos | ${f1(r.idleRssMb)} Mo | |`,
    '',
    '## Cibles (issue 5)',
    '',
    '| cible | limite | mesuré | écart |',
    '|---|---|---|---|',
    ...r.goals.map((g) => `| ${g.met === undefined ? '◻' : g.met ? '✅' : '❌'} ${g.label} | ${g.target} | ${g.measured} | ${gap(g)} |`),
    '',
    '## Ratios (concurrence 8)',
    '',
    '| scénario | Sésame CPU ms/op | oidc-provider nu CPU ms/op | Sésame ÷ nu | (Sésame − nu) ÷ argon2id | p99 Sésame (ms) | p99 nu (ms) |',
    '|---|---|---|---|---|---|---|',
  );
  for (const s of OIDC_SCENARIOS) {
    const own = referenceRow(r.sesame[s]);
    const bare = referenceRow(r.bare[s]);
    if (!own) continue;
    const b = bare?.cpuMsPerOp ?? NaN;
    push(`| ${s} | ${f2(own.cpuMsPerOp)} | ${f2(b)} | ${f2(own.cpuMsPerOp / b)} | ${f2((own.cpuMsPerOp - b) / r.ceilings.argon2.cpuMsPerOp)} | ${f1(own.latency.p99)} | ${f1(bare?.latency.p99 ?? NaN)} |`);
  }
  const counted = OIDC_SCENARIOS.filter((s) => r.sqlCounts[s]);
  if (counted.length) {
    push(
      '',
      '**Travail demandé à PostgreSQL par opération** (moyenne de 20 opérations en série, d’après `pg_stat_database` de la base du banc ; chaque transaction est ici une requête, donc un aller-retour) :',
      '',
      '| scénario | transactions SQL | lignes lues | lignes écrites |',
      '|---|---|---|---|',
      ...counted.map((s) => `| ${s} | ${f1(r.sqlCounts[s]!.transactions)} | ${f1(r.sqlCounts[s]!.rowsRead)} | ${f1(r.sqlCounts[s]!.rowsWritten)} |`),
    );
  }
  push('', `![Débit et p99 selon la concurrence](${r.chartFile})`, '');

  for (const s of OIDC_SCENARIOS) {
    push(`## ${TITLES[s]}`, '');
    const unit = s === 'sign-in' ? 'parcours' : 'requêtes';
    const parts = s === 'sign-in' ? ['token'] : [];
    if (r.sesame[s]) push('**Sésame**', '', loadTable(r.sesame[s], unit, parts), '');
    if (r.bare[s]) push('**oidc-provider nu** (plafond de la bibliothèque)', '', loadTable(r.bare[s], unit, parts), '');
  }

  push('## Activation par SMS (transport outbox)', '');
  if ('rows' in r.activation) push(loadTable(r.activation.rows, 'parcours'), '');
  else push(r.activation.note, '');

  push('## Import de l’annuaire', '');
  if (r.imports.results.length) {
    push('| lignes | fichier (Mo) | durée (s) | lignes/s | CPU Sésame (s) | CPU base (s) | RSS avant (Mo) | pic RSS (Mo) | statut | résumé |', '|---|---|---|---|---|---|---|---|---|---|');
    for (const i of r.imports.results) {
      push(`| ${i.rows.toLocaleString('fr-FR')} | ${f1(i.fileMb)} | ${f1(i.seconds)} | ${Math.round(i.rowsPerSecond).toLocaleString('fr-FR')} | ${f1(i.serverCpuMs / 1000)} | ${f1((i.databaseCpuMs ?? NaN) / 1000)} | ${f1(i.rssBeforeMb)} | ${f1(i.peakRssMb)} | ${i.status} | \`${i.summary.slice(0, 160).replace(/[`|]/g, ' ')}\` |`);
    }
    push('');
  }
  if (r.imports.note) push(r.imports.note, '');

  push('## Où va le temps', '');
  if (!r.profiles.length) push('Aucune cible CPU ou latence manquée : pas de profil enregistré.', '');
  for (const p of r.profiles) {
    push(
      `### Profil CPU : ${p.scenario}`,
      '',
      `\`${p.file}\` (non versionné ; s’ouvre dans Chrome DevTools › Performance). Processus Sésame séparé lancé avec \`--cpu-prof\`, ` +
        `seuls les échantillons de la fenêtre du scénario comptent (${f1(p.summary.busyMs)} ms de thread principal occupé). ` +
        'Le hachage argon2id tourne sur les threads de libuv : il n’apparaît pas ici, seulement dans le CPU ms/op. ' +
        'Les échantillons de V8 couvrent le temps écoulé du thread principal : un `writev` (écriture sur une socket, vers PostgreSQL ou vers le client) ' +
        'compte aussi le temps passé à attendre son cœur quand l’écriture a réveillé un autre processus sur cette machine à 2 cœurs.',
      '',
      '| fonction (temps propre) | où | ms | part |',
      '|---|---|---|---|',
      ...p.summary.functions.map((h) => `| \`${h.name}\` | ${h.where} | ${f1(h.selfMs)} | ${(h.share * 100).toFixed(1)} % |`),
      '',
      '| paquet ou dossier | ms | part |',
      '|---|---|---|',
      ...p.summary.groups.map((h) => `| ${h.name} | ${f1(h.selfMs)} | ${(h.share * 100).toFixed(1)} % |`),
      '',
    );
  }
  return `${out.join('\n')}\n`;
}
