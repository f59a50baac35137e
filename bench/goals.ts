// The targets of issue 5, checked against one run's figures: met, missed, or not measurable, and by how much.
import type { Ceiling } from './ceilings.js';
import type { ImportResult } from './import-scenario.js';
import type { LoadResult } from './load.js';
import type { OidcResults, OidcScenario } from './oidc-scenarios.js';
import type { StoreMode } from './targets.js';

export interface Goal {
  label: string;
  target: string;
  measured: string;
  /** undefined: not measurable in this run. */
  met: boolean | undefined;
  /** Measured ÷ limit (1 = exactly at the limit), when it makes sense. */
  ratio?: number;
  /** The scenario to profile when missed. */
  scenario?: OidcScenario;
}

export interface GoalInputs {
  mode: StoreMode;
  argon2: Ceiling;
  sesame: Partial<OidcResults>;
  bare: Partial<OidcResults>;
  imports: ImportResult[];
  idleRssMb: number;
  activation: LoadResult[] | undefined;
}

/** The row the targets are judged on: concurrency 8 (or the nearest measured). */
export function referenceRow(rows: LoadResult[] | undefined): LoadResult | undefined {
  if (!rows?.length) return undefined;
  return rows.find((r) => r.concurrency === 8) ?? rows[Math.floor(rows.length / 2)];
}

const ms = (v: number) => `${v.toFixed(2)} ms`;

function cpuGoal(label: string, scenario: OidcScenario, own: LoadResult | undefined, limit: number | undefined, limitText: string): Goal {
  if (!own || limit === undefined || !Number.isFinite(own.cpuMsPerOp) || !Number.isFinite(limit)) {
    return { label, target: limitText, measured: 'non mesuré', met: undefined, scenario };
  }
  const ratio = own.cpuMsPerOp / limit;
  return { label, target: `${limitText} = ${ms(limit)}`, measured: ms(own.cpuMsPerOp), met: ratio <= 1, ratio, scenario };
}

export function checkGoals(input: GoalInputs): Goal[] {
  const goals: Goal[] = [];
  const own = (s: OidcScenario) => referenceRow(input.sesame[s]);
  const bare = (s: OidcScenario) => referenceRow(input.bare[s])?.cpuMsPerOp;

  const bareFlow = bare('sign-in');
  goals.push(
    cpuGoal(
      'Connexion complète : CPU serveur par parcours',
      'sign-in',
      own('sign-in'),
      bareFlow === undefined ? undefined : input.argon2.cpuMsPerOp + 2 * bareFlow,
      `≤ 1 hachage argon2id (${ms(input.argon2.cpuMsPerOp)}) + 2 × oidc-provider nu (${bareFlow === undefined ? '?' : ms(bareFlow)})`,
    ),
  );
  const flow8 = own('sign-in');
  goals.push({
    label: `Connexion complète : p99 à concurrence ${flow8?.concurrency ?? 8}`,
    target: '< 250 ms',
    measured: flow8 ? ms(flow8.latency.p99) : 'non mesuré',
    met: flow8 ? flow8.latency.p99 < 250 : undefined,
    ...(flow8 ? { ratio: flow8.latency.p99 / 250 } : {}),
    scenario: 'sign-in',
  });
  for (const [scenario, label] of [['refresh', 'Rafraîchissement'], ['userinfo', 'Userinfo'], ['introspection', 'Introspection']] as const) {
    const b = bare(scenario);
    const goal = cpuGoal(`${label} : CPU serveur par requête`, scenario, own(scenario), b === undefined ? undefined : 2 * b, `≤ 2 × oidc-provider nu (${b === undefined ? '?' : ms(b)})`);
    if (scenario === 'refresh' && input.mode === 'embedded') goal.label += ' (cible fixée pour PostgreSQL)';
    goals.push(goal);
  }

  const biggest = [...input.imports].sort((a, b) => b.rows - a.rows)[0];
  const smallest = [...input.imports].sort((a, b) => a.rows - b.rows)[0];
  goals.push({
    label: `Import : lignes/s${input.mode === 'embedded' ? ' (cible fixée pour PostgreSQL)' : ''}`,
    target: '≥ 20 000 lignes/s',
    measured: biggest ? `${Math.round(biggest.rowsPerSecond).toLocaleString('fr-FR')} lignes/s (${biggest.rows.toLocaleString('fr-FR')} lignes)` : 'non mesuré',
    met: biggest ? biggest.rowsPerSecond >= 20_000 : undefined,
    ...(biggest ? { ratio: 20_000 / biggest.rowsPerSecond } : {}),
  });
  const flat = biggest && smallest && biggest !== smallest;
  goals.push({
    label: 'Import : mémoire indépendante de la taille du fichier',
    target: 'pic du plus gros fichier ≤ pic du plus petit + 50 Mo',
    measured: flat ? `${biggest.peakRssMb.toFixed(0)} Mo (${biggest.rows.toLocaleString('fr-FR')} lignes) contre ${smallest.peakRssMb.toFixed(0)} Mo (${smallest.rows.toLocaleString('fr-FR')})` : 'une seule taille mesurée',
    met: flat ? biggest.peakRssMb <= smallest.peakRssMb + 50 : undefined,
  });

  goals.push({
    label: 'Mémoire au repos (RSS)',
    target: '< 150 Mo',
    measured: `${input.idleRssMb.toFixed(0)} Mo`,
    met: input.idleRssMb < 150,
    ratio: input.idleRssMb / 150,
  });
  const loaded = [...Object.values(input.sesame).flat(), ...(input.activation ?? [])].map((r) => r.peakRssMb);
  const peak = Math.max(...loaded, ...input.imports.map((i) => i.peakRssMb));
  goals.push({
    label: 'Mémoire sous charge (pic RSS)',
    target: '< 300 Mo',
    measured: Number.isFinite(peak) ? `${peak.toFixed(0)} Mo` : 'non mesuré',
    met: Number.isFinite(peak) ? peak < 300 : undefined,
    ...(Number.isFinite(peak) ? { ratio: peak / 300 } : {}),
  });
  return goals;
}
