//! What `cargo nano run --audit` observed: the runtime records it, the linker turns it into the
//! manifest entries a program needs, and `--format json` prints it.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::Capabilities;

/// What one instance used in an audit run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct InstanceUse {
    /// Instance path, e.g. `app/extractor`.
    pub instance: String,
    /// Its package.
    pub package: String,
    /// What it used, as manifest requests: a slot's access is `read-write` when it opened
    /// something there for writing. `env` stays empty: the environment reaches a package as one
    /// list, and which names it then looks up happens inside its own memory (see `read_env`).
    pub used: Capabilities,
    /// Whether it read the environment.
    pub read_env: bool,
    /// Paths it opened under its slots, as `SLOT/PATH`.
    pub paths: BTreeSet<String>,
    /// Absolute paths it tried to open outside its slots (all denied).
    pub outside: BTreeSet<String>,
    /// Endpoints it tried to connect to that the run did not offer (denied).
    pub refused: BTreeSet<crate::Endpoint>,
}
