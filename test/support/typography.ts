// French typography as a person would see it break (SCREENS.md): checks the text nodes of a page, independently of
// src/http/typography.ts, for a breakable space before `: ; ! ? »` or after `«`, and for a phone number that could
// be split. Every page the test Browser receives is checked (test/support/browser.ts), so every screen an HTTP test
// reaches is covered.

const PHONE = /(?:\+\d{2,3}\s\d|0\d)(?:\s(?:\d{2}|\*\*)){4}(?!\d)/g;

/** The text a browser lays out: tags dropped (inline ones join their neighbours), scripts and styles gone. */
function textNodes(html: string): string[] {
  return html
    .replace(/<(script|style|textarea|pre)\b[\s\S]*?<\/\1>/gi, '<x>')
    .replace(/<\/?(span|a|strong|em|abbr|code|b|i)\b[^>]*>/gi, '')
    .split(/<[^>]*>/)
    .map((t) => t.replace(/&nbsp;/g, '\u00A0').replace(/&#160;/g, '\u00A0').replace(/&#8239;/g, '\u202F'))
    .filter((t) => t.trim());
}

/** Every place where a line could break wrongly, quoted with its neighbours; empty when the page is right. */
export function typographyProblems(html: string): string[] {
  const problems: string[] = [];
  for (const text of textNodes(html)) {
    for (const m of text.matchAll(/[ \t\r\n]+[:;!?»]|«[ \t\r\n]/g)) problems.push(`breakable space: «${text.slice(Math.max(0, m.index - 20), m.index + 20)}»`);
    for (const m of text.matchAll(PHONE)) if (/[ \t\r\n]/.test(m[0])) problems.push(`breakable phone number: «${m[0]}»`);
  }
  return problems;
}

/** Throws with every problem listed: a page for people in French that breaks a line where it must not. */
export function expectFrenchTypography(html: string, where: string): void {
  if (!/<html lang="fr"/.test(html)) return;
  const problems = typographyProblems(html);
  if (problems.length) throw new Error(`French typography broken on ${where}:\n${problems.join('\n')}`);
}
