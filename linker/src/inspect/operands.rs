//! The calls of a function body, with the arguments that are constants at the call site.
//!
//! Some C library functions decide at run time what they reach from an argument: wasi-libc's
//! `__clock_gettime` reads the wall or the monotonic clock by its clock id, `write` writes to
//! stdout or stderr by its descriptor, `getenv` reads the variable it is given the name of. When
//! the call site passes a constant, the model ([`super::model`]) counts only what that constant
//! asks for. So each body is scanned with a small abstract interpreter that knows, for the top of
//! the operand stack, which values are `i32` constants:
//!
//! - `i32.const`, `global.get` of an immutable global initialised by `i32.const` (the linker's
//!   `GOT.data.internal.*` addresses), `i32.add`/`i32.sub` of constants, `i32.load` from a
//!   constant address inside an active data segment (a Rust `static` holding a clock id), and
//!   locals set from constants earlier in the same straight-line code;
//! - anything else is unknown, and an instruction whose effect on the stack is not modelled
//!   forgets the whole stack, and a point where paths join (`loop`, `else`, `end`) forgets the
//!   locals.
//!
//! The tracked stack is always the *top* of the real one, so a value is never attributed to the
//! wrong argument: an argument below what is tracked is unknown, and the model treats an unknown
//! argument as "any value". A `static` could be written before the load; then a constant read
//! from its initial value is wrong, which the model accepts (see `docs/design.md`: the runtime,
//! not this analysis, enforces grants).

use std::collections::HashMap;

use wasmparser::Operator;

/// A call: the callee, and the value of each argument when it is an `i32` constant.
#[derive(Debug, Clone)]
pub(super) struct CallSite {
    pub(super) callee: u32,
    pub(super) args: Box<[Option<i32>]>,
}

/// What the module says about constant values: immutable globals and the initial memory.
#[derive(Debug, Default)]
pub(crate) struct Constants {
    /// The value of each immutable global initialised with `i32.const`, by global index.
    pub(super) globals: HashMap<u32, i32>,
    /// Active data segments of memory 0 at a constant offset: (offset, bytes).
    pub(super) data: Vec<(u32, Vec<u8>)>,
}

impl Constants {
    /// `len` bytes of initial memory at `address`, if one data segment holds them all.
    pub(crate) fn bytes(&self, address: i32, len: u32) -> Option<&[u8]> {
        let start = u32::try_from(address).ok()?;
        self.data.iter().find_map(|(offset, bytes)| {
            let from = start.checked_sub(*offset)? as usize;
            bytes.get(from..from.checked_add(len as usize)?)
        })
    }

    /// The NUL-terminated string at `address` in initial memory (without the NUL).
    pub(crate) fn c_string(&self, address: i32) -> Option<&[u8]> {
        let start = u32::try_from(address).ok()?;
        self.data.iter().find_map(|(offset, bytes)| {
            let rest = bytes.get(start.checked_sub(*offset)? as usize..)?;
            rest.iter().position(|&b| b == 0).map(|end| &rest[..end])
        })
    }

    fn load_i32(&self, address: i32, offset: u64) -> Option<i32> {
        let address = i32::try_from(i64::from(address).checked_add(offset as i64)?).ok()?;
        let bytes = self.bytes(address, 4)?;
        Some(i32::from_le_bytes(bytes.try_into().ok()?))
    }
}

/// Tracks the constants at the top of the operand stack through one function body.
pub(super) struct Tracker<'a> {
    constants: &'a Constants,
    /// Known top of the stack, last = top.
    stack: Vec<Option<i32>>,
    /// Locals holding a constant set in the current straight-line code.
    locals: HashMap<u32, i32>,
}

impl<'a> Tracker<'a> {
    pub(super) fn new(constants: &'a Constants) -> Self {
        Tracker {
            constants,
            stack: Vec::new(),
            locals: HashMap::new(),
        }
    }

    fn pop(&mut self) -> Option<i32> {
        self.stack.pop().flatten()
    }

    /// Pops `n` values; when fewer are tracked, the rest of the stack is unknown anyway.
    fn pop_n(&mut self, n: usize) {
        let keep = self.stack.len().saturating_sub(n);
        self.stack.truncate(keep);
    }

    fn push(&mut self, value: Option<i32>) {
        self.stack.push(value);
    }

    /// The arguments of a call to a function with `params` parameters, then the call's effect
    /// on the stack.
    pub(super) fn call(&mut self, params: usize, results: usize) -> Box<[Option<i32>]> {
        let tracked = self.stack.len();
        let args = (0..params)
            .map(|i| {
                let depth = params - i;
                tracked.checked_sub(depth).and_then(|at| self.stack[at])
            })
            .collect();
        self.pop_n(params);
        for _ in 0..results {
            self.push(None);
        }
        args
    }

    /// Applies one operator other than a call.
    pub(super) fn step(&mut self, op: &Operator<'_>) {
        use Operator::*;
        match op {
            I32Const { value } => self.push(Some(*value)),
            I64Const { .. } | F32Const { .. } | F64Const { .. } => self.push(None),
            GlobalGet { global_index } => {
                let value = self.constants.globals.get(global_index).copied();
                self.push(value)
            }
            LocalGet { local_index } => {
                let value = self.locals.get(local_index).copied();
                self.push(value)
            }
            LocalSet { local_index } => {
                let value = self.stack.pop().flatten();
                self.set_local(*local_index, value);
            }
            LocalTee { local_index } => {
                let value = self.stack.last().copied().flatten();
                self.set_local(*local_index, value);
            }
            I32Add | I32Sub => {
                let (b, a) = (self.pop(), self.pop());
                let value = a.zip(b).map(|(a, b)| match op {
                    I32Add => a.wrapping_add(b),
                    _ => a.wrapping_sub(b),
                });
                self.push(value);
            }
            I32Load { memarg } if memarg.memory == 0 => {
                let value = self
                    .pop()
                    .and_then(|address| self.constants.load_i32(address, memarg.offset));
                self.push(value);
            }
            I32Mul | I32And | I32Or | I32Xor | I32Shl | I32ShrU | I32ShrS | I32Eq | I32Ne
            | I32LtU | I32LtS | I32GtU | I32GtS | I32LeU | I32LeS | I32GeU | I32GeS => {
                self.pop_n(2);
                self.push(None);
            }
            I32Eqz
            | I64Eqz
            | I32WrapI64
            | I64ExtendI32U
            | I64ExtendI32S
            | I64Load { .. }
            | I32Load { .. }
            | I32Load8U { .. }
            | I32Load8S { .. }
            | I32Load16U { .. }
            | I32Load16S { .. } => {
                self.pop_n(1);
                self.push(None);
            }
            I32Store { .. } | I32Store8 { .. } | I32Store16 { .. } | I64Store { .. } => {
                self.pop_n(2)
            }
            Drop => self.pop_n(1),
            Nop => {}
            // Another path may join here with other locals.
            Loop { .. } | Else | End => self.forget(),
            // Straight-line code goes on into a block or past a branch not taken with the same
            // locals; the stack is not followed into blocks.
            _ => self.stack.clear(),
        }
    }

    fn set_local(&mut self, index: u32, value: Option<i32>) {
        match value {
            Some(value) => self.locals.insert(index, value),
            None => self.locals.remove(&index),
        };
    }

    /// Forgets everything: where paths join.
    fn forget(&mut self) {
        self.stack.clear();
        self.locals.clear();
    }
}

/// What scanning one body found.
pub(super) struct Body {
    /// Every direct call, in order.
    pub(super) sites: Vec<CallSite>,
    /// Type ids called indirectly, sorted and deduplicated.
    pub(super) indirect: Vec<usize>,
}

/// Resolves type indices to structural type ids and their arity.
pub(super) trait Types {
    /// The structural id of type `index`, or why it is not a function type.
    fn id(&self, index: u32, what: &str) -> Result<usize, String>;
    /// The parameter and result counts of type id `id`.
    fn arity(&self, id: usize) -> (usize, usize);
}

/// Scans a function body: its calls with their constant arguments (see the module
/// documentation) and the types it calls indirectly; adds the functions its `ref.func`s name to
/// `taken`. `func_types` gives the type id of every function.
pub(super) fn scan_body(
    body: &wasmparser::FunctionBody<'_>,
    types: &dyn Types,
    func_types: &[usize],
    constants: &Constants,
    taken: &mut Vec<u32>,
) -> Result<Body, Fault> {
    let mut sites = Vec::new();
    let mut indirect = Vec::new();
    let mut tracker = Tracker::new(constants);
    let mut ops = body.get_operators_reader()?;
    while !ops.eof() {
        let op = ops.read()?;
        match op {
            Operator::Call { function_index } | Operator::ReturnCall { function_index } => {
                let ty = func_types.get(function_index as usize).copied();
                let (params, results) = ty.map_or((0, 0), |ty| types.arity(ty));
                let args = tracker.call(params, results);
                sites.push(CallSite {
                    callee: function_index,
                    args,
                });
                if matches!(op, Operator::ReturnCall { .. }) {
                    tracker.step(&Operator::Return);
                }
            }
            Operator::CallIndirect { type_index, .. }
            | Operator::ReturnCallIndirect { type_index, .. }
            | Operator::CallRef { type_index }
            | Operator::ReturnCallRef { type_index } => {
                let id = types.id(type_index, "an indirect call")?;
                indirect.push(id);
                // The table index or function reference, then the arguments.
                tracker.step(&Operator::Drop);
                let (params, results) = types.arity(id);
                tracker.call(params, results);
            }
            Operator::RefFunc { function_index } => {
                taken.push(function_index);
                tracker.step(&op);
            }
            _ => tracker.step(&op),
        }
    }
    indirect.sort_unstable();
    indirect.dedup();
    Ok(Body { sites, indirect })
}

/// Why scanning a function body failed, before it is tied to a module index.
pub(super) enum Fault {
    Parse(wasmparser::BinaryReaderError),
    Malformed(String),
}

impl From<wasmparser::BinaryReaderError> for Fault {
    fn from(error: wasmparser::BinaryReaderError) -> Self {
        Fault::Parse(error)
    }
}

impl From<String> for Fault {
    fn from(reason: String) -> Self {
        Fault::Malformed(reason)
    }
}

/// Collects the `ref.func` operands of a constant expression.
pub(super) fn ref_funcs(
    mut ops: wasmparser::OperatorsReader<'_>,
    taken: &mut Vec<u32>,
) -> Result<(), wasmparser::BinaryReaderError> {
    while !ops.eof() {
        if let Operator::RefFunc { function_index } = ops.read()? {
            taken.push(function_index);
        }
    }
    Ok(())
}

/// The `i32` value of a constant expression that is a single `i32.const`.
pub(super) fn const_i32(expr: &wasmparser::ConstExpr<'_>) -> Option<i32> {
    let mut ops = expr.get_operators_reader();
    match (ops.read().ok()?, ops.read().ok()?) {
        (Operator::I32Const { value }, Operator::End) => Some(value),
        _ => None,
    }
}

/// The active data segments of memory 0 placed at a constant offset: the initial memory that
/// constant arguments are read from. A module's data section follows its code, so it is read
/// first, in a pass of its own.
pub(super) fn data_segments(
    bytes: &[u8],
) -> Result<Vec<(u32, Vec<u8>)>, wasmparser::BinaryReaderError> {
    let mut out = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        let wasmparser::Payload::DataSection(reader) = payload? else {
            continue;
        };
        for data in reader {
            let data = data?;
            if let wasmparser::DataKind::Active {
                memory_index: 0,
                offset_expr,
            } = data.kind
                && let Some(offset) = const_i32(&offset_expr)
            {
                out.push((offset as u32, data.data.to_vec()));
            }
        }
    }
    Ok(out)
}
