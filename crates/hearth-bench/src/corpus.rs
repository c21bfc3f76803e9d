//! A deterministic generator of realistic journal entries.
//!
//! Sentences are built from templates whose slots (subject, verb, noun, …)
//! are filled from word lists of ordinary English words, drawn with Zipf-like
//! weights so that a few words are very common and most are not, as in real
//! writing. A separate list of rare words is mixed in now and then so that
//! "rare word" searches match a handful of entries. Everything comes from a
//! seeded SplitMix64 generator, so a seed always gives the same journal.

use chrono::{DateTime, Duration, TimeZone, Utc};

/// SplitMix64: small, fast, and stable across versions of everything.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn choose<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const SUBJECTS: &[&str] = &[
    "I",
    "we",
    "she",
    "he",
    "they",
    "my sister",
    "my brother",
    "my mother",
    "my father",
    "Sam",
    "Anna",
    "the kids",
    "our neighbour",
    "my friend",
    "everyone",
    "Tom",
    "Priya",
];

const VERBS: &[&str] = &[
    "walked to",
    "cooked",
    "read",
    "wrote",
    "talked about",
    "visited",
    "cleaned",
    "finished",
    "started",
    "watched",
    "called",
    "found",
    "made",
    "took",
    "bought",
    "fixed",
    "planted",
    "painted",
    "baked",
    "carried",
    "met",
    "helped with",
    "forgot",
    "remembered",
    "noticed",
    "planned",
    "missed",
    "tried",
    "lost",
    "opened",
    "packed",
    "washed",
    "sorted",
    "shared",
    "answered",
    "practised",
    "drove past",
    "learned about",
    "heard",
    "enjoyed",
    "ordered",
    "moved",
    "played",
    "fed",
    "borrowed",
    "returned",
    "followed",
    "crossed",
    "climbed",
    "repaired",
    "tidied",
    "folded",
    "wrapped",
    "collected",
    "picked up",
    "dropped off",
    "worked on",
    "worried about",
    "described",
    "chose",
    "counted",
    "checked",
    "photographed",
    "sketched",
    "measured",
    "explored",
    "prepared",
    "tasted",
    "sent",
    "received",
    "printed",
    "admired",
    "ignored",
    "rearranged",
];

const NOUNS: &[&str] = &[
    "morning",
    "coffee",
    "garden",
    "kitchen",
    "evening",
    "book",
    "walk",
    "dinner",
    "friend",
    "rain",
    "office",
    "project",
    "meeting",
    "letter",
    "window",
    "train",
    "river",
    "park",
    "dog",
    "bread",
    "soup",
    "market",
    "email",
    "phone",
    "neighbour",
    "afternoon",
    "sun",
    "snow",
    "wind",
    "cloud",
    "bike",
    "car",
    "street",
    "shop",
    "library",
    "school",
    "class",
    "lesson",
    "piano",
    "guitar",
    "song",
    "film",
    "lunch",
    "breakfast",
    "plan",
    "idea",
    "dream",
    "problem",
    "question",
    "answer",
    "report",
    "deadline",
    "weekend",
    "holiday",
    "trip",
    "beach",
    "hill",
    "forest",
    "field",
    "bridge",
    "city",
    "village",
    "house",
    "room",
    "desk",
    "chair",
    "table",
    "lamp",
    "bed",
    "blanket",
    "jacket",
    "boots",
    "umbrella",
    "bag",
    "key",
    "map",
    "list",
    "notebook",
    "photo",
    "camera",
    "picture",
    "flower",
    "tree",
    "leaf",
    "bird",
    "apple",
    "orange",
    "cake",
    "pie",
    "pasta",
    "rice",
    "salad",
    "cheese",
    "water",
    "glass",
    "cup",
    "plate",
    "bottle",
    "world",
    "work",
    "words",
    "budget",
    "recipe",
    "playlist",
    "podcast",
    "newspaper",
    "puzzle",
    "candle",
    "fence",
    "door",
    "stairs",
    "roof",
    "yard",
    "pond",
    "path",
    "station",
    "platform",
    "ticket",
    "queue",
    "pharmacy",
    "bakery",
    "cafe",
    "museum",
    "gallery",
    "concert",
    "game",
    "match",
    "team",
    "coach",
    "doctor",
    "dentist",
    "appointment",
    "parcel",
    "laundry",
    "dishes",
    "groceries",
    "vegetables",
    "tomatoes",
    "potatoes",
    "onions",
    "cat",
    "bus",
    "sky",
    "moon",
    "storm",
    "hospital",
    "birthday",
    "wedding",
    "party",
    "gift",
    "sweater",
    "scarf",
    "mirror",
    "shelf",
    "drawer",
    "couch",
    "radio",
    "clock",
    "calendar",
];

const RARE_NOUNS: &[&str] = &[
    "harmonica",
    "lighthouse",
    "marmalade",
    "telescope",
    "origami",
    "kayak",
    "accordion",
    "quince",
    "zeppelin",
    "tortoise",
    "hammock",
    "sundial",
    "anchovies",
    "sextant",
    "dulcimer",
    "gazebo",
    "pelican",
    "thimble",
    "pagoda",
    "walrus",
    "xylophone",
    "yurt",
    "kaleidoscope",
    "metronome",
    "porcupine",
    "saffron",
    "tambourine",
    "abacus",
    "barometer",
    "gondola",
    "hedgehog",
    "igloo",
    "jukebox",
    "ukulele",
    "windmill",
    "zucchini",
    "armadillo",
    "bagpipes",
    "catamaran",
    "dirigible",
];

const ADJECTIVES: &[&str] = &[
    "quiet",
    "long",
    "busy",
    "warm",
    "cold",
    "bright",
    "small",
    "old",
    "new",
    "slow",
    "quick",
    "big",
    "dark",
    "green",
    "blue",
    "soft",
    "loud",
    "early",
    "late",
    "calm",
    "strange",
    "lovely",
    "heavy",
    "fresh",
    "simple",
    "difficult",
    "easy",
    "good",
    "kind",
    "gentle",
    "empty",
    "full",
    "clean",
    "messy",
    "sunny",
    "rainy",
    "grey",
    "golden",
    "little",
    "wonderful",
    "awkward",
    "peaceful",
    "noisy",
    "crowded",
    "cosy",
    "careful",
    "honest",
    "worn",
    "worthwhile",
    "ordinary",
    "familiar",
    "unexpected",
];

const ADVERBS: &[&str] = &[
    "again",
    "slowly",
    "finally",
    "together",
    "quickly",
    "carefully",
    "quietly",
    "properly",
    "happily",
    "eventually",
    "twice",
    "briefly",
    "patiently",
    "gladly",
];

const PREPOSITIONS: &[&str] = &[
    "in", "on", "at", "with", "near", "after", "before", "around", "through", "across", "under",
    "behind", "into", "from", "beside", "past", "along",
];

const DETERMINERS: &[&str] = &[
    "the", "a", "my", "our", "this", "that", "some", "her", "his", "their", "every",
];

const CONJUNCTIONS: &[&str] = &["and", "but", "so", "because", "while", "then", "although"];

const TIMES: &[&str] = &[
    "this morning",
    "after lunch",
    "in the evening",
    "before bed",
    "on the way home",
    "at the weekend",
    "later",
    "today",
    "yesterday",
    "tonight",
    "after work",
    "before breakfast",
    "around noon",
    "in the afternoon",
    "last night",
];

/// Sentence templates: one letter per slot, `=word` for a literal, `,` for a
/// comma after the previous word.
const SENTENCES: &[&str] = &[
    "S V D A N R D N",
    "T , S V D N",
    "S V D N , C S V B",
    "D A N V B R D N",
    "S V R D N C S V D A N",
    "S V D N B T",
    "=it =was D A N , C S V D N",
    "S =felt A C S V D N",
    "D N =was A T",
    "S V D N =and D N R D A N",
    "=there =was D A N R D N",
    "S =kept =thinking =about D N",
    "T S V D A N , =which =was A",
    "S V B R D N",
];

const TITLES: &[&str] = &[
    "A N",
    "D N R D N",
    "N =and N",
    "=a A N",
    "N T",
    "=notes =on D N",
    "A N , A N",
];

/// Tags, feelings: kept apart from the body vocabulary.
pub const TAGS: &[&str] = &[
    "work",
    "family",
    "health",
    "reading",
    "travel",
    "cooking",
    "running",
    "music",
    "friends",
    "ideas",
    "sleep",
    "money",
    "kids",
    "home",
    "writing",
    "gratitude",
    "therapy",
    "plants",
    "weekend",
    "journal",
];

pub const FEELINGS: &[&str] = &[
    "calm", "anxious", "grateful", "tired", "content", "hopeful", "restless", "proud", "sad",
    "excited", "lonely", "relaxed", "stressed", "curious", "happy",
];

/// A word list with Zipf-like weights (the first word is the most common).
struct Weighted {
    words: &'static [&'static str],
    cumulative: Vec<f64>,
}

impl Weighted {
    fn new(words: &'static [&'static str], exponent: f64) -> Self {
        let mut total = 0.0;
        let cumulative = (0..words.len())
            .map(|i| {
                total += 1.0 / ((i + 1) as f64).powf(exponent);
                total
            })
            .collect();
        Self { words, cumulative }
    }

    fn pick(&self, rng: &mut Rng) -> &'static str {
        let total = self.cumulative.last().copied().unwrap_or(1.0);
        let x = rng.unit() * total;
        let i = self.cumulative.partition_point(|&c| c <= x);
        self.words[i.min(self.words.len() - 1)]
    }
}

/// One generated entry.
#[derive(Debug, Clone)]
pub struct GenEntry {
    pub title: String,
    pub body: String,
    pub mood: Option<u8>,
    pub feelings: Vec<String>,
    pub tags: Vec<String>,
    pub starred: bool,
    pub created_at: DateTime<Utc>,
}

pub struct Generator {
    rng: Rng,
    subjects: Weighted,
    verbs: Weighted,
    nouns: Weighted,
    adjectives: Weighted,
    adverbs: Weighted,
    prepositions: Weighted,
    determiners: Weighted,
    conjunctions: Weighted,
    times: Weighted,
    tags: Weighted,
    feelings: Weighted,
}

/// How often a noun slot takes a rare word.
const RARE_CHANCE: f64 = 0.004;

impl Generator {
    pub fn new(seed: u64) -> Self {
        Self {
            rng: Rng::new(seed),
            subjects: Weighted::new(SUBJECTS, 1.2),
            verbs: Weighted::new(VERBS, 0.9),
            nouns: Weighted::new(NOUNS, 1.0),
            adjectives: Weighted::new(ADJECTIVES, 1.0),
            adverbs: Weighted::new(ADVERBS, 0.8),
            prepositions: Weighted::new(PREPOSITIONS, 0.8),
            determiners: Weighted::new(DETERMINERS, 1.0),
            conjunctions: Weighted::new(CONJUNCTIONS, 0.8),
            times: Weighted::new(TIMES, 0.7),
            tags: Weighted::new(TAGS, 0.9),
            feelings: Weighted::new(FEELINGS, 0.8),
        }
    }

    pub fn rng(&mut self) -> &mut Rng {
        &mut self.rng
    }

    fn fill(&mut self, template: &str) -> Vec<String> {
        let mut words: Vec<String> = Vec::new();
        for slot in template.split(' ') {
            let w = match slot {
                "," => {
                    if let Some(last) = words.last_mut() {
                        last.push(',');
                    }
                    continue;
                }
                "S" => self.subjects.pick(&mut self.rng),
                "V" => self.verbs.pick(&mut self.rng),
                "N" if self.rng.chance(RARE_CHANCE) => self.rng.choose(RARE_NOUNS),
                "N" => self.nouns.pick(&mut self.rng),
                "A" => self.adjectives.pick(&mut self.rng),
                "B" => self.adverbs.pick(&mut self.rng),
                "R" => self.prepositions.pick(&mut self.rng),
                "D" => self.determiners.pick(&mut self.rng),
                "C" => self.conjunctions.pick(&mut self.rng),
                "T" => self.times.pick(&mut self.rng),
                lit => lit.trim_start_matches('='),
            };
            words.extend(w.split(' ').map(str::to_string));
        }
        // "a" before a vowel.
        for i in 1..words.len() {
            if words[i - 1] == "a" && words[i].starts_with(['a', 'e', 'i', 'o', 'u']) {
                words[i - 1] = "an".to_string();
            }
        }
        words
    }

    fn sentence(&mut self) -> Vec<String> {
        let t = self.rng.choose(SENTENCES);
        let mut words = self.fill(t);
        capitalize(&mut words);
        if let Some(last) = words.last_mut() {
            let end = if self.rng.chance(0.06) { "!" } else { "." };
            last.push_str(end);
        }
        words
    }

    /// A body of about `target` words in a few paragraphs.
    pub fn body(&mut self, target: usize) -> String {
        let mut out = String::new();
        let mut count = 0;
        let mut in_paragraph = 0;
        while count < target {
            let words = self.sentence();
            count += words.len();
            if !out.is_empty() {
                if in_paragraph >= 2 && self.rng.chance(0.3) {
                    out.push_str("\n\n");
                    in_paragraph = 0;
                } else {
                    out.push(' ');
                }
            }
            out.push_str(&words.join(" "));
            in_paragraph += 1;
        }
        out
    }

    pub fn title(&mut self) -> String {
        let t = self.rng.choose(TITLES);
        let mut words = self.fill(t);
        capitalize(&mut words);
        words.join(" ")
    }

    /// Tags, feelings, mood, star: everything but title, body and time.
    fn extras(&mut self) -> (Option<u8>, Vec<String>, Vec<String>, bool) {
        let mood = if self.rng.chance(0.85) {
            // Mostly 3 and 4, as people report.
            const MOODS: [u8; 10] = [1, 2, 2, 3, 3, 3, 4, 4, 4, 5];
            Some(MOODS[self.rng.below(MOODS.len())])
        } else {
            None
        };
        let n_feelings = [0, 1, 1, 2, 2, 3][self.rng.below(6)];
        let feelings = distinct(&mut self.rng, &self.feelings, n_feelings);
        let n_tags = [0, 1, 1, 1, 2, 2, 3][self.rng.below(7)];
        let tags = distinct(&mut self.rng, &self.tags, n_tags);
        let starred = self.rng.chance(0.05);
        (mood, feelings, tags, starred)
    }

    pub fn entry(&mut self, created_at: DateTime<Utc>, words: usize) -> GenEntry {
        let title = self.title();
        let body = self.body(words);
        let (mood, feelings, tags, starred) = self.extras();
        GenEntry {
            title,
            body,
            mood,
            feelings,
            tags,
            starred,
            created_at,
        }
    }
}

fn distinct(rng: &mut Rng, list: &Weighted, n: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut tries = 0;
    while out.len() < n && tries < 20 {
        let w = list.pick(rng);
        if !out.iter().any(|o| o == w) {
            out.push(w.to_string());
        }
        tries += 1;
    }
    out
}

fn capitalize(words: &mut [String]) {
    if let Some(first) = words.first_mut() {
        let mut c = first.chars();
        if let Some(f) = c.next() {
            *first = f.to_uppercase().chain(c).collect();
        }
    }
}

/// `n` entries of about `words` words each, spread over three years
/// (2022–2024), oldest first, at whole seconds between 07:00 and 23:59 UTC.
pub fn journal(seed: u64, n: usize, words: usize) -> Vec<GenEntry> {
    let mut g = Generator::new(seed);
    let start = Utc
        .with_ymd_and_hms(2022, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    let days = 3 * 365;
    let mut times: Vec<DateTime<Utc>> = (0..n)
        .map(|_| {
            let day = g.rng.below(days) as i64;
            let secs = g.rng.range(7 * 3600, 24 * 3600 - 1) as i64;
            start + Duration::days(day) + Duration::seconds(secs)
        })
        .collect();
    times.sort();
    times
        .into_iter()
        .map(|t| {
            let w = g
                .rng
                .range(words.saturating_sub(words / 8), words + words / 8);
            g.entry(t, w)
        })
        .collect()
}

/// The most common words of the noun list (the "common word" queries).
pub fn common_nouns(n: usize) -> Vec<&'static str> {
    NOUNS.iter().take(n).copied().collect()
}

/// Some of the rare words.
pub fn rare_nouns(n: usize) -> Vec<&'static str> {
    RARE_NOUNS.iter().take(n).copied().collect()
}

/// The most common adjectives (for phrase queries).
pub fn common_adjectives(n: usize) -> Vec<&'static str> {
    ADJECTIVES.iter().take(n).copied().collect()
}

/// Every single word the generator can write in a title or body, lowercase,
/// plus tags and feelings.
pub fn vocabulary() -> Vec<String> {
    let lists: [&[&str]; 12] = [
        SUBJECTS,
        VERBS,
        NOUNS,
        RARE_NOUNS,
        ADJECTIVES,
        ADVERBS,
        PREPOSITIONS,
        DETERMINERS,
        CONJUNCTIONS,
        TIMES,
        TAGS,
        FEELINGS,
    ];
    let literals = SENTENCES
        .iter()
        .chain(TITLES)
        .flat_map(|t| t.split(' '))
        .filter_map(|s| s.strip_prefix('='));
    let mut out: Vec<String> = lists
        .iter()
        .flat_map(|l| l.iter())
        .flat_map(|p| p.split(' '))
        .chain(literals)
        .chain(["an"])
        .map(str::to_lowercase)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Body nouns that jrnl's substring match and Hearth's word match count the
/// same way: not a tag or feeling, and not inside any other word.
pub fn unambiguous_nouns() -> Vec<&'static str> {
    let vocab = vocabulary();
    NOUNS
        .iter()
        .copied()
        .filter(|n| !TAGS.contains(n) && !FEELINGS.contains(n))
        .filter(|n| vocab.iter().all(|w| w == n || !w.contains(n)))
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn deterministic() {
        let a = journal(7, 20, 80);
        let b = journal(7, 20, 80);
        assert_eq!(a.len(), 20);
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.body, y.body);
            assert_eq!(x.created_at, y.created_at);
        }
        assert!(a.windows(2).all(|w| w[0].created_at <= w[1].created_at));
    }

    #[test]
    fn bodies_are_about_the_asked_length() {
        let mut g = Generator::new(1);
        for _ in 0..50 {
            let n = g.body(80).split_whitespace().count();
            assert!((80..100).contains(&n), "{n}");
        }
    }

    #[test]
    fn unambiguous_words_exist() {
        let u = unambiguous_nouns();
        assert!(u.contains(&"garden"));
        assert!(!u.contains(&"work"));
        assert!(!u.contains(&"car"), "car is inside other words");
    }
}
