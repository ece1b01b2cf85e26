//! Tags on hand-made components: every memory and table, defined or imported, at any depth.

use wasm_encoder::{
    Component, ExportKind, ExportSection, FunctionSection, ImportSection, IndirectNameMap,
    MemorySection, MemoryType, Module, ModuleSection, NameMap, NameSection, NestedComponentSection,
    RefType, TableSection, TableType, TypeSection,
};
use wasmparser::{Name, NameSectionReader, Parser, Payload, TypeRef, Validator, WasmFeatures};

use super::*;

fn memory(minimum: u64, maximum: Option<u64>) -> MemoryType {
    MemoryType {
        minimum,
        maximum,
        memory64: false,
        shared: false,
        page_size_log2: None,
    }
}

/// A module importing a memory and defining a memory and a table, named `evil` (a package may
/// name its module after another package).
fn module(defined: MemoryType, named: bool) -> Module {
    let mut m = Module::new();
    let mut types = TypeSection::new();
    types.ty().function([], []);
    m.section(&types);
    let mut imports = ImportSection::new();
    imports.import("env", "shared", memory(1, None));
    m.section(&imports);
    let mut funcs = FunctionSection::new();
    funcs.function(0);
    m.section(&funcs);
    let mut tables = TableSection::new();
    tables.table(TableType {
        element_type: RefType::FUNCREF,
        table64: false,
        minimum: 3,
        maximum: Some(3),
        shared: false,
    });
    m.section(&tables);
    let mut memories = MemorySection::new();
    memories.memory(defined);
    m.section(&memories);
    let mut exports = ExportSection::new();
    exports.export("memory", ExportKind::Memory, 1);
    m.section(&exports);
    let mut code = wasm_encoder::CodeSection::new();
    let mut body = wasm_encoder::Function::new([]);
    body.instructions().end();
    code.function(&body);
    m.section(&code);
    if named {
        let mut names = NameSection::new();
        names.module("evil");
        let mut functions = NameMap::new();
        functions.append(0, "evil::run");
        names.functions(&functions);
        names.locals(&IndirectNameMap::new());
        m.section(&names);
    }
    m
}

/// A component holding `inner` at the top and inside a nested component.
fn component(inner: &Module) -> Vec<u8> {
    let mut nested = Component::new();
    nested.section(&ModuleSection(inner));
    let mut c = Component::new();
    c.section(&ModuleSection(inner));
    c.section(&NestedComponentSection(&nested));
    c.finish()
}

/// Declared maxima of memories and tables, module and function names.
type Survey = (Vec<Option<u64>>, Vec<Option<u64>>, Vec<String>, Vec<String>);

/// Every memory type, table type and module name in `bytes`, at any depth.
fn survey(bytes: &[u8]) -> Survey {
    let (mut memories, mut tables, mut modules, mut functions) = (vec![], vec![], vec![], vec![]);
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.unwrap() {
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    if let TypeRef::Memory(ty) = import.unwrap().ty {
                        memories.push(ty.maximum);
                    }
                }
            }
            Payload::MemorySection(reader) => {
                memories.extend(reader.into_iter().map(|m| m.unwrap().maximum));
            }
            Payload::TableSection(reader) => {
                tables.extend(reader.into_iter().map(|t| t.unwrap().ty.maximum));
            }
            Payload::CustomSection(c) if c.name() == "name" => {
                for name in NameSectionReader::new(BinaryReader::new(c.data(), 0)) {
                    match name.unwrap() {
                        Name::Module { name, .. } => modules.push(name.to_string()),
                        Name::Function(map) => {
                            functions.extend(map.into_iter().map(|n| n.unwrap().name.to_string()))
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    (memories, tables, modules, functions)
}

#[test]
fn every_memory_and_table_gets_the_instance_tag_and_every_module_its_name() {
    let original = component(&module(memory(17, Some(20)), true));
    let tagged = tag_component(&original, 3, "nano-app-child").unwrap();
    Validator::new_with_features(WasmFeatures::all())
        .validate_all(&tagged)
        .expect("the tagged component is valid");
    let (memories, tables, modules, functions) = survey(&tagged);
    let pages = tag::memory_maximum_pages(3);
    assert_eq!(
        memories,
        vec![Some(pages); 4],
        "two modules, an import and a definition each"
    );
    assert_eq!(tables, vec![Some(tag::table_maximum(3)); 2]);
    assert_eq!(modules, ["nano-app-child", "nano-app-child"]);
    assert_eq!(
        functions,
        ["evil::run", "evil::run"],
        "function names are kept"
    );
    assert_eq!(
        tag::memory_instance(Some((pages << 16) as usize), 4),
        Some(3)
    );
}

#[test]
fn a_module_without_names_gets_one_and_the_rest_is_copied() {
    let original = component(&module(memory(1, None), false));
    let tagged = tag_component(&original, 0, "nano-app").unwrap();
    let (memories, _, modules, _) = survey(&tagged);
    assert_eq!(memories, vec![Some(1 << 16); 4]);
    assert_eq!(modules, ["nano-app", "nano-app"]);
    // Tagging again with the same tag changes nothing: only the rewritten parts differ.
    assert_eq!(tag_component(&tagged, 0, "nano-app").unwrap(), tagged);
}

#[test]
fn memories_the_runtime_cannot_limit_are_refused() {
    let wide = MemoryType {
        memory64: true,
        ..memory(1, None)
    };
    let err = tag_component(&component(&module(wide, true)), 0, "nano-app").unwrap_err();
    assert_eq!(
        err.to_string(),
        "it declares a 64-bit memory, which cargo-nano cannot limit"
    );
    let shared = MemoryType {
        shared: true,
        ..memory(1, Some(2))
    };
    assert!(tag_component(&component(&module(shared, true)), 0, "n").is_err());
    let huge = tag_component(&component(&module(memory(1 << 16, None), true)), 5, "n");
    assert_eq!(
        huge.unwrap_err().to_string(),
        "it declares a memory larger than 4 GiB from the start"
    );
}
