// Prints notification letters with pdfkit: one A4 page per account, with the service address, the children the
// account covers, the identifiant, the provisional password and its expiry, and the activation steps.
import { existsSync } from 'node:fs';
import type PDFKit from 'pdfkit';
import type { Letter } from './letters.js';

// A Unicode font when the system has one (names such as «Nguyễn» need it); pdfkit's Helvetica covers French only.
const FONT_CANDIDATES = [
  ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf', '/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf'],
  ['/usr/share/fonts/dejavu/DejaVuSans.ttf', '/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf', '/usr/share/fonts/dejavu/DejaVuSansMono.ttf'],
];

function fonts(): { regular: string; bold: string; mono: string } {
  const found = FONT_CANDIDATES.find((set) => set.every((f) => existsSync(f)));
  return found ? { regular: found[0]!, bold: found[1]!, mono: found[2]! } : { regular: 'Helvetica', bold: 'Helvetica-Bold', mono: 'Courier-Bold' };
}

const frenchDate = (d: Date) => d.toLocaleDateString('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Paris' });

function steps(letter: Letter): string[] {
  const guardian = letter.kind === 'responsable';
  return [
    'Ouvrez l’adresse ci-dessus et choisissez « ' + (guardian ? 'Parent ou responsable légal' : 'Élève') + ' ».',
    'Saisissez votre identifiant et le mot de passe provisoire de cette lettre.',
    'Choisissez votre mot de passe personnel (au moins 12 caractères, ou 8 avec trois types de caractères).',
    guardian ? 'Indiquez votre adresse e-mail (obligatoire).' : 'Indiquez une adresse e-mail si vous le souhaitez (facultatif).',
    guardian ? 'Confirmez votre identité avec la date de naissance de l’enfant affiché à l’écran.' : 'Confirmez votre identité avec votre date de naissance.',
    guardian ? 'Cliquez sur le lien reçu par e-mail : votre compte est activé.' : 'Votre compte est activé (si vous avez donné un e-mail, cliquez sur le lien reçu).',
  ];
}

export async function renderLettersPdf(letters: Letter[], options: { serviceUrl: string; schoolName: string }): Promise<Buffer> {
  // pdfkit weighs ~30 MB of memory: loaded when letters are printed, not at every start.
  const { default: PDFDocument }: { default: typeof PDFKit } = await import('pdfkit');
  const f = fonts();
  const doc = new PDFDocument({ size: 'A4', margin: 56, autoFirstPage: false, info: { Title: `Sésame — lettres de ${options.schoolName}`, Author: 'Sésame' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  for (const letter of letters) {
    doc.addPage();
    doc.font(f.bold).fontSize(18).text('Votre compte Sésame');
    doc.font(f.regular).fontSize(10).fillColor('#444').text(options.schoolName).fillColor('black').moveDown();
    const who = letter.kind === 'responsable' ? [letter.civilite, letter.givenName, letter.familyName].filter(Boolean).join(' ') : `${letter.givenName} ${letter.familyName}`;
    doc.fontSize(12).text(`À l’attention de ${who}`).moveDown();
    doc.text(
      letter.kind === 'responsable'
        ? 'Ce compte vous donne accès aux services numériques de l’école pour les enfants suivants :'
        : 'Ce compte vous donne accès aux services numériques de votre établissement :',
    );
    for (const c of letter.children) {
      doc.text(`•  ${c.givenName} ${c.familyName}${c.className ? ` (${c.className})` : ''} — ${c.schoolName}`, { indent: 12 });
    }
    doc.moveDown();
    doc.font(f.bold).text('Adresse du service : ', { continued: true }).font(f.regular).text(options.serviceUrl);
    doc.moveDown(0.5);
    doc.font(f.bold).text('Identifiant : ', { continued: true }).font(f.mono).fontSize(14).text(letter.identifiant);
    doc.font(f.bold).fontSize(12).text('Mot de passe provisoire : ', { continued: true }).font(f.mono).fontSize(14).text(letter.password);
    doc.font(f.regular).fontSize(10).text(`Valable jusqu’au ${frenchDate(letter.expiresAt)}. Il ne sert qu’une fois : vous choisirez ensuite le vôtre.`);
    doc.moveDown();
    doc.font(f.bold).fontSize(12).text('Pour activer votre compte');
    doc.font(f.regular).fontSize(11);
    steps(letter).forEach((s, i) => doc.text(`${i + 1}. ${s}`, { indent: 12 }));
    doc.moveDown();
    doc.fontSize(9).fillColor('#444').text(
      'Gardez cette lettre en lieu sûr et ne communiquez ce mot de passe à personne : aucun service ne vous le demandera par téléphone ou par e-mail. En cas de difficulté, contactez le secrétariat de l’établissement.',
    ).fillColor('black');
  }
  doc.end();
  return done;
}
