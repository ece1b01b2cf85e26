//! Instance tags: the copy of a package's component that one instance runs, in which every linear
//! memory and table declares a maximum that names the instance, and every core module is named
//! after the instance's namespace ([`manifest_schema::plan::tag`]).
//!
//! The runtime enforces each instance's memory and table limits with wasmtime's
//! `ResourceLimiter`, which is told the declared maximum of what grows but not whose it is; it
//! reads the tag instead. It names the package running at a trap or a deadline from the module
//! names of the stack frames, which a package could otherwise choose itself. The tags sit far above
//! any limit, so they never bind before the runtime's limit does.
//!
//! Everything else is copied byte for byte: only the import, memory and table sections and the
//! `name` custom section of core modules are rewritten.

use std::borrow::Cow;

use manifest_schema::plan::tag;
use wasm_encoder::reencode::{Error as ReencodeError, Reencode};
use wasm_encoder::{ComponentSectionId, CustomSection, Encode, RawSection};
use wasmparser::{BinaryReader, Parser, Payload};

/// Why a package's component cannot be tagged.
#[derive(Debug, thiserror::Error)]
pub enum TagError {
    /// The component does not parse.
    #[error("failed to parse the component")]
    Parse(#[from] wasmparser::BinaryReaderError),
    /// It uses a kind of memory or table whose size the runtime cannot limit.
    #[error("it declares {0}, which cargo-nano cannot limit")]
    Unsupported(&'static str),
    /// A memory or table starts above the largest tag.
    #[error("it declares a {0} larger than 4 GiB from the start")]
    TooLarge(&'static str),
    /// wasm-encoder could not re-encode a section.
    #[error("failed to rewrite the component: {0}")]
    Encode(String),
}

/// `component` (a package's component) as instance `instance` of the plan, whose namespace is
/// `namespace`, runs it.
pub fn tag_component(
    component: &[u8],
    instance: usize,
    namespace: &str,
) -> Result<Vec<u8>, TagError> {
    let mut tagger = Tagger {
        memory_max: tag::memory_maximum_pages(instance),
        table_max: tag::table_maximum(instance),
        module_name: namespace,
    };
    tagger.component(component)
}

struct Tagger<'a> {
    memory_max: u64,
    table_max: u64,
    module_name: &'a str,
}

impl Tagger<'_> {
    fn component(&mut self, bytes: &[u8]) -> Result<Vec<u8>, TagError> {
        let mut out = wasm_encoder::Component::new();
        let mut depth = 0usize;
        for payload in Parser::new(0).parse_all(bytes) {
            let payload = payload?;
            match &payload {
                Payload::ModuleSection {
                    unchecked_range, ..
                } => {
                    if depth == 0 {
                        let module = self.module(slice(bytes, unchecked_range)?)?;
                        out.section(&raw(ComponentSectionId::CoreModule as u8, &module));
                    }
                    depth += 1;
                }
                Payload::ComponentSection {
                    unchecked_range, ..
                } => {
                    if depth == 0 {
                        let nested = self.component(slice(bytes, unchecked_range)?)?;
                        out.section(&raw(ComponentSectionId::Component as u8, &nested));
                    }
                    depth += 1;
                }
                Payload::End(_) => depth = depth.saturating_sub(1),
                _ if depth > 0 => {}
                other => {
                    if let Some((id, range)) = other.as_section() {
                        out.section(&raw(id, slice(bytes, &range)?));
                    }
                }
            }
        }
        Ok(out.finish())
    }

    fn module(&mut self, bytes: &[u8]) -> Result<Vec<u8>, TagError> {
        let mut out = wasm_encoder::Module::new();
        let mut named = false;
        for payload in Parser::new(0).parse_all(bytes) {
            let payload = payload?;
            match payload {
                Payload::ImportSection(reader) => {
                    let mut section = wasm_encoder::ImportSection::new();
                    self.parse_import_section(&mut section, reader)
                        .map_err(tag_error)?;
                    out.section(&section);
                }
                Payload::MemorySection(reader) => {
                    let mut section = wasm_encoder::MemorySection::new();
                    self.parse_memory_section(&mut section, reader)
                        .map_err(tag_error)?;
                    out.section(&section);
                }
                Payload::TableSection(reader) => {
                    let mut section = wasm_encoder::TableSection::new();
                    self.parse_table_section(&mut section, reader)
                        .map_err(tag_error)?;
                    out.section(&section);
                }
                Payload::CustomSection(custom) if custom.name() == "name" => {
                    // The first one only: wasmtime reads no other.
                    if !named {
                        out.section(&self.name_section(custom.data())?);
                        named = true;
                    }
                }
                other => {
                    if let Some((id, range)) = other.as_section() {
                        out.section(&raw(id, slice(bytes, &range)?));
                    }
                }
            }
        }
        if !named {
            out.section(&self.name_section(&[])?);
        }
        Ok(out.finish())
    }

    /// A `name` section whose module name is the instance's namespace, keeping every other
    /// subsection (function names make backtraces readable).
    fn name_section(&self, data: &[u8]) -> Result<CustomSection<'static>, TagError> {
        let mut module_name = Vec::new();
        self.module_name.encode(&mut module_name);
        let mut out = vec![0u8];
        module_name.len().encode(&mut out);
        out.extend(module_name);
        let mut reader = BinaryReader::new(data, 0);
        while !reader.eof() {
            let id = reader.read_u8()?;
            let size = reader.read_var_u32()?;
            let content = reader.read_bytes(size as usize)?;
            if id != 0 {
                out.push(id);
                content.len().encode(&mut out);
                out.extend_from_slice(content);
            }
        }
        Ok(CustomSection {
            name: Cow::Borrowed("name"),
            data: Cow::Owned(out),
        })
    }
}

impl Reencode for Tagger<'_> {
    type Error = TagError;

    fn memory_type(
        &mut self,
        ty: wasmparser::MemoryType,
    ) -> Result<wasm_encoder::MemoryType, ReencodeError<TagError>> {
        let unsupported = |what| Err(ReencodeError::UserError(TagError::Unsupported(what)));
        if ty.memory64 {
            return unsupported("a 64-bit memory");
        }
        if ty.shared {
            return unsupported("a shared memory");
        }
        if ty.page_size_log2.is_some_and(|log2| log2 != 16) {
            return unsupported("a memory with custom page sizes");
        }
        if ty.initial > self.memory_max {
            return Err(ReencodeError::UserError(TagError::TooLarge("memory")));
        }
        Ok(wasm_encoder::MemoryType {
            minimum: ty.initial,
            maximum: Some(self.memory_max),
            memory64: false,
            shared: false,
            page_size_log2: None,
        })
    }

    fn table_type(
        &mut self,
        ty: wasmparser::TableType,
    ) -> Result<wasm_encoder::TableType, ReencodeError<TagError>> {
        if ty.table64 {
            return Err(ReencodeError::UserError(TagError::Unsupported(
                "a 64-bit table",
            )));
        }
        if ty.shared {
            return Err(ReencodeError::UserError(TagError::Unsupported(
                "a shared table",
            )));
        }
        if ty.initial > self.table_max {
            return Err(ReencodeError::UserError(TagError::TooLarge("table")));
        }
        Ok(wasm_encoder::TableType {
            element_type: self.ref_type(ty.element_type)?,
            table64: false,
            minimum: ty.initial,
            maximum: Some(self.table_max),
            shared: false,
        })
    }
}

fn tag_error(e: ReencodeError<TagError>) -> TagError {
    match e {
        ReencodeError::UserError(e) => e,
        ReencodeError::ParseError(e) => TagError::Parse(e),
        other => TagError::Encode(other.to_string()),
    }
}

fn slice<'a>(bytes: &'a [u8], range: &std::ops::Range<u64>) -> Result<&'a [u8], TagError> {
    usize::try_from(range.start)
        .ok()
        .zip(usize::try_from(range.end).ok())
        .and_then(|(start, end)| bytes.get(start..end))
        .ok_or_else(|| TagError::Encode("a section runs past the end of the component".into()))
}

fn raw(id: u8, data: &[u8]) -> RawSection<'_> {
    RawSection { id, data }
}

#[cfg(test)]
#[path = "tag_tests.rs"]
mod tests;
