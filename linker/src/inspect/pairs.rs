//! Maps whose keys are not strings ([`super::Syscall`], `Option<String>`) as JSON lists of
//! `[key, value]` pairs, for `#[serde(with = "pairs")]`: JSON object keys are strings.

use std::collections::BTreeMap;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The map as a list of pairs, in key order.
pub fn serialize<K, V, S>(map: &BTreeMap<K, V>, serializer: S) -> Result<S::Ok, S::Error>
where
    K: Serialize,
    V: Serialize,
    S: Serializer,
{
    serializer.collect_seq(map)
}

/// The map of a list of pairs; a key listed twice is an error, not a silent overwrite.
pub fn deserialize<'de, K, V, D>(deserializer: D) -> Result<BTreeMap<K, V>, D::Error>
where
    K: Deserialize<'de> + Ord,
    V: Deserialize<'de>,
    D: Deserializer<'de>,
{
    let pairs = Vec::<(K, V)>::deserialize(deserializer)?;
    let len = pairs.len();
    let map: BTreeMap<K, V> = pairs.into_iter().collect();
    if map.len() != len {
        return Err(D::Error::custom("a key is listed twice"));
    }
    Ok(map)
}
