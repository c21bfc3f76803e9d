// An entry open in the editor changed on another device: take in the new
// version without losing what the person is typing. Field by field, what
// the person changed since the version the editor last loaded or saved
// stays; every other field takes the other device's. A field both changed
// keeps the person's, and is named so the window can say so (the other
// version stays in the entry's history). A save sends only the fields the
// person changed, so it never writes back a field another device changed
// meanwhile.

export interface Fields {
  title: string;
  body: string;
  mood: number | null;
  feelings: string[];
  tags: string[];
}

export const FIELD_NAMES: Record<keyof Fields, string> = {
  title: 'title',
  body: 'text',
  mood: 'mood',
  feelings: 'feelings',
  tags: 'tags',
};

const KEYS = Object.keys(FIELD_NAMES) as (keyof Fields)[];

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export function fieldsOf(e: Fields): Fields {
  return { title: e.title, body: e.body, mood: e.mood, feelings: [...e.feelings], tags: [...e.tags] };
}

export interface Merged {
  fields: Fields;
  /** Fields changed both here and there: the person's version was kept. */
  both: (keyof Fields)[];
}

/** Three-way merge of `mine` and `theirs`, both from `base`. */
export function merge(base: Fields, mine: Fields, theirs: Fields): Merged {
  const fields = fieldsOf(theirs);
  const both: (keyof Fields)[] = [];
  for (const key of KEYS) {
    if (same(mine[key], base[key])) continue;
    (fields as unknown as Record<string, unknown>)[key] = mine[key];
    if (!same(theirs[key], base[key]) && !same(theirs[key], mine[key])) both.push(key);
  }
  return { fields: fieldsOf(fields), both };
}

/** The fields of `mine` that differ from `base`: what a save sends. */
export function changes(base: Fields, mine: Fields): Partial<Fields> {
  const out: Record<string, unknown> = {};
  for (const key of KEYS) if (!same(mine[key], base[key])) out[key] = mine[key];
  return out as Partial<Fields>;
}
