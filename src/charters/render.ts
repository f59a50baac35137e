// Turns a charter's markdown into HTML for the charter screen. Raw HTML in the markdown is shown as text, never
// interpreted, and links can only point to ordinary web or mail addresses: the text comes from an operator's file,
// and it is shown in the middle of a sign-in.
import { createRequire } from 'node:module';
import type { default as MarkdownItConstructor, MarkdownIt } from 'markdown-it';

let configured: MarkdownIt | undefined;

/**
 * The renderer is made (and markdown-it loaded, through its CommonJS build so that rendering stays synchronous) by the
 * first charter shown, not at start: many instances never show a charter, and loading it at start cost idle memory
 * (docs/performance.md, «Idle memory»).
 */
function renderer(): MarkdownIt {
  if (configured) return configured;
  const Markdown = createRequire(import.meta.url)('markdown-it') as typeof MarkdownItConstructor;
  const markdown = new Markdown({ html: false, linkify: false, typographer: false, breaks: false });

  const SAFE_LINK = /^(https?:|mailto:)/i;
  // markdown-it already refuses javascript:, vbscript: and data: links; we narrow further to what a charter needs.
  const defaultValidate = markdown.validateLink.bind(markdown);
  markdown.validateLink = (url: string) => defaultValidate(url) && SAFE_LINK.test(url.trim());
  // Images would be fetched from anywhere by the person's browser (and are blocked by our CSP anyway): show no image.
  markdown.disable('image');

  // Links leave the sign-in: open them elsewhere, and without giving the other site a handle on this page.
  const defaultLinkOpen = markdown.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
  markdown.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    const token = tokens[idx]!;
    token.attrSet('rel', 'noopener noreferrer');
    token.attrSet('target', '_blank');
    return defaultLinkOpen(tokens, idx, options, env, self);
  };

  // The page has its own h1 («Charte d’utilisation»): the charter's headings move one level down, so there is one h1.
  markdown.core.ruler.push('shift_headings', (state) => {
    for (const token of state.tokens) {
      if (token.type === 'heading_open' || token.type === 'heading_close') token.tag = `h${Math.min(6, Number(token.tag.slice(1)) + 1)}`;
    }
    return true;
  });
  return (configured = markdown);
}

export function renderCharter(text: string): string {
  return renderer().render(text);
}
