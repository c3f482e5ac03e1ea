//! The `crewdesk` binary: see `server::cli`.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    return_large_blocks_at_once();
    server::cli::run().await
}

/// Every password check allocates one 19 MiB block (argon2id). glibc serves the first from
/// `mmap` and then raises its threshold, so later blocks come from the heap and stay with the
/// process: 200 sign-ins left 370 MB behind (scripts/bench-flood.sh). A fixed threshold of
/// 1 MiB keeps large blocks on `mmap`, returned to the system when freed.
fn return_large_blocks_at_once() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes an allocator setting; it is called before any other
    // thread exists and is given a valid parameter and value.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}
