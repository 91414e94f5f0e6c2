//! SSH posture: the algorithms the server's KEXINIT offers (read by hand:
//! it is sent in the clear), the weak ones among them, and the login
//! methods it offers, asked with a real SSH client (russh) that tries the
//! "none" method for a made-up user and reads the methods listed in the
//! refusal (RFC 4252 5.2). No credential is ever sent.

use std::sync::Arc;
use std::time::Duration;

use portcullis_model::service::{AlgorithmConcern, SshPosture, WeakAlgorithm};
use russh::client::{self, AuthResult};
use tokio::time::{Instant, timeout_at};

use crate::identify::clock::Clock;
use crate::identify::probes::{PortContext, connect};
use crate::identify::protocols::ssh::{self, KexInit, SshBanner};
use crate::identify::wire::{SMALL_LIMIT, Wire};

/// Reads the banner and KEXINIT, then asks for the login methods.
pub(crate) async fn assess(ctx: &PortContext, deadline: Instant) -> Option<SshPosture> {
    let (banner, kexinit) = banner_and_kexinit(ctx, deadline).await?;
    let auth_methods = login_methods(ctx, deadline).await.unwrap_or_default();
    let password_login = (!auth_methods.is_empty()).then(|| {
        auth_methods
            .iter()
            .any(|m| m == "password" || m == "keyboard-interactive")
    });
    let kexinit = kexinit.unwrap_or_default();
    let weak = weak_algorithms(&banner, &kexinit);
    Some(SshPosture {
        banner: banner.line,
        kex: kexinit.kex.clone(),
        host_key: kexinit.host_key.clone(),
        ciphers: union(
            &kexinit.ciphers_server_to_client,
            &kexinit.ciphers_client_to_server,
        ),
        macs: union(
            &kexinit.macs_server_to_client,
            &kexinit.macs_client_to_server,
        ),
        weak,
        auth_methods,
        password_login,
    })
}

async fn banner_and_kexinit(
    ctx: &PortContext,
    deadline: Instant,
) -> Option<(SshBanner, Option<KexInit>)> {
    let stream = connect(ctx, deadline).await.ok()?;
    let mut wire = Wire::new(stream, SMALL_LIMIT);
    let listen_by = Clock::until(ctx.clock.expected_banner(), deadline);
    wire.read_until(listen_by, ssh::banner_complete).await;
    let banner = ssh::parse_banner(wire.received())?;
    let reply_by = ctx.reply_by(deadline);
    let _ = wire.send(ssh::CLIENT_ID, reply_by).await;
    let start = banner.consumed;
    wire.read_until(reply_by, |b| {
        b.get(start..).is_some_and(ssh::packet_complete)
    })
    .await;
    let kexinit = wire.received().get(start..).and_then(ssh::parse_kexinit);
    wire.shutdown().await;
    Some((banner, kexinit))
}

/// The weak algorithms offered, each named once, with why; plus the
/// Terrapin exposure and protocol 1.
fn weak_algorithms(banner: &SshBanner, kexinit: &KexInit) -> Vec<WeakAlgorithm> {
    let mut weak: Vec<WeakAlgorithm> = Vec::new();
    if banner.protocol.starts_with("1.") {
        weak.push(weak_one(
            format!("SSH protocol {}", banner.protocol),
            "SSH protocol 1 is broken (session hijacking, weak integrity)",
            AlgorithmConcern::Weak,
        ));
    }
    let every = kexinit
        .kex
        .iter()
        .chain(&kexinit.host_key)
        .chain(&kexinit.ciphers_server_to_client)
        .chain(&kexinit.ciphers_client_to_server)
        .chain(&kexinit.macs_server_to_client)
        .chain(&kexinit.macs_client_to_server);
    for name in every {
        if weak.iter().any(|w| &w.name == name) {
            continue;
        }
        let concern = match (ssh::weakness(name), ssh::dated(name)) {
            (Some(why), _) => (why, AlgorithmConcern::Weak),
            (None, Some(why)) => (why, AlgorithmConcern::Dated),
            (None, None) => continue,
        };
        weak.push(weak_one(name.clone(), concern.0, concern.1));
    }
    if let Some(name) = ssh::terrapin_exposed(kexinit) {
        weak.push(weak_one(
            name,
            "Terrapin (CVE-2023-48795): offered without strict key exchange",
            AlgorithmConcern::Weak,
        ));
    }
    weak
}

fn weak_one(name: String, why: &str, concern: AlgorithmConcern) -> WeakAlgorithm {
    WeakAlgorithm {
        name,
        why: why.into(),
        concern,
    }
}

fn union(first: &[String], second: &[String]) -> Vec<String> {
    let mut all = first.to_vec();
    for name in second {
        if !all.contains(name) {
            all.push(name.clone());
        }
    }
    all
}

/// Accepts any host key: we are asking, not logging in.
struct AskOnly;

impl client::Handler for AskOnly {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        _server_public_key: &russh::keys::PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        Ok(true)
    }
}

/// The methods the server lists after refusing "none" for a user that
/// does not exist; `None` when the question could not be asked.
async fn login_methods(ctx: &PortContext, deadline: Instant) -> Option<Vec<String>> {
    let stream = connect(ctx, deadline).await.ok()?;
    let config = Arc::new(client::Config {
        inactivity_timeout: Some(Duration::from_secs(10)),
        ..client::Config::default()
    });
    let ask_by = Clock::until(ctx.clock.reply() * 4, deadline);
    let mut handle = timeout_at(ask_by, client::connect_stream(config, stream, AskOnly))
        .await
        .ok()?
        .ok()?;
    let user = format!("portcullis-probe-{:08x}", fastrand::u32(..));
    let answer = timeout_at(ask_by, handle.authenticate_none(user))
        .await
        .ok()?
        .ok()?;
    let methods = match answer {
        AuthResult::Success => vec!["none".to_owned()],
        AuthResult::Failure {
            remaining_methods, ..
        } => remaining_methods
            .iter()
            .map(|method| <&str>::from(method).to_owned())
            .collect(),
    };
    let _ = timeout_at(
        Clock::until(Duration::from_millis(500), deadline),
        handle.disconnect(russh::Disconnect::ByApplication, "", "en"),
    )
    .await;
    Some(methods)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_algorithms_are_listed_once_with_why() {
        let banner = ssh::parse_banner(b"SSH-1.99-OpenSSH_5.3\r\n").unwrap();
        let kexinit = KexInit {
            kex: vec![
                "diffie-hellman-group1-sha1".into(),
                "curve25519-sha256".into(),
            ],
            host_key: vec!["ssh-dss".into(), "ssh-ed25519".into()],
            ciphers_client_to_server: vec!["aes128-cbc".into(), "aes128-ctr".into()],
            ciphers_server_to_client: vec!["aes128-cbc".into()],
            macs_client_to_server: vec!["hmac-md5".into(), "hmac-sha1".into()],
            macs_server_to_client: vec!["hmac-sha2-256".into()],
            compression: vec![],
        };
        let weak = weak_algorithms(&banner, &kexinit);
        let names: Vec<&str> = weak.iter().map(|w| w.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "SSH protocol 1.99",
                "diffie-hellman-group1-sha1",
                "ssh-dss",
                "aes128-cbc",
                "hmac-md5",
                "hmac-sha1"
            ]
        );
        let concerns: Vec<AlgorithmConcern> = weak.iter().map(|w| w.concern).collect();
        assert_eq!(concerns[..5], [AlgorithmConcern::Weak; 5]);
        assert_eq!(concerns[5], AlgorithmConcern::Dated);
        assert_eq!(union(&["a".into()], &["b".into(), "a".into()]), ["a", "b"]);
    }
}
