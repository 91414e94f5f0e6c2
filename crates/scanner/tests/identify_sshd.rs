//! SSH posture against a real OpenSSH server on 127.0.0.1: one with
//! password login on, one with it off. The login methods are asked with
//! russh's "none" attempt for a made-up user; nothing is ever
//! authenticated. When sshd is not installed or cannot start here, each
//! test fails saying so, with sshd's own log (see
//! `identify_support::cannot_run`).

use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use portcullis_model::scan::Protocol;
use portcullis_scanner::identify::{IdentifyOptions, IdentifyTarget, identify_one};
use tempfile::TempDir;

mod identify_support;
use identify_support::cannot_run;

const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
const SSHD: &str = "/usr/sbin/sshd";

/// Where sshd running as root chroots its unprivileged child: compiled
/// into OpenSSH, so no option moves it. Debian's systemd unit makes it
/// (`RuntimeDirectory=sshd`) when it starts the machine's own sshd, and
/// `/run` is emptied at every boot, so on a machine whose sshd never ran
/// it is missing until someone makes it.
const PRIVILEGE_SEPARATION_DIR: &str = "/run/sshd";

/// Makes [`PRIVILEGE_SEPARATION_DIR`] the way Debian's unit does (root's,
/// mode 0755) when it is missing. Only root can, and only sshd run as root
/// needs it: for anyone else there is nothing to do.
fn ensure_privilege_separation_dir() {
    use std::os::unix::fs::DirBuilderExt;
    match std::fs::DirBuilder::new()
        .mode(0o755)
        .create(PRIVILEGE_SEPARATION_DIR)
    {
        Ok(()) => {}
        Err(error)
            if matches!(
                error.kind(),
                std::io::ErrorKind::AlreadyExists | std::io::ErrorKind::PermissionDenied
            ) => {}
        Err(error) => panic!("cannot create {PRIVILEGE_SEPARATION_DIR}: {error}"),
    }
}

struct Sshd {
    child: Child,
    port: u16,
    _dir: TempDir,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts sshd in the foreground with its own host key and configuration.
fn sshd(password_login: bool) -> Option<Sshd> {
    if !Path::new(SSHD).exists() || Command::new("ssh-keygen").arg("-?").output().is_err() {
        cannot_run("OpenSSH (sshd, ssh-keygen) is not installed");
        return None;
    }
    ensure_privilege_separation_dir();
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("host_ed25519");
    let made = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(&key)
        .status()
        .unwrap();
    assert!(made.success(), "ssh-keygen failed");
    let port = TcpListener::bind((LOOPBACK, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let yes_no = |on: bool| if on { "yes" } else { "no" };
    let config = dir.path().join("sshd_config");
    std::fs::write(
        &config,
        format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nPidFile {}\nUsePAM no\nPasswordAuthentication {}\nKbdInteractiveAuthentication no\nPubkeyAuthentication yes\n",
            key.display(),
            dir.path().join("sshd.pid").display(),
            yes_no(password_login),
        ),
    )
    .unwrap();
    let log = dir.path().join("sshd.log");
    let child = Command::new(SSHD)
        .arg("-D")
        .arg("-f")
        .arg(&config)
        .arg("-E")
        .arg(&log)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut server = Sshd {
        child,
        port,
        _dir: dir,
    };
    let started = Instant::now();
    while std::net::TcpStream::connect((LOOPBACK, port)).is_err() {
        if let Ok(Some(status)) = server.child.try_wait() {
            let said = std::fs::read_to_string(&log).unwrap_or_default();
            cannot_run(&format!(
                "sshd could not start here ({status}); it said: {}",
                said.trim()
            ));
            return None;
        }
        if started.elapsed() > Duration::from_secs(10) {
            cannot_run("sshd did not start listening within 10 s");
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Some(server)
}

async fn ssh_posture(server: &Sshd) -> portcullis_model::service::SshPosture {
    let target = IdentifyTarget {
        address: LOOPBACK,
        host_name: None,
        port: server.port,
        protocol: Protocol::Tcp,
        rtt: Some(Duration::from_micros(100)),
    };
    let options = IdentifyOptions {
        posture: true,
        ..IdentifyOptions::default()
    };
    let started = Instant::now();
    let report = identify_one(&target, &options).await;
    println!(
        "{:?} {:?} identified and assessed in {:.3} s",
        report.identity.product,
        report.identity.version,
        started.elapsed().as_secs_f64()
    );
    assert_eq!(report.identity.service, "ssh");
    assert_eq!(report.identity.product.as_deref(), Some("OpenSSH"));
    report.posture.ssh.expect("SSH posture")
}

#[tokio::test]
async fn password_login_on_is_reported() {
    let Some(server) = sshd(true) else { return };
    let ssh = ssh_posture(&server).await;
    assert_eq!(ssh.password_login, Some(true));
    assert!(
        ssh.auth_methods.contains(&"password".to_owned()),
        "{:?}",
        ssh.auth_methods
    );
    assert!(ssh.banner.starts_with("SSH-2.0-OpenSSH_"));
    assert!(
        ssh.kex.contains(&"curve25519-sha256".to_owned()),
        "{:?}",
        ssh.kex
    );
    assert!(
        ssh.host_key.contains(&"ssh-ed25519".to_owned()),
        "{:?}",
        ssh.host_key
    );
}

#[tokio::test]
async fn password_login_off_is_reported() {
    let Some(server) = sshd(false) else { return };
    let ssh = ssh_posture(&server).await;
    assert_eq!(ssh.password_login, Some(false));
    assert_eq!(ssh.auth_methods, ["publickey"]);
}
