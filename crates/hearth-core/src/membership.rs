//! Who is in a circle, decided from its signed statements alike on every
//! device.
//!
//! A circle has no server to say who is in it: each member's device holds
//! the circle's statements (hearth-crypto's [`Statement`]: create, add,
//! remove, role, leave, describe), each naming the statements its signer
//! had seen. [`fold`] turns any set of them into one membership, and two
//! devices holding the same statements get the same membership, whatever
//! order they arrived in. The rules (SECURITY.md, "Circle membership"):
//!
//! 1. **One order.** Statements are applied in causal order (a statement
//!    after those it names). Among statements that could come next:
//!    removals and leavings first, then role changes, then descriptions,
//!    then additions; then the more senior author (the owner, then admins
//!    in the order they became admins, then members in the order they
//!    joined); then the lower hash.
//! 2. **Authority at its turn.** A statement takes effect only if its
//!    author may make it when its turn comes: adding, removing, changing a
//!    role and describing are for admins; nobody removes or demotes the
//!    owner; anyone in the circle may leave. Otherwise it does nothing.
//! 3. **A removal cuts what it did not see.** Once a person is removed (or
//!    leaves), every statement they signed that the removal's author had
//!    not seen does nothing, unless it follows their being added again.
//!    So of two admins removing each other at once, the first in the order
//!    stays; an admin removed while adding someone did not add them; and
//!    two removals made at once both hold.
//! 4. **Void stays void.** Rule 3 can void a statement another one relied
//!    on; the fold repeats until nothing more is voided, and a statement
//!    once void stays so, which keeps the fold finite and the same
//!    everywhere.
//!
//! A statement whose parents have not all arrived waits, and counts once
//! they do.

use hearth_crypto::statement::{Action, Charter, CircleId, Role, Statement};
use std::collections::{BTreeMap, BTreeSet};

/// A statement's hash.
pub type StatementId = [u8; 32];

/// One person in the circle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// How they appear to the circle.
    pub name: String,
    pub role: Role,
    /// Smaller is more senior: the order in which they joined, and for an
    /// admin the order in which they became one.
    pub joined: usize,
    pub admin_since: Option<usize>,
}

/// A person who was removed or left, and the last op of each of their
/// devices that still counts (as the remover held them; none for someone
/// who left).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Departure {
    pub by: StatementId,
    pub left: bool,
    pub devices: Vec<([u8; 32], u64)>,
}

/// A circle's membership as its statements decide it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub circle: CircleId,
    pub charter: Charter,
    pub owner: [u8; 32],
    pub members: BTreeMap<[u8; 32], Member>,
    pub departed: BTreeMap<[u8; 32], Departure>,
    /// Statements that took effect, in the order they were applied.
    pub applied: Vec<StatementId>,
    /// Statements that did nothing (rules 2 to 4).
    pub void: BTreeSet<StatementId>,
    /// Statements waiting for a parent that has not arrived.
    pub waiting: BTreeSet<StatementId>,
    /// The statements no other names: the parents of the next one.
    pub heads: Vec<StatementId>,
}

impl Membership {
    pub fn is_member(&self, person: &[u8; 32]) -> bool {
        self.members.contains_key(person)
    }

    pub fn is_admin(&self, person: &[u8; 32]) -> bool {
        self.members
            .get(person)
            .is_some_and(|m| m.role == Role::Admin)
    }

    fn seniority(&self, person: &[u8; 32]) -> (u8, usize) {
        let Some(m) = self.members.get(person) else {
            return (3, 0);
        };
        match m.admin_since {
            _ if *person == self.owner => (0, 0),
            Some(at) if m.role == Role::Admin => (1, at),
            _ => (2, m.joined),
        }
    }
}

/// Why no membership could be worked out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MembershipError {
    #[error("the circle's creation has not arrived")]
    NoCreation,
}

/// The membership of `circle` from its statements (any order, repeats and
/// other circles' statements ignored). The statements' signatures were
/// checked when they were decoded.
pub fn fold<'a>(
    circle: &CircleId,
    statements: impl IntoIterator<Item = &'a Statement>,
) -> Result<Membership, MembershipError> {
    let all: BTreeMap<StatementId, &Statement> = statements
        .into_iter()
        .filter(|s| s.circle == *circle)
        .map(|s| (s.hash(), s))
        .collect();
    let genesis = all
        .iter()
        .filter(|(_, s)| matches!(s.action, Action::Create { .. }))
        .map(|(h, _)| *h)
        .next()
        .ok_or(MembershipError::NoCreation)?;
    let graph = Graph::new(&all, genesis);
    let mut void: BTreeSet<StatementId> = all
        .iter()
        .filter(|(h, s)| matches!(s.action, Action::Create { .. }) && **h != genesis)
        .map(|(h, _)| *h)
        .collect();
    loop {
        let (state, departures) = apply(&graph, &void);
        let mut more = void.clone();
        for (departure, person) in &departures {
            for (h, s) in &graph.statements {
                if s.author == *person
                    && h != departure
                    && !graph.sees(departure, h)
                    && !readded(&graph, &state, person, departure, h)
                {
                    more.insert(*h);
                }
            }
        }
        if more == void {
            return Ok(state);
        }
        void = more;
    }
}

/// Whether `person` was added again after `departure` by a statement that
/// `statement` follows.
fn readded(
    graph: &Graph<'_>,
    state: &Membership,
    person: &[u8; 32],
    departure: &StatementId,
    statement: &StatementId,
) -> bool {
    state.applied.iter().any(|a| {
        matches!(&graph.statements[a].action, Action::Add { member, .. } if member == person)
            && graph.sees(a, departure)
            && graph.sees(statement, a)
    })
}

/// The statements that can be ordered (every ancestor present, down to the
/// creation), with what each has seen.
struct Graph<'a> {
    statements: BTreeMap<StatementId, &'a Statement>,
    ancestors: BTreeMap<StatementId, BTreeSet<StatementId>>,
    waiting: BTreeSet<StatementId>,
    heads: Vec<StatementId>,
}

impl<'a> Graph<'a> {
    fn new(all: &BTreeMap<StatementId, &'a Statement>, genesis: StatementId) -> Self {
        let mut ancestors: BTreeMap<StatementId, BTreeSet<StatementId>> = BTreeMap::new();
        ancestors.insert(genesis, BTreeSet::new());
        // Repeat until no statement joins: each pass takes every statement
        // whose parents all joined before.
        loop {
            let ready: Vec<StatementId> = all
                .iter()
                .filter(|(h, s)| {
                    !ancestors.contains_key(*h)
                        && !s.parents.is_empty()
                        && s.parents.iter().all(|p| ancestors.contains_key(p))
                })
                .map(|(h, _)| *h)
                .collect();
            if ready.is_empty() {
                break;
            }
            for h in ready {
                let mut seen = BTreeSet::new();
                for p in &all[&h].parents {
                    seen.insert(*p);
                    seen.extend(ancestors[p].iter().copied());
                }
                ancestors.insert(h, seen);
            }
        }
        let statements: BTreeMap<StatementId, &Statement> = all
            .iter()
            .filter(|(h, _)| ancestors.contains_key(*h))
            .map(|(h, s)| (*h, *s))
            .collect();
        let waiting = all
            .keys()
            .filter(|h| !statements.contains_key(*h))
            .copied()
            .collect();
        let named: BTreeSet<StatementId> = statements
            .values()
            .flat_map(|s| s.parents.iter().copied())
            .collect();
        let heads = statements
            .keys()
            .filter(|h| !named.contains(*h))
            .copied()
            .collect();
        Self {
            statements,
            ancestors,
            waiting,
            heads,
        }
    }

    /// Whether `later` had seen `earlier` (or is it).
    fn sees(&self, later: &StatementId, earlier: &StatementId) -> bool {
        later == earlier || self.ancestors[later].contains(earlier)
    }
}

/// Which kind of statement goes first among those that could come next.
fn class(action: &Action) -> u8 {
    match action {
        Action::Create { .. } => 0,
        Action::Remove { .. } | Action::Leave => 1,
        Action::SetRole { .. } => 2,
        Action::Describe(_) => 3,
        Action::Add { .. } => 4,
    }
}

/// Apply every statement not in `void` in the circle's order; the
/// membership, and each departure that took effect (its statement, who).
fn apply(
    graph: &Graph<'_>,
    void: &BTreeSet<StatementId>,
) -> (Membership, Vec<(StatementId, [u8; 32])>) {
    let mut state = Membership {
        circle: [0; 16],
        charter: Charter::default(),
        owner: [0; 32],
        members: BTreeMap::new(),
        departed: BTreeMap::new(),
        applied: Vec::new(),
        void: void.clone(),
        waiting: graph.waiting.clone(),
        heads: graph.heads.clone(),
    };
    let mut departures = Vec::new();
    let mut done: BTreeSet<StatementId> = BTreeSet::new();
    let mut counter = 0usize;
    while done.len() < graph.statements.len() {
        let next = graph
            .statements
            .iter()
            .filter(|(h, s)| !done.contains(*h) && s.parents.iter().all(|p| done.contains(p)))
            .min_by_key(|(h, s)| (class(&s.action), state.seniority(&s.author), **h))
            .map(|(h, s)| (*h, *s));
        let Some((h, s)) = next else { break };
        done.insert(h);
        if void.contains(&h) {
            continue;
        }
        counter += 1;
        if take(&mut state, h, s, counter) {
            state.applied.push(h);
            match &s.action {
                Action::Remove { member, .. } => departures.push((h, *member)),
                Action::Leave => departures.push((h, s.author)),
                _ => {}
            }
        } else {
            state.void.insert(h);
        }
    }
    (state, departures)
}

/// Apply one statement if its author may make it now (rule 2).
fn take(state: &mut Membership, h: StatementId, s: &Statement, counter: usize) -> bool {
    let admin = state.is_admin(&s.author);
    match &s.action {
        Action::Create {
            charter,
            author_name,
            ..
        } => {
            state.circle = s.circle;
            state.charter = charter.clone();
            state.owner = s.author;
            state.members.insert(
                s.author,
                Member {
                    name: author_name.clone(),
                    role: Role::Admin,
                    joined: counter,
                    admin_since: Some(counter),
                },
            );
            true
        }
        Action::Add { member, name } => {
            if !admin || state.is_member(member) {
                return false;
            }
            state.departed.remove(member);
            state.members.insert(
                *member,
                Member {
                    name: name.clone(),
                    role: Role::Member,
                    joined: counter,
                    admin_since: None,
                },
            );
            true
        }
        Action::Remove { member, devices } => {
            if !admin || *member == s.author || *member == state.owner || !state.is_member(member) {
                return false;
            }
            state.members.remove(member);
            state.departed.insert(
                *member,
                Departure {
                    by: h,
                    left: false,
                    devices: devices.clone(),
                },
            );
            true
        }
        Action::SetRole { member, role } => {
            let Some(m) = state.members.get_mut(member) else {
                return false;
            };
            if !admin || *member == state.owner || m.role == *role {
                return false;
            }
            m.role = *role;
            m.admin_since = (*role == Role::Admin).then_some(counter);
            true
        }
        Action::Leave => {
            if state.members.remove(&s.author).is_none() {
                return false;
            }
            state.departed.insert(
                s.author,
                Departure {
                    by: h,
                    left: true,
                    devices: Vec::new(),
                },
            );
            if s.author == state.owner {
                // The most senior admin, else the most senior member, owns
                // the circle now.
                let heir = state
                    .members
                    .iter()
                    .min_by_key(|(id, m)| match m.admin_since {
                        Some(at) if m.role == Role::Admin => (0, at, **id),
                        _ => (1, m.joined, **id),
                    })
                    .map(|(id, _)| *id);
                if let Some(heir) = heir {
                    state.owner = heir;
                    if let Some(m) = state.members.get_mut(&heir)
                        && m.role != Role::Admin
                    {
                        m.role = Role::Admin;
                        m.admin_since = Some(counter);
                    }
                }
            }
            true
        }
        Action::Describe(charter) => {
            if !admin {
                return false;
            }
            state.charter = charter.clone();
            true
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use ed25519_dalek::SigningKey;
    use proptest::prelude::*;

    /// A person with an identity key.
    struct Person(SigningKey);

    impl Person {
        fn new(seed: u8) -> Self {
            Self(SigningKey::from_bytes(&[seed; 32]))
        }
        fn id(&self) -> [u8; 32] {
            self.0.verifying_key().to_bytes()
        }
        fn says(&self, circle: &Statement, after: &[&Statement], action: Action) -> Statement {
            let parents = after.iter().map(|s| s.hash()).collect();
            Statement::issue(&self.0, circle.circle, 0, parents, action).unwrap()
        }
        fn add(&self, c: &Statement, after: &[&Statement], who: &Person, name: &str) -> Statement {
            self.says(
                c,
                after,
                Action::Add {
                    member: who.id(),
                    name: name.into(),
                },
            )
        }
        fn remove(&self, c: &Statement, after: &[&Statement], who: &Person) -> Statement {
            self.says(
                c,
                after,
                Action::Remove {
                    member: who.id(),
                    devices: vec![],
                },
            )
        }
        fn promote(&self, c: &Statement, after: &[&Statement], who: &Person) -> Statement {
            self.says(
                c,
                after,
                Action::SetRole {
                    member: who.id(),
                    role: Role::Admin,
                },
            )
        }
    }

    fn create(owner: &Person) -> Statement {
        Statement::create(
            &owner.0,
            0,
            Charter {
                name: "Evenings".into(),
                about: "Support".into(),
                agreements: "Kindness".into(),
            },
            "Ann",
        )
        .unwrap()
    }

    fn members(m: &Membership) -> BTreeSet<[u8; 32]> {
        m.members.keys().copied().collect()
    }

    /// The membership from the statements in every order given: all the
    /// same, or the test fails.
    fn fold_every_way(c: &Statement, statements: &[&Statement]) -> Membership {
        let first = fold(&c.circle, statements.iter().copied()).unwrap();
        let reversed: Vec<&Statement> = statements.iter().rev().copied().collect();
        assert_eq!(fold(&c.circle, reversed).unwrap(), first);
        first
    }

    #[test]
    fn the_owner_adds_promotes_removes_and_describes() {
        let (a, b, c) = (Person::new(1), Person::new(2), Person::new(3));
        let g = create(&a);
        let add_b = a.add(&g, &[&g], &b, "Bo");
        let add_c = a.add(&g, &[&add_b], &c, "Cy");
        let promote_b = a.promote(&g, &[&add_c], &b);
        let remove_c = b.remove(&g, &[&promote_b], &c);
        let m = fold_every_way(&g, &[&g, &add_b, &add_c, &promote_b, &remove_c]);
        assert_eq!(m.owner, a.id());
        assert_eq!(members(&m), BTreeSet::from([a.id(), b.id()]));
        assert!(m.is_admin(&b.id()));
        assert_eq!(m.departed[&c.id()].by, remove_c.hash());
        assert_eq!(m.heads, vec![remove_c.hash()]);
        assert!(m.void.is_empty() && m.waiting.is_empty());
        assert_eq!(m.members[&b.id()].name, "Bo");
    }

    #[test]
    fn only_admins_add_remove_or_describe_and_nobody_removes_the_owner() {
        let (a, b, c) = (Person::new(1), Person::new(2), Person::new(3));
        let g = create(&a);
        let add_b = a.add(&g, &[&g], &b, "Bo");
        let b_adds = b.add(&g, &[&add_b], &c, "Cy");
        let b_describes = b.says(
            &g,
            &[&add_b],
            Action::Describe(Charter {
                name: "Mine now".into(),
                ..Charter::default()
            }),
        );
        let promote_b = a.promote(&g, &[&b_adds, &b_describes], &b);
        let b_removes_owner = b.remove(&g, &[&promote_b], &a);
        let b_demotes_owner = b.says(
            &g,
            &[&promote_b],
            Action::SetRole {
                member: a.id(),
                role: Role::Member,
            },
        );
        let m = fold_every_way(
            &g,
            &[
                &g,
                &add_b,
                &b_adds,
                &b_describes,
                &promote_b,
                &b_removes_owner,
                &b_demotes_owner,
            ],
        );
        assert_eq!(members(&m), BTreeSet::from([a.id(), b.id()]));
        assert_eq!(m.charter.name, "Evenings");
        assert!(m.is_admin(&a.id()));
        assert_eq!(
            m.void,
            BTreeSet::from([
                b_adds.hash(),
                b_describes.hash(),
                b_removes_owner.hash(),
                b_demotes_owner.hash()
            ])
        );
    }

    #[test]
    fn two_admins_removing_each_other_at_once_leave_the_senior_one() {
        let (a, b, c) = (Person::new(1), Person::new(2), Person::new(3));
        let g = create(&a);
        let add_b = a.add(&g, &[&g], &b, "Bo");
        let add_c = a.add(&g, &[&add_b], &c, "Cy");
        let promote_b = a.promote(&g, &[&add_c], &b);
        let promote_c = a.promote(&g, &[&promote_b], &c);
        // Apart, each removes the other.
        let b_removes_c = b.remove(&g, &[&promote_c], &c);
        let c_removes_b = c.remove(&g, &[&promote_c], &b);
        let all = [
            &g,
            &add_b,
            &add_c,
            &promote_b,
            &promote_c,
            &b_removes_c,
            &c_removes_b,
        ];
        let m = fold_every_way(&g, &all);
        assert_eq!(
            members(&m),
            BTreeSet::from([a.id(), b.id()]),
            "B became an admin first"
        );
        assert!(m.void.contains(&c_removes_b.hash()));
        // C also added someone while removing B: that does nothing either.
        let d = Person::new(4);
        let c_adds_d = c.add(&g, &[&c_removes_b], &d, "Di");
        let mut more = all.to_vec();
        more.push(&c_adds_d);
        let m = fold_every_way(&g, &more);
        assert!(!m.is_member(&d.id()));
    }

    #[test]
    fn an_admin_removed_while_adding_someone_did_not_add_them() {
        let (a, b, d) = (Person::new(1), Person::new(2), Person::new(4));
        let g = create(&a);
        let add_b = a.add(&g, &[&g], &b, "Bo");
        let promote_b = a.promote(&g, &[&add_b], &b);
        // The owner removes B; B, not knowing, adds D, and D leaves later.
        let remove_b = a.remove(&g, &[&promote_b], &b);
        let b_adds_d = b.add(&g, &[&promote_b], &d, "Di");
        let d_leaves = d.says(&g, &[&b_adds_d], Action::Leave);
        let m = fold_every_way(
            &g,
            &[&g, &add_b, &promote_b, &remove_b, &b_adds_d, &d_leaves],
        );
        assert_eq!(members(&m), BTreeSet::from([a.id()]));
        assert!(m.void.contains(&b_adds_d.hash()));
        assert!(m.void.contains(&d_leaves.hash()), "D was never in");
        assert!(!m.departed.contains_key(&d.id()));
    }

    #[test]
    fn two_removals_made_at_once_both_hold() {
        let (a, b, c, d) = (
            Person::new(1),
            Person::new(2),
            Person::new(3),
            Person::new(4),
        );
        let g = create(&a);
        let add_b = a.add(&g, &[&g], &b, "Bo");
        let add_c = a.add(&g, &[&add_b], &c, "Cy");
        let add_d = a.add(&g, &[&add_c], &d, "Di");
        let promote_b = a.promote(&g, &[&add_d], &b);
        let a_removes_c = a.remove(&g, &[&promote_b], &c);
        let b_removes_d = b.remove(&g, &[&promote_b], &d);
        let m = fold_every_way(
            &g,
            &[
                &g,
                &add_b,
                &add_c,
                &add_d,
                &promote_b,
                &a_removes_c,
                &b_removes_d,
            ],
        );
        assert_eq!(members(&m), BTreeSet::from([a.id(), b.id()]));
        assert_eq!(m.heads.len(), 2, "both removals are heads");
    }

    #[test]
    fn a_removed_member_added_again_counts_from_then_on() {
        let (a, b, c) = (Person::new(1), Person::new(2), Person::new(3));
        let g = create(&a);
        let add_b = a.add(&g, &[&g], &b, "Bo");
        let promote_b = a.promote(&g, &[&add_b], &b);
        let remove_b = a.remove(&g, &[&promote_b], &b);
        let readd_b = a.add(&g, &[&remove_b], &b, "Bo again");
        let promote_again = a.promote(&g, &[&readd_b], &b);
        let b_adds_c = b.add(&g, &[&promote_again], &c, "Cy");
        let m = fold_every_way(
            &g,
            &[
                &g,
                &add_b,
                &promote_b,
                &remove_b,
                &readd_b,
                &promote_again,
                &b_adds_c,
            ],
        );
        assert_eq!(members(&m), BTreeSet::from([a.id(), b.id(), c.id()]));
        assert_eq!(m.members[&b.id()].name, "Bo again");
        assert!(m.void.is_empty());
    }

    #[test]
    fn a_statement_waits_for_its_parents_and_the_owner_may_leave() {
        let (a, b) = (Person::new(1), Person::new(2));
        let g = create(&a);
        let add_b = a.add(&g, &[&g], &b, "Bo");
        let promote_b = a.promote(&g, &[&add_b], &b);
        let a_leaves = a.says(&g, &[&promote_b], Action::Leave);
        let m = fold_every_way(&g, &[&g, &promote_b, &a_leaves]);
        assert_eq!(members(&m), BTreeSet::from([a.id()]));
        assert_eq!(
            m.waiting,
            BTreeSet::from([promote_b.hash(), a_leaves.hash()])
        );
        let m = fold_every_way(&g, &[&g, &add_b, &promote_b, &a_leaves]);
        assert_eq!(m.owner, b.id(), "the senior admin owns the circle now");
        assert!(m.departed[&a.id()].left);
        assert!(fold(&g.circle, [&add_b]).is_err(), "no creation, no circle");
    }

    /// A random history: each step, someone (member or not) makes a random
    /// statement on top of a random earlier one, as devices apart would.
    fn history(steps: Vec<(u8, u8, u8, u8)>) -> (Statement, Vec<Statement>) {
        let people: Vec<Person> = (1..=5).map(Person::new).collect();
        let g = create(&people[0]);
        let mut all = vec![g.clone()];
        for (author, action, target, parent) in steps {
            let who = &people[usize::from(author) % people.len()];
            let target = people[usize::from(target) % people.len()].id();
            let after = all[usize::from(parent) % all.len()].clone();
            let action = match action % 5 {
                0 | 1 => Action::Add {
                    member: target,
                    name: "someone".into(),
                },
                2 => Action::Remove {
                    member: target,
                    devices: vec![],
                },
                3 => Action::SetRole {
                    member: target,
                    role: Role::Admin,
                },
                _ => Action::Leave,
            };
            // Now and then a statement joins two lines of history.
            let mut parents = vec![after.hash()];
            if parent % 3 == 0 {
                parents.push(all.last().unwrap().hash());
            }
            all.push(Statement::issue(&who.0, g.circle, 0, parents, action).unwrap());
        }
        (g, all)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn every_order_of_arrival_gives_one_membership(
            steps in proptest::collection::vec(any::<(u8, u8, u8, u8)>(), 0..24),
            seed in any::<u64>(),
        ) {
            let (g, mut all) = history(steps);
            let first = fold(&g.circle, &all).unwrap();
            let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(seed);
            rand::seq::SliceRandom::shuffle(all.as_mut_slice(), &mut rng);
            let again = fold(&g.circle, &all).unwrap();
            prop_assert_eq!(&first, &again);
            // Whoever owns it is in it, and is an admin.
            if !first.members.is_empty() {
                prop_assert!(first.is_admin(&first.owner));
            }
            for gone in first.departed.keys() {
                prop_assert!(!first.is_member(gone));
            }
        }
    }
}
