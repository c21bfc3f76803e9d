import { describe, expect, it } from 'vitest';
import { parseWords, toggleWord } from '../../src/lib/words';
import { throttle } from '../../src/lib/activity';
import { loadMarkdown } from '../../src/lib/markdown';

describe('words, activity and markdown', () => {
  it('parses tags as people type them', () => {
    expect(parseWords('#walk, river  Walk @home')).toEqual(['walk', 'river', 'home']);
    expect(parseWords('  ')).toEqual([]);
  });

  it('toggles a word ignoring case', () => {
    expect(toggleWord(['calm'], 'Calm')).toEqual([]);
    expect(toggleWord(['calm'], 'tired')).toEqual(['calm', 'tired']);
  });

  it('throttles activity reports', () => {
    let t = 0;
    let calls = 0;
    const f = throttle(() => calls++, 1000, () => t);
    f();
    f();
    t = 999;
    f();
    t = 1000;
    f();
    expect(calls).toBe(2);
  });

  it('renders Markdown without letting HTML through', async () => {
    const renderMarkdown = await loadMarkdown();
    const html = renderMarkdown('# Hi\n\n**bold** <script>alert(1)</script> [x](javascript:alert(1))');
    expect(html).toContain('<h1>Hi</h1>');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('href="javascript:');
  });
});
