//! The rows of `tests/vectors/schemes.tsv` (written by `schemes.py`, columns described
//! there), for the test binaries that check hookguard against them.

#![allow(dead_code, reason = "each test binary reads the columns it checks")]

/// One row of the file.
pub(crate) struct Row {
    pub(crate) scheme: String,
    pub(crate) case: String,
    pub(crate) key: String,
    pub(crate) signing_key: String,
    pub(crate) body: Vec<u8>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) now: u64,
    pub(crate) valid: bool,
    pub(crate) delivery_id: Option<String>,
    pub(crate) timestamp: Option<u64>,
    pub(crate) reason: String,
}

/// Every row, in order.
pub(crate) fn rows() -> Vec<Row> {
    include_str!("schemes.tsv")
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let [scheme, case, key, signing_key, body, headers, now, expected, id, timestamp, reason] =
                fields[..]
            else {
                panic!("bad row {line:?}");
            };
            let headers: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(headers).expect("headers JSON");
            Row {
                scheme: scheme.to_owned(),
                case: case.to_owned(),
                key: key.to_owned(),
                signing_key: signing_key.to_owned(),
                body: hex::decode(body).expect("body hex"),
                headers: headers
                    .into_iter()
                    .map(|(name, value)| (name, value.as_str().expect("string").to_owned()))
                    .collect(),
                now: now.parse().expect("now"),
                valid: expected == "valid",
                delivery_id: (!id.is_empty()).then(|| id.to_owned()),
                timestamp: (!timestamp.is_empty()).then(|| timestamp.parse().expect("timestamp")),
                reason: reason.to_owned(),
            }
        })
        .collect()
}
