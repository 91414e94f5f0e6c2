//! Services that let anyone in: the checks that need their own
//! conversation (FTP anonymous login, Memcached stats, MongoDB
//! listDatabases). Redis, Telnet, SNMP and Elasticsearch are proven by the
//! identification exchange itself.

use portcullis_model::service::{OpenAccess, OpenAccessKind};
use tokio::time::Instant;

use crate::identify::clock::Clock;
use crate::identify::evidence::sanitise;
use crate::identify::probes::{self, PortContext, connect};
use crate::identify::protocols::{ftp, memcached};
use crate::identify::wire::{SMALL_LIMIT, Wire};

/// RFC 1635: USER anonymous, then any password (by convention an e-mail
/// address). A 230 reply means the login was accepted.
pub(crate) async fn ftp_anonymous(ctx: &PortContext, deadline: Instant) -> Option<OpenAccess> {
    let stream = connect(ctx, deadline).await.ok()?;
    let mut wire = Wire::new(stream, SMALL_LIMIT);
    let greet_by = Clock::until(ctx.clock.expected_banner(), deadline);
    wire.read_until(greet_by, ftp::reply_complete).await;
    if ftp::reply_code(&wire.take()) != Some(220) {
        return None;
    }
    let mut last = Vec::new();
    for command in [
        &b"USER anonymous\r\n"[..],
        b"PASS portcullis@example.invalid\r\n",
    ] {
        let reply_by = ctx.reply_by(deadline);
        wire.send(command, reply_by).await.ok()?;
        wire.read_until(reply_by, ftp::reply_complete).await;
        last = wire.take();
        match ftp::reply_code(&last) {
            Some(331) => continue,
            _ => break,
        }
    }
    let _ = wire.send(b"QUIT\r\n", ctx.reply_by(deadline)).await;
    wire.shutdown().await;
    (ftp::reply_code(&last) == Some(230)).then(|| OpenAccess {
        kind: OpenAccessKind::FtpAnonymous,
        detail: format!("anonymous login accepted: {}", sanitise(&last, 200)),
    })
}

/// `stats` answered without SASL.
pub(crate) async fn memcached_stats(ctx: &PortContext, deadline: Instant) -> Option<OpenAccess> {
    let stream = connect(ctx, deadline).await.ok()?;
    let mut wire = Wire::new(stream, SMALL_LIMIT);
    let reply_by = ctx.reply_by(deadline);
    wire.send(memcached::STATS, reply_by).await.ok()?;
    wire.read_until(reply_by, memcached::stats_complete).await;
    let detail = memcached::parse_stats(wire.received());
    wire.shutdown().await;
    detail.map(|detail| OpenAccess {
        kind: OpenAccessKind::MemcachedNoAuth,
        detail,
    })
}

/// listDatabases succeeded without credentials.
pub(crate) async fn mongodb_open(ctx: &PortContext, deadline: Instant) -> Option<OpenAccess> {
    probes::mongodb_lists_databases(ctx, deadline)
        .await
        .then(|| OpenAccess {
            kind: OpenAccessKind::MongoDbNoAuth,
            detail: "listDatabases succeeded without authentication (database names not kept)"
                .into(),
        })
}
