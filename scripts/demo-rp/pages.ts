// The demo relying parties' screens, in French: the frame, the signed-out and signed-in home pages, the
// "Mes applications" launcher of I-Cart and the error page. Everything interpolated goes through `html`.
import { withFrenchTypography } from '../../src/http/typography.js';
import { html, type Markup } from './html.js';
import type { SignedInUser } from './sessions.js';

export interface RpIdentity {
  id: string;
  name: string;
  description: string;
  /** Other demo applications, listed on "Mes applications" (I-Cart only). */
  applications?: { name: string; description: string; url: string }[] | undefined;
}

export function frame(rp: RpIdentity, title: string, content: Markup): string {
  const nav = rp.applications
    ? html`<nav aria-label="Menu principal"><ul class="rp-nav"><li><a href="/">Accueil</a></li><li><a href="/applications">Mes applications</a></li></ul></nav>`
    : '';
  // The same French no-break spaces as Sésame's own pages (src/http/typography.ts): labels such as «Classe :».
  return withFrenchTypography(html`<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} – ${rp.name}</title>
<link rel="stylesheet" href="/static/demo-rp.css">
</head>
<body class="rp rp--${rp.id}">
<a class="skip-link" href="#contenu">Aller au contenu</a>
<header class="rp-header">
<p class="rp-brand"><a href="/">${rp.name}</a></p>
${nav}
</header>
<main id="contenu" tabindex="-1">
${content}
</main>
<footer class="rp-footer"><p>Application de démonstration de Sésame : aucune donnée réelle.</p></footer>
</body>
</html>
`.value);
}

export function signedOutHome(rp: RpIdentity): string {
  return frame(rp, 'Accueil', html`
<h1>${rp.name}</h1>
<p class="lead">${rp.description}</p>
<p class="status" id="etat">Vous n’êtes pas connecté.</p>
<p><a class="button" href="/login">Se connecter avec Sésame</a></p>`);
}

const IDENTITY_LABELS: [string, string][] = [
  ['name', 'Nom'],
  ['preferred_username', 'Identifiant'],
  ['email', 'Adresse électronique'],
  ['phone_number', 'Téléphone'],
  ['birthdate', 'Date de naissance'],
];

const SCHOOL_LABELS: [string, string][] = [
  ['FrEduCtPersonAffiliation', 'Profil'],
  ['FrEduCtEleveUAI', 'Établissement (UAI)'],
  ['FrEduCtEleveNiveau', 'Niveau'],
  ['classe', 'Classe'],
  ['enfants', 'Enfants'],
  ['ine', 'INE'],
];

/** Names for the keys found inside structured claims (a guardian's `enfants`); unknown keys show as they come. */
const NESTED_LABELS: Record<string, string> = {
  given_name: 'Prénom', family_name: 'Nom', etablissement: 'Établissement', FrEduCtEleveUAI: 'UAI',
  FrEduCtEleveNiveau: 'Niveau', classe: 'Classe', ine: 'INE', sub: 'Identifiant pour cette application',
};

/** Any claim value as readable markup: lists for arrays, "Libellé : valeur" for objects. */
function claimValue(value: unknown): Markup {
  if (Array.isArray(value)) return html`<ul>${value.map((v) => html`<li>${claimValue(v)}</li>`)}</ul>`;
  if (value && typeof value === 'object') {
    return html`${Object.entries(value).map(([k, v], i) => html`${i ? ', ' : ''}${NESTED_LABELS[k] ?? k} : ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)}`;
  }
  if (typeof value === 'boolean') return html`${value ? 'oui' : 'non'}`;
  return html`${String(value)}`;
}

function claimList(claims: Record<string, unknown>, labels: [string, string][]): Markup | undefined {
  const rows = labels.filter(([key]) => claims[key] !== undefined && claims[key] !== null);
  if (!rows.length) return undefined;
  return html`<dl class="claims">${rows.map(([key, label]) => html`<dt>${label}</dt><dd>${claimValue(claims[key])}</dd>`)}</dl>`;
}

export function signedInHome(rp: RpIdentity, user: SignedInUser): string {
  const c = user.claims;
  const name = [c.given_name, c.family_name].filter((v) => typeof v === 'string').join(' ') || String(c.preferred_username ?? user.sub);
  const school = claimList(c, SCHOOL_LABELS);
  return frame(rp, 'Accueil', html`
<h1>Bonjour ${name}</h1>
<p class="status" id="etat">Vous êtes connecté à ${rp.name} avec Sésame.</p>
<h2>Vos informations</h2>
${claimList({ ...c, name }, IDENTITY_LABELS)}
<h2>Scolarité</h2>
${school ?? html`<p>Sésame n’a transmis aucune information de scolarité pour l’instant.</p>`}
<details>
<summary>Toutes les informations reçues de Sésame</summary>
<pre>${JSON.stringify(c, null, 2)}</pre>
</details>
<form method="post" action="/logout">
<button class="button button--secondary" type="submit">Se déconnecter</button>
</form>`);
}

export function applicationsPage(rp: RpIdentity, signedIn: boolean): string {
  return frame(rp, 'Mes applications', html`
<h1>Mes applications</h1>
${signedIn ? '' : html`<p class="notice">Vous n’êtes pas encore connecté : chaque application vous demandera de vous connecter avec Sésame.</p>`}
<ul class="applications">
${(rp.applications ?? []).map((app) => html`<li><a class="application" href="${app.url}/login"><span class="application-name">${app.name}</span><span class="application-description">${app.description}</span></a></li>`)}
</ul>`);
}

export function errorPage(rp: RpIdentity, title: string, message: string, action: { href: string; label: string } = { href: '/', label: 'Revenir à l’accueil' }): string {
  return frame(rp, title, html`
<h1>${title}</h1>
<p class="error-message">${message}</p>
<p><a class="button" href="${action.href}">${action.label}</a></p>`);
}
