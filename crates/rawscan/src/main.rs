//! `portcullis-rawscan`: the raw-socket helper, the only Portcullis program
//! that holds CAP_NET_RAW (the Debian package's post-install grants it to
//! this file alone, as Wireshark's grants it to `dumpcap`). The desktop
//! window and the CLI start it for a SYN scan when they cannot send raw
//! packets themselves; without it, they use the connect scan and say so.
//!
//! Kept minimal on purpose, since whatever it does, it does with the
//! capability: it drops every other capability and forbids gaining any
//! (`PR_SET_NO_NEW_PRIVS`) before it reads anything, reads one bounded
//! request (addresses, ports, timing) from standard input, refuses anything
//! malformed, and runs the SYN scan's rounds only: no discovery, no
//! service identification, no file, no other program. The protocol and its
//! bounds are `portcullis_scanner::rawscan`.
//!
//! `portcullis-rawscan --check` says, by its exit status, whether it can
//! open a raw socket (0) or not (1), and sends nothing.
//!
//! Linux only, as the SYN scan is; elsewhere it says so and exits 2.

use std::process::ExitCode;

#[cfg(target_os = "linux")]
mod confine;

fn main() -> ExitCode {
    #[cfg(target_os = "linux")]
    {
        linux_main()
    }
    #[cfg(not(target_os = "linux"))]
    {
        eprintln!("portcullis-rawscan: SYN scanning is built for Linux only");
        ExitCode::from(2)
    }
}

#[cfg(target_os = "linux")]
fn linux_main() -> ExitCode {
    use portcullis_scanner::rawscan::serve::{Outcome, serve};

    if let Err(error) = confine::drop_privileges() {
        eprintln!("portcullis-rawscan: cannot drop capabilities: {error}");
        return ExitCode::from(3);
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => match serve(std::io::BufReader::new(std::io::stdin()), std::io::stdout()) {
            Outcome::Scanned => ExitCode::SUCCESS,
            Outcome::Refused => ExitCode::from(2),
            Outcome::Failed => ExitCode::FAILURE,
        },
        [flag] if flag == "--check" => {
            if portcullis_scanner::privilege::can_use_raw_sockets() {
                ExitCode::SUCCESS
            } else {
                eprintln!("portcullis-rawscan: no CAP_NET_RAW: cannot open a raw socket");
                ExitCode::FAILURE
            }
        }
        _ => {
            eprintln!(
                "usage: portcullis-rawscan [--check]\n\
                 reads one scan request (JSON) on standard input; started by Portcullis"
            );
            ExitCode::from(2)
        }
    }
}
