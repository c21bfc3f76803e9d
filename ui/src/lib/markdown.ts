// The editor's preview: Markdown rendered with raw HTML switched off, so an
// entry can never inject markup or script into the window. The renderer is
// loaded on first use, keeping it out of the start-up bundle.
//
// A photo in an entry, `![caption](attachment:ID)`, is shown in place from
// the shell's hearth-file scheme, inside a button that opens it large; a
// link to a file, `[name](attachment:ID)`, is marked so a click can offer
// to save it. A photo whose bytes have not reached this device yet (an
// entry shared with a circle: `arriving`, by id, with its name) is a line
// saying it comes with the next sync instead. Any other image keeps
// markdown-it's rendering (the content security policy lets no remote
// picture load).

import { arrivingLine, fileSrc, isAttachmentId } from './files';

export type Render = (source: string, arriving?: ReadonlyMap<string, string>) => string;

let loading: Promise<Render> | null = null;

const ATTACHMENT = /^attachment:([0-9a-fA-F]{64})$/;

export function loadMarkdown(): Promise<Render> {
  loading ??= import('markdown-it').then(({ default: MarkdownIt }) => {
    const md = new MarkdownIt({ html: false, linkify: false, typographer: true, breaks: true });
    const esc = md.utils.escapeHtml;
    const image = md.renderer.rules.image!;
    md.renderer.rules.image = (tokens, idx, options, env, self) => {
      const token = tokens[idx];
      const id = ATTACHMENT.exec(String(token.attrGet('src') ?? ''))?.[1]?.toLowerCase();
      if (!id || !isAttachmentId(id)) return image(tokens, idx, options, env, self);
      const caption = self.renderInlineAsText(token.children ?? [], options, env);
      const arriving = (env as { arriving?: ReadonlyMap<string, string> }).arriving?.get(id);
      if (arriving !== undefined) return `<span class="arriving">${esc(arrivingLine(arriving || caption))}</span>`;
      const label = caption ? `Open photo: ${caption}` : 'Open photo';
      return (
        `<button type="button" class="photo" data-attachment="${id}" aria-label="${esc(label)}">` +
        `<img src="${esc(fileSrc(id))}" alt="${esc(caption)}" loading="lazy" decoding="async"></button>`
      );
    };
    const linkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
    md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
      const token = tokens[idx];
      const id = ATTACHMENT.exec(String(token.attrGet('href') ?? ''))?.[1]?.toLowerCase();
      if (id) {
        token.attrSet('data-attachment', id);
        token.attrSet('class', 'file-link');
      }
      return linkOpen(tokens, idx, options, env, self);
    };
    return (source: string, arriving?: ReadonlyMap<string, string>) => md.render(source, { arriving });
  });
  return loading;
}
