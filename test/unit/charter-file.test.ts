// What `sesame charters add` accepts as a charter file and as a name, and how markdown becomes the charter screen.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readCharterFile } from '../../src/cli/commands/charters.js';
import { renderCharter } from '../../src/charters/render.js';
import { charterNameProblem } from '../../src/charters/rules.js';

describe('charter files', () => {
  let dir: string;
  const file = async (name: string, content: string | Buffer) => {
    const where = path.join(dir, name);
    await writeFile(where, content);
    return where;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sesame-charter-file-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test('a UTF-8 Markdown file is read as is, a byte order mark dropped', async () => {
    expect(await readCharterFile(await file('ok.md', '\ufeff# Charte\n\nÉlèves et « parents ».\n'))).toBe('# Charte\n\nÉlèves et « parents ».\n');
  });

  test.each([
    ['vide.md', '', /vide\.md: the charter is empty/],
    ['blancs.md', ' \n\n\t', /the charter is empty/],
    ['latin1.md', Buffer.from([0x43, 0x68, 0x61, 0x72, 0x74, 0xe9, 0x0a]), /latin1\.md is not UTF-8 text/],
    ['image.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]), /not UTF-8 text/],
    ['archive.zip', Buffer.from('PK\u0003\u0004\u0014\u0000\u0000\u0000'), /control characters: is it a text file\?/],
    ['enorme.md', 'a'.repeat(800_001), /enorme\.md is too large for a charter/],
    ['longue.md', 'é'.repeat(200_001), /longer than 200000 characters/],
  ])('%s is refused with one clear line', async (name, content, message) => {
    const where = await file(name, content);
    await expect(readCharterFile(where)).rejects.toThrow(message);
  });

  test('a missing file or a folder is refused with one clear line', async () => {
    await expect(readCharterFile(path.join(dir, 'absente.md'))).rejects.toThrow(/cannot read .*absente\.md \(ENOENT\)/);
    await expect(readCharterFile(dir)).rejects.toThrow(/is not a file|cannot read/);
  });

  test.each(['ent', 'charte-2026', 'cantine_v2', '1er-degre'])('%s is a charter name', (name) => {
    expect(charterNameProblem(name)).toBeUndefined();
  });

  test.each(['', 'ENT', '../ent', 'a b', '-ent', '<script>', 'ent\u0000', 'é', 'x'.repeat(64)])('%j is not a charter name', (name) => {
    expect(charterNameProblem(name)).toMatch(/lower-case letters/);
  });
});

describe('charter rendering', () => {
  test('raw HTML is shown as text, only web and mail links are links, headings sit below the page title', () => {
    const html = renderCharter('# Titre\n\n<img src=x onerror=alert(1)> [a](javascript:alert(1)) [b](data:text/html,x) [c](https://ent.example) ![d](https://traceur.example/p.png)');
    expect(html).toContain('<h2>Titre</h2>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toMatch(/<img|href="javascript|href="data/i);
    expect(html).toContain('<a href="https://ent.example" rel="noopener noreferrer" target="_blank">c</a>');
  });
});
