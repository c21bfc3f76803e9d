import { describe, expect, it } from 'vitest';
import { cleanWord, parseWords, toggleWord, wordProblem } from '../../src/lib/words';
import { throttle } from '../../src/lib/activity';
import { loadMarkdown } from '../../src/lib/markdown';

describe('words, activity and markdown', () => {
  it('parses tags as people type them: commas separate, spaces stay inside', () => {
    expect(parseWords('#walk, river, Walk,@home')).toEqual(['walk', 'river', 'home']);
    expect(parseWords('long   walk, rock & roll ,  #Example Tag')).toEqual(['long walk', 'rock & roll', 'Example Tag']);
    expect(parseWords('Long Walk, long walk')).toEqual(['Long Walk']);
    expect(parseWords('  ')).toEqual([]);
    expect(parseWords(' , ,')).toEqual([]);
    expect(cleanWord('  @@ a   b  ')).toEqual('a b');
  });

  it('checks tags by the core rule: letters, digits, spaces and - _ / \' . & +', () => {
    for (const ok of ['walk', 'long walk', "mum's", 'a/b', 'c++', 'v1.2', 'x_y-z', 'R&D', 'café', 'Привет', '東京', '२०२४']) {
      expect(wordProblem(ok), ok).toBeNull();
    }
    expect(wordProblem('50%')).toContain('“%”');
    expect(wordProblem('a,b')).toContain('“,”');
    expect(wordProblem('hi!', 'feeling')).toMatch(/^A feeling holds/);
    expect(wordProblem('x'.repeat(100))).toBeNull();
    expect(wordProblem('x'.repeat(101))).toContain('100 characters');
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
