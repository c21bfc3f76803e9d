//! The benchmark program (not yet written).

fn main() {}
