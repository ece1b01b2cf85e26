//! Bindings of the shared, handle-only WASI interfaces.
//!
//! These act only on handles (descriptors, streams, sockets) that a root function of the caller's
//! own package handed out; the component model keeps each instance's handles in its own table, so
//! one package cannot name another's. They run against [`NanoState::neutral`], which holds nothing.

use wasmtime::component::{HasData, Linker, ResourceTable};
use wasmtime_wasi::cli::{WasiCli, WasiCliView};
use wasmtime_wasi::filesystem::{WasiFilesystem, WasiFilesystemView};
use wasmtime_wasi::p2::bindings::{cli, io, sockets, sync};
use wasmtime_wasi::sockets::{WasiSockets, WasiSocketsView};

use crate::state::NanoState;

struct HasTable;

impl HasData for HasTable {
    type Data<'a> = &'a mut ResourceTable;
}

fn table(state: &mut NanoState) -> &mut ResourceTable {
    &mut state.table
}

/// Adds every shared interface of [`manifest_schema::wasi::SHARED_INTERFACES`] to `linker`, and
/// nothing else: root interfaces are never bound under their plain names.
pub fn add_shared(linker: &mut Linker<NanoState>) -> wasmtime::Result<()> {
    type S = NanoState;
    io::error::add_to_linker::<S, HasTable>(linker, table)?;
    sync::io::poll::add_to_linker::<S, HasTable>(linker, table)?;
    sync::io::streams::add_to_linker::<S, HasTable>(linker, table)?;
    sync::filesystem::types::add_to_linker::<S, WasiFilesystem>(
        linker,
        <S as WasiFilesystemView>::filesystem,
    )?;
    cli::terminal_input::add_to_linker::<S, WasiCli>(linker, <S as WasiCliView>::cli)?;
    cli::terminal_output::add_to_linker::<S, WasiCli>(linker, <S as WasiCliView>::cli)?;
    let options = sockets::network::LinkOptions::default();
    sockets::network::add_to_linker::<S, WasiSockets>(
        linker,
        &options,
        <S as WasiSocketsView>::sockets,
    )?;
    sockets::ip_name_lookup::add_to_linker::<S, WasiSockets>(
        linker,
        <S as WasiSocketsView>::sockets,
    )?;
    sync::sockets::tcp::add_to_linker::<S, WasiSockets>(linker, <S as WasiSocketsView>::sockets)?;
    sync::sockets::udp::add_to_linker::<S, WasiSockets>(linker, <S as WasiSocketsView>::sockets)?;
    // One function of `filesystem/types` is checked before it delegates: symlinks out of a slot.
    crate::symlinks::add(linker)?;
    Ok(())
}
