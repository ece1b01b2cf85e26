//! Which package ended the program.
//!
//! `wasi:cli/exit` is a root interface, scoped per package (`crate::scoped`): a child calling
//! `exit` ends the whole program, as in a native process, and the status it gives becomes the
//! program's. The binding records who called it, so that an exit from deep inside a dependency is
//! not taken for the program's own.

use manifest_schema::plan::Plan;

/// A call of `wasi:cli/exit` that ended the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exit {
    /// The package that called it.
    pub package: String,
    /// Its instance id (e.g. `app/left`).
    pub instance: String,
    /// The status it gave, as far as WASI carries it: `exit` carries success (0) or failure (1),
    /// `exit-with-code` a code.
    pub code: i32,
    /// Whether it is the top package (whose exit is the program's own).
    pub top: bool,
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "package `{}` (instance `{}`) called exit({}), which ended the whole program",
            self.package, self.instance, self.code
        )
    }
}

/// The [`Exit`] of instance `index` of `plan` with `code`.
pub(crate) fn named(plan: &Plan, recorded: Option<(usize, i32)>) -> Option<Exit> {
    let (index, code) = recorded?;
    let inst = plan.instances.get(index)?;
    Some(Exit {
        package: inst.package.clone(),
        instance: inst.id.clone(),
        code,
        top: inst.parent.is_none(),
    })
}
