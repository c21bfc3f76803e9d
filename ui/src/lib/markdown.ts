// The editor's preview: Markdown rendered with raw HTML switched off, so an
// entry can never inject markup or script into the window. The renderer is
// loaded on first use, keeping it out of the start-up bundle.

export type Render = (source: string) => string;

let loading: Promise<Render> | null = null;

export function loadMarkdown(): Promise<Render> {
  loading ??= import('markdown-it').then(({ default: MarkdownIt }) => {
    const md = new MarkdownIt({ html: false, linkify: false, typographer: true, breaks: true });
    return (source: string) => md.render(source);
  });
  return loading;
}
