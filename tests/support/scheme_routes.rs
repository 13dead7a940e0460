//! The routes of the presets beyond PeopleForce and Bindbee, each with two keys, that the
//! receiver app of `servers` mounts and the conformance table sends to.

use hookguard::Provider;

/// A route for a preset, keyed with two keys: the current one (key index 0) and the
/// previous one (index 1).
pub(crate) struct SchemeRoute {
    pub(crate) path: &'static str,
    pub(crate) provider: Provider,
    pub(crate) keys: Keys,
}

/// The keys of a [`SchemeRoute`].
pub(crate) enum Keys {
    /// HMAC: the sender and the route share the secrets.
    Shared([&'static str; 2]),
    /// Ed25519: the route holds the public keys, the sender the private ones.
    Pairs {
        public: [&'static str; 2],
        private: [&'static str; 2],
    },
}

/// A key none of the routes holds: as an HMAC secret in the `whsec_` form (so that every
/// HMAC scheme can use it), as a `whsk_` private key, and as a hex seed (Discord).
const FORGED: [&str; 3] = [
    "whsec_zN01Foq0dPpXZKUmz7g2ITUeI2gsUHWy4Y1Wvd+WqjA=",
    "whsk_zN01Foq0dPpXZKUmz7g2ITUeI2gsUHWy4Y1Wvd+WqjA=",
    "ccdd35168ab474fa5764a526cfb83621351e23682c5075b2e18d56bddf96aa30",
];

impl SchemeRoute {
    /// The keys the route verifies with.
    pub(crate) fn verifying(&self) -> [&'static str; 2] {
        match self.keys {
            Keys::Shared(secrets) => secrets,
            Keys::Pairs { public, .. } => public,
        }
    }

    /// The keys the sender signs with.
    pub(crate) fn signing(&self) -> [&'static str; 2] {
        match self.keys {
            Keys::Shared(secrets) => secrets,
            Keys::Pairs { private, .. } => private,
        }
    }

    /// A key the sender could sign with that the route does not accept.
    pub(crate) fn forged(&self) -> &'static str {
        match (&self.keys, &self.provider) {
            (Keys::Shared(_), _) => FORGED[0],
            (Keys::Pairs { .. }, Provider::Discord) => FORGED[2],
            (Keys::Pairs { .. }, _) => FORGED[1],
        }
    }
}

/// One route per preset beyond PeopleForce and Bindbee. Standard Webhooks and Svix secrets
/// are in the `whsec_` form (base64 of the key), Standard Webhooks' Ed25519 keys `whpk_` and
/// `whsk_`, Discord's the public key and the private key's seed in hex.
pub(crate) const SCHEME_ROUTES: [SchemeRoute; 8] = [
    SchemeRoute {
        path: "/github",
        provider: Provider::GitHub,
        keys: Keys::Shared(["gh_webhook_current", "gh_webhook_previous"]),
    },
    SchemeRoute {
        path: "/shopify",
        provider: Provider::Shopify,
        keys: Keys::Shared(["shpss_current", "shpss_previous"]),
    },
    SchemeRoute {
        path: "/stripe",
        provider: Provider::Stripe,
        keys: Keys::Shared(["whsec_stripe_current", "whsec_stripe_previous"]),
    },
    SchemeRoute {
        path: "/slack",
        provider: Provider::Slack,
        keys: Keys::Shared(["slack_signing_current", "slack_signing_previous"]),
    },
    SchemeRoute {
        path: "/standard-webhooks",
        provider: Provider::StandardWebhooks,
        keys: Keys::Shared([
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "whsec_Al0sus1a+WnX8AC5TRa+U5qZyZ3kTGblRc/Ftbdek2k=",
        ]),
    },
    SchemeRoute {
        path: "/svix",
        provider: Provider::Svix,
        keys: Keys::Shared([
            "whsec_uvXytWl6cz3JsC5ulw4cz23mIUQIlWdZNLFkRfXGTi0=",
            "whsec_H9vPemdci5RHWd8dSEkHJjewnb4deLaE7CgfTeWn6uw=",
        ]),
    },
    SchemeRoute {
        path: "/standard-webhooks-v1a",
        provider: Provider::StandardWebhooks,
        keys: Keys::Pairs {
            public: [
                "whpk_wYyIg+VMj8n5/mkCWWpORghuu7I1ThvGE5VodTwNn3k=",
                "whpk_y4xAjMCD+zQzwE+1/PuiT3oBB8n+qSkwO24pD6ubhIQ=",
            ],
            private: [
                "whsk_jZoQavXaooqhIcKGucjjbyfp3vUeMz9ZPMaG5iwSgus=",
                "whsk_Jf+z0aHtOo4nRFRmR9mAiBAx/p9duzpZgRs293jCKIg=",
            ],
        },
    },
    SchemeRoute {
        path: "/discord",
        provider: Provider::Discord,
        keys: Keys::Pairs {
            public: [
                "b19cd8be46ac152d5175799ca8bed5494fdff144a7c8a5cdeeeae288d4445e35",
                "5814c86925475e4d280c5cb550dbac4150d2ea90af2d1e9dc8637302fb0bc8b3",
            ],
            private: [
                "92f81213a31e7deb41718b14e8e2531486d3111224a8619b7683a8cd482085ac",
                "eab04aeec3a9f4e4093de3310e73cbf2a31c286550a91dadbbfc6bb3a9d46975",
            ],
        },
    },
];
