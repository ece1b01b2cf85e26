//! A seccomp filter that refuses to create sockets.
//!
//! Landlock confines TCP `bind` and `connect` (ABI 4) but not UDP, raw sockets or UNIX sockets
//! (a named one such as Docker's reaches far beyond the build). Refusing `socket(2)` itself closes
//! all of them. It fails with `ENETUNREACH` ("Network is unreachable"), an error every program
//! handles as "no network" and which, unlike Landlock's `EACCES`, tells the report that the
//! network was denied. `io_uring_setup` is refused too, as io_uring can create sockets without
//! the system call. Calls of another architecture's ABI (x86's 32-bit ABI, x32) fail with
//! `ENOSYS`, so they cannot reach `socket` under another number.

use std::io;

const BPF_LD_W_ABS: u16 = 0x20;
const BPF_JEQ_K: u16 = 0x15;
const BPF_JGE_K: u16 = 0x35;
const BPF_RET_K: u16 = 0x06;
const SECCOMP_RET_ALLOW: u32 = 0x7fff_0000;
const SECCOMP_RET_ERRNO: u32 = 0x0005_0000;
/// Offsets in `struct seccomp_data`.
const OFFSET_NR: u32 = 0;
const OFFSET_ARCH: u32 = 4;

#[cfg(target_arch = "x86_64")]
const AUDIT_ARCH: u32 = 0xc000_003e;
#[cfg(target_arch = "aarch64")]
const AUDIT_ARCH: u32 = 0xc000_00b7;
#[cfg(target_arch = "riscv64")]
const AUDIT_ARCH: u32 = 0xc000_00f3;
/// x32 system calls share x86_64's architecture value and set this bit in the number.
#[cfg(target_arch = "x86_64")]
const X32_SYSCALL_BIT: u32 = 0x4000_0000;

fn stmt(code: u16, k: u32) -> libc::sock_filter {
    libc::sock_filter {
        code,
        jt: 0,
        jf: 0,
        k,
    }
}

fn jump(code: u16, k: u32, jt: u8, jf: u8) -> libc::sock_filter {
    libc::sock_filter { code, jt, jf, k }
}

/// The filter program.
#[cfg(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    target_arch = "riscv64"
))]
fn program() -> Vec<libc::sock_filter> {
    let errno = |e: i32| SECCOMP_RET_ERRNO | (e as u32);
    let mut p = vec![
        stmt(BPF_LD_W_ABS, OFFSET_ARCH),
        jump(BPF_JEQ_K, AUDIT_ARCH, 1, 0),
        stmt(BPF_RET_K, errno(libc::ENOSYS)),
        stmt(BPF_LD_W_ABS, OFFSET_NR),
    ];
    #[cfg(target_arch = "x86_64")]
    p.extend([
        jump(BPF_JGE_K, X32_SYSCALL_BIT, 0, 1),
        stmt(BPF_RET_K, errno(libc::ENOSYS)),
    ]);
    p.extend([
        jump(BPF_JEQ_K, libc::SYS_socket as u32, 0, 1),
        stmt(BPF_RET_K, errno(libc::ENETUNREACH)),
        jump(BPF_JEQ_K, libc::SYS_io_uring_setup as u32, 0, 1),
        stmt(BPF_RET_K, errno(libc::ENOSYS)),
        stmt(BPF_RET_K, SECCOMP_RET_ALLOW),
    ]);
    p
}

/// The filter, built before `fork` so that installing it allocates nothing.
pub struct Filter {
    program: Vec<libc::sock_filter>,
}

impl Filter {
    /// The filter of this architecture (empty where there is none: Landlock's TCP rules remain).
    pub fn new() -> Filter {
        #[cfg(any(
            target_arch = "x86_64",
            target_arch = "aarch64",
            target_arch = "riscv64"
        ))]
        let program = program();
        #[cfg(not(any(
            target_arch = "x86_64",
            target_arch = "aarch64",
            target_arch = "riscv64"
        )))]
        let program = Vec::new();
        Filter { program }
    }

    /// Installs the filter on the calling process (and everything it starts).
    pub fn install(&mut self) -> io::Result<()> {
        if self.program.is_empty() {
            return Ok(());
        }
        let prog = libc::sock_fprog {
            len: self.program.len() as u16,
            filter: self.program.as_mut_ptr(),
        };
        // SAFETY: prctl(PR_SET_NO_NEW_PRIVS) takes integer arguments only. Landlock already set
        // it; it is required before an unprivileged process may install a filter.
        if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `prog` points to `self.program`, a live vector of `len` instructions, for the
        // duration of the call; the kernel copies the program and keeps no pointer to it.
        let rc = unsafe {
            libc::prctl(
                libc::PR_SET_SECCOMP,
                libc::SECCOMP_MODE_FILTER,
                &prog as *const libc::sock_fprog,
            )
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }
}
