//! Handing the memory a load freed back to the system.
//!
//! A preload allocates its rows and scratch on several threads, so glibc
//! keeps the freed memory in several arenas and the process stays as large
//! as the load's peak. `malloc_trim` releases the free pages of every arena.

/// Releases the allocator's free memory to the system (glibc only; a no-op
/// elsewhere). Costs a walk over the free lists: call it after a load, not
/// per decode.
pub(crate) fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: `malloc_trim` takes no pointer and only touches glibc's own
    // free lists under its arena locks; any pad value is valid.
    unsafe {
        libc::malloc_trim(0);
    }
}
