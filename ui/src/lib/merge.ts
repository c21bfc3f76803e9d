// An entry open in the editor changed on another device: take in the new
// version without losing what the person is typing. Field by field, what
// the person changed since the version the editor last loaded or saved
// stays; every other field takes the other device's. A field both changed
// keeps the person's, and is named so the window can say so (the other
// version stays in the entry's history).

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
  for (const key of Object.keys(FIELD_NAMES) as (keyof Fields)[]) {
    if (same(mine[key], base[key])) continue;
    (fields as unknown as Record<string, unknown>)[key] = mine[key];
    if (!same(theirs[key], base[key]) && !same(theirs[key], mine[key])) both.push(key);
  }
  return { fields: fieldsOf(fields), both };
}
