//! The traffic mix: every kind of request the soak sends, and its share.

/// What a request is, with its share of the mix (weights sum to 100).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Kind {
    // Valid deliveries (60 %).
    ValidPeopleForce,
    ValidPeopleForceSeed,
    ValidChunked,
    ValidBindbeeCurrent,
    ValidBindbeePrevious,
    ValidGithub,
    ValidLenientNonUtf8,
    // Bad requests (40 %).
    Forged,
    Unsigned,
    Malformed,
    Tampered,
    NonUtf8,
    Duplicate,
    OversizeContentLength,
    OversizeChunked,
    SlowBody,
    Disconnect,
    BrokenChunked,
}

pub(crate) const MIX: [(Kind, u64); 18] = [
    (Kind::ValidPeopleForce, 20),
    (Kind::ValidPeopleForceSeed, 10),
    (Kind::ValidChunked, 9),
    (Kind::ValidBindbeeCurrent, 8),
    (Kind::ValidBindbeePrevious, 5),
    (Kind::ValidGithub, 5),
    (Kind::ValidLenientNonUtf8, 3),
    (Kind::Forged, 6),
    (Kind::Unsigned, 5),
    (Kind::Malformed, 5),
    (Kind::Tampered, 5),
    (Kind::NonUtf8, 3),
    (Kind::Duplicate, 3),
    (Kind::OversizeContentLength, 4),
    (Kind::OversizeChunked, 4),
    (Kind::SlowBody, 1),
    (Kind::Disconnect, 3),
    (Kind::BrokenChunked, 1),
];

/// Deterministic mixing so the kinds interleave without a pattern (splitmix64).
fn mix(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

pub(crate) fn kind_of(i: usize) -> Kind {
    let mut pick = mix(i as u64) % 100;
    for (kind, weight) in MIX {
        if pick < weight {
            return kind;
        }
        pick -= weight;
    }
    unreachable!("weights sum to 100")
}
