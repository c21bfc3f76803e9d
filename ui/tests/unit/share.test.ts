import { describe, expect, it } from 'vitest';
import {
  SUPPORTS,
  WARNING_MAX,
  byline,
  checkWarning,
  endLine,
  replyLine,
  sharedLine,
  supportWords,
  takeFeed,
  unsharedLine,
  warningOf,
  withReply,
} from '../../src/lib/share';
import type { Reply } from '../../src/lib/bindings/Reply';
import type { SharedEntry } from '../../src/lib/bindings/SharedEntry';

const entry = (id: string, over: Partial<SharedEntry> = {}): SharedEntry => ({
  id,
  circle: 'ab'.repeat(16),
  author: 'Sage',
  you: false,
  entry: null,
  title: id,
  body: 'words',
  warning: null,
  tags: [],
  mood: null,
  feelings: [],
  attachments: [],
  arriving: [],
  written_at: '2026-03-01T10:00:00Z',
  shared_at: '2026-03-01T10:00:00Z',
  new: true,
  replies: [],
  ...over,
});

const reply = (over: Partial<Reply> = {}): Reply => ({
  id: '0123456789abcdef',
  author: 'Rowan',
  you: false,
  at: '2026-03-02T10:00:00Z',
  text: null,
  support: null,
  ...over,
});

describe('supportive responses', () => {
  it('are the core’s four, in its order and words', () => {
    expect(SUPPORTS.map((s) => s.value)).toEqual(['hear-you', 'thinking-of-you', 'here-for-you', 'proud-of-you']);
    expect(SUPPORTS.map((s) => s.words)).toEqual(['I hear you', 'Thinking of you', 'Here if you need me', 'Proud of you']);
    expect(supportWords('here-for-you')).toBe('Here if you need me');
  });
});

describe('a content warning', () => {
  it('is optional, one line, and at most 100 bytes after trimming', () => {
    expect(checkWarning('')).toBeNull();
    expect(checkWarning('  grief  ')).toBeNull();
    expect(checkWarning(' ' + 'x'.repeat(WARNING_MAX) + ' ')).toBeNull();
    expect(checkWarning('x'.repeat(WARNING_MAX + 1))).toMatch(/^The content warning is 101 bytes; it may hold 100/);
    expect(checkWarning('é'.repeat(51))).toMatch(/is 102 bytes/);
    expect(checkWarning('one\ntwo')).toBe('A content warning is one line.');
  });

  it('is sent trimmed, or as none', () => {
    expect(warningOf('  grief ')).toBe('grief');
    expect(warningOf('   ')).toBeNull();
  });
});

describe('how the feed reads', () => {
  it('names the person as “You” and says a response in its words', () => {
    expect(replyLine(reply({ support: 'thinking-of-you' }))).toEqual({ who: 'Rowan', said: 'Thinking of you' });
    expect(replyLine(reply({ you: true, author: 'Fern', text: 'Sending strength.' }))).toEqual({
      who: 'You',
      said: 'Sending strength.',
    });
    expect(byline(entry('a'))).toBe('Sage');
    expect(byline(entry('a', { you: true, author: 'Fern' }))).toBe('You');
  });

  it('ends with a line saying that is everything', () => {
    expect(endLine(true, false)).toBe('That is everything new since your last visit.');
    expect(endLine(true, true)).toBe('Nothing new since your last visit.');
    expect(endLine(false, false)).toBe('That is everything shared with this circle.');
    expect(endLine(false, true)).toBe('Nothing is shared with this circle yet.');
  });

  it('says what sharing and stopping did, and that what was received stays', () => {
    expect(sharedLine('Walkers', null)).toMatch(/^Shared with “Walkers”\. /);
    expect(sharedLine('Walkers', 'grief')).toMatch(/^Shared with “Walkers” behind the content warning “grief”\. /);
    expect(unsharedLine('Walkers')).toContain('what they already received cannot be recalled');
  });
});

describe('taking a fresh feed in', () => {
  it('replaces everything when showing everything', () => {
    expect(takeFeed([entry('a'), entry('b')], [entry('c')], false).map((e) => e.id)).toEqual(['c']);
  });

  it('keeps what is on screen when showing what is new, replacing and adding', () => {
    const shown = [entry('a'), entry('b', { title: 'old' })];
    const fresh = [entry('c'), entry('b', { title: 'new' })];
    const now = takeFeed(shown, fresh, true);
    expect(now.map((e) => [e.id, e.title])).toEqual([
      ['c', 'c'],
      ['a', 'a'],
      ['b', 'new'],
    ]);
    expect(takeFeed(shown, [], true)).toEqual(shown);
  });

  it('adds a reply at the end of its entry’s thread only', () => {
    const r = reply({ you: true, text: 'Thank you.' });
    const now = withReply([entry('a', { replies: [reply()] }), entry('b')], 'a', r);
    expect(now[0].replies).toEqual([reply(), r]);
    expect(now[1].replies).toEqual([]);
  });
});
