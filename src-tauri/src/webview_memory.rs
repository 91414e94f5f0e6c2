//! WebKitGTK's memory settings for the window (Linux only; elsewhere
//! nothing is done).
//!
//! The goal is under 300 MiB of PSS for the app and its WebKit processes,
//! idle and while a full scan streams into the Scan step. Measured with
//! `DISPLAY=:94 cargo xtask bench app --launches 5 --no-build` and the same
//! binary with `--webkit-defaults`, back to back, release build, Xvfb, no
//! GPU (WebKit composites with Mesa's llvmpipe), no other WebKit process on
//! the machine (they would share WebKit's libraries and lower the PSS):
//!
//! | WebKit settings                  | idle    | highest during 3 full scans |
//! |----------------------------------|---------|-----------------------------|
//! | WebKit's defaults                | 300 MiB | 400 MiB (web process 272)   |
//! | Skia CPU rendering (kept, below) | 275 MiB | 325 MiB (web process 197)   |
//! | ... and JavaScriptCore's JIT off | 267 MiB | 307 MiB (web process 184)   |
//! | ... and two malloc arenas        | 266 MiB | 302 MiB (app 92, web 183)   |
//! | ... and a fixed mmap threshold   | 274 MiB | 298-299 MiB (app 93, web 178) |
//!
//! (The rows from the JIT on: `cargo xtask bench app --launches 3
//! --no-build` with the variables set in the environment, 2026-12-05. The
//! last row is a later build, whose Scan step shrinks its choices once the
//! scan starts; on it `--webkit-defaults` read 311 idle and 401 at the
//! highest, and the same settings without the fixed threshold 301-305.) With the JIT off the
//! page's WebAssembly runs in JavaScriptCore's interpreter: launch to
//! interactive went from about 720 to 820-860 ms and clicks' p95 from 65 to
//! about 70 ms, both inside their goals; the page does little computing.
//!
//! The goal is met idle and, by a few MiB, during the scans. What the web
//! process grows by during a scan is mostly painted tiles (the walk to the
//! Scan step and the live view); painting them with Skia on the CPU instead of through
//! GL (here llvmpipe) keeps about 75 MiB of them out of the web process, and
//! clicks got no slower (p95 40 ms against 85 ms). The setting is WebKit's
//! environment variable `WEBKIT_SKIA_ENABLE_CPU_RENDERING`, which the web
//! process reads once as it starts, so it is set here before the app starts
//! any thread (and so before WebKit exists); a value the user set is kept.
//!
//! Measured and not kept (each against the defaults in the same conditions,
//! other WebKit processes running, where the defaults read 217 MiB idle and
//! 301 MiB at the highest):
//! - the web context's cache model (document viewer), no back/forward
//!   cache, no WebGL, WebAudio or media, and memory-pressure settings for
//!   the network process (64 MB limit, 5 s poll), through
//!   `WebviewWindow::with_webview` and webkit2gtk: together 217 and 297 MiB,
//!   within the noise (one page, no images, nothing fetched from the
//!   network: those caches stay empty anyway);
//! - `HardwareAccelerationPolicy::Never` (no compositing): 146 and 182 MiB,
//!   and the window still paints (checked at the X level 25 s after start),
//!   but WebKitWebDriver's screenshots then never return, so the end-to-end
//!   tests, which take one after every test, cannot run against it. It would
//!   meet the goal; it is not shipped untested;
//! - the web process's own memory-pressure settings: WebKitGTK 4.1 takes
//!   them only as a construct-only property of the `WebKitWebContext`, and
//!   wry constructs the context without a way to pass them.
//!
//! `PORTCULLIS_WEBKIT_DEFAULTS=all` leaves everything at WebKit's defaults,
//! so that `cargo xtask bench app --webkit-defaults` compares the same
//! binary both ways.

/// Applies the settings that must be in place before WebKit starts. Call it
/// first in `run`, before anything can have started a thread.
pub fn before_start() {
    #[cfg(target_os = "linux")]
    linux::before_start();
}

/// Once the window is gone (closed to the tray), hands the free memory of
/// this process's malloc arenas back to the system: what the window's side
/// of WebKit and GTK freed stays mapped otherwise, and watching from the
/// tray would cost it for hours.
pub fn after_window_closed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    linux::trim();
}

#[cfg(target_os = "linux")]
mod linux {
    /// What the WebKit processes read from their environment as they
    /// start, each with the value set here (see the module's table).
    const ENVIRONMENT: [(&str, &str); 5] = [
        // Skia paints on the CPU instead of through GL.
        ("WEBKIT_SKIA_ENABLE_CPU_RENDERING", "1"),
        // JavaScriptCore runs the page's JavaScript and WebAssembly in its
        // interpreters, without the JIT compilers' code and data.
        ("JSC_useJIT", "0"),
        // glibc's malloc keeps two arenas instead of eight per core.
        ("MALLOC_ARENA_MAX", "2"),
        // Blocks of 128 KiB and more (painted tiles, textures) are mapped
        // on their own and unmapped when freed. Left alone, glibc raises
        // this threshold each time such a block is freed, and the next
        // tiles then come from an arena that keeps the memory.
        ("MALLOC_MMAP_THRESHOLD_", MMAP_THRESHOLD),
        // The free top of an arena goes back to the system past 128 KiB.
        ("MALLOC_TRIM_THRESHOLD_", MMAP_THRESHOLD),
    ];

    /// Returns the free memory of every malloc arena to the system.
    #[cfg(target_env = "gnu")]
    #[allow(unsafe_code)]
    pub(super) fn trim() {
        // SAFETY: malloc_trim takes each arena's lock itself; it only
        // releases pages no allocation uses.
        unsafe {
            libc::malloc_trim(0);
        }
    }

    /// 128 KiB, glibc's starting value, fixed.
    const MMAP_THRESHOLD: &str = "131072";
    const MMAP_THRESHOLD_BYTES: i32 = 128 * 1024;

    #[allow(unsafe_code)]
    pub(super) fn before_start() {
        if std::env::var("PORTCULLIS_WEBKIT_DEFAULTS").is_ok_and(|value| value == "all") {
            return;
        }
        for (name, value) in ENVIRONMENT {
            if std::env::var_os(name).is_none() {
                // SAFETY: `run` calls this before it starts Tauri, GTK or
                // Tokio, so no other thread exists that could read the
                // environment meanwhile.
                unsafe { std::env::set_var(name, value) };
            }
        }
        // This process read its malloc settings before `main`: the same
        // limit, set directly. Tokio's worker threads would otherwise each
        // get an arena of their own.
        // SAFETY: mallopt only changes a malloc parameter; no allocation
        // is in flight across threads, as none exist yet.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
            libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES);
            libc::mallopt(libc::M_TRIM_THRESHOLD, MMAP_THRESHOLD_BYTES);
        }
    }
}
