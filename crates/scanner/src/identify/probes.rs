//! Running one probe against one port: connect (plain or TLS), send the
//! protocol's request, read the answer within the deadline, and recognise
//! it, by the probe's own parser first and then by every greeting parser
//! (an SSH server on port 80 answers an HTTP request with its banner).

use std::io;
use std::net::SocketAddr;

use portcullis_model::service::{OpenAccess, OpenAccessKind};
use tokio::net::TcpStream;
use tokio::time::Instant;

use super::clock::Clock;
use super::evidence::{MAX_EVIDENCE, sanitise};
use super::found::Found;
use super::plan::{self, Probe};
use super::protocols::{
    Identified, Proto, amqp, banner, bson, dns, ftp, http, ldap, mail, memcached, mongodb, mqtt,
    postgres, rdp, redis, smb, vnc,
};
use super::tls::client::{self as tls_client, TlsFailure};
use super::wire::{LARGE_LIMIT, ReadEnd, SMALL_LIMIT, Wire};

/// The port being identified.
#[derive(Debug, Clone)]
pub(crate) struct PortContext {
    pub address: SocketAddr,
    /// The name the user gave for the host, if any.
    pub host_name: Option<String>,
    pub clock: Clock,
    /// What the port number suggests.
    pub hint: Option<Proto>,
    /// The hinted service speaks first: wait longer for its banner.
    pub banner_expected: bool,
}

impl PortContext {
    /// The Host header's name: the user's name, else nothing (the address
    /// is used).
    fn host(&self) -> &str {
        self.host_name.as_deref().unwrap_or("")
    }

    /// When the answer to a request sent now is due.
    pub(crate) fn reply_by(&self, deadline: Instant) -> Instant {
        Clock::until(self.clock.reply(), deadline)
    }
}

/// What a probe learnt.
#[derive(Debug)]
pub(crate) enum Outcome {
    Found(Box<Found>),
    /// Something answered, in no protocol we know; the bytes are kept as
    /// evidence.
    Unrecognised(Vec<u8>),
    /// Nothing came back.
    Silent,
    /// The connection was refused: the port closed since the scan.
    Refused,
}

impl Outcome {
    fn found(found: Found) -> Outcome {
        Outcome::Found(Box::new(found))
    }
}

/// Opens a TCP connection for one probe.
pub(crate) async fn connect(ctx: &PortContext, deadline: Instant) -> Result<TcpStream, Outcome> {
    Wire::connect(ctx.address, ctx.clock.connect(), deadline)
        .await
        .map_err(|error| match error.kind() {
            io::ErrorKind::ConnectionRefused => Outcome::Refused,
            _ => Outcome::Silent,
        })
}

/// Runs `probe` over a fresh plain connection (or, for [`Probe::Tls`], a
/// TLS one with the hinted service inside).
pub(crate) async fn run(probe: Probe, ctx: &PortContext, deadline: Instant) -> Outcome {
    match probe {
        Probe::Tls => return tls(ctx, deadline).await,
        Probe::Postgres => return postgres(ctx, deadline).await,
        _ => {}
    }
    let stream = match connect(ctx, deadline).await {
        Ok(stream) => stream,
        Err(outcome) => return outcome,
    };
    let limit = if probe == Probe::Http {
        LARGE_LIMIT
    } else {
        SMALL_LIMIT
    };
    let mut wire = Wire::new(stream, limit).with_quiet(ctx.clock.quiet());
    let outcome = speak(probe, &mut wire, ctx, deadline, false).await;
    wire.shutdown().await;
    outcome
}

/// TLS first, then the hinted service inside.
async fn tls(ctx: &PortContext, deadline: Instant) -> Outcome {
    let stream = match connect(ctx, deadline).await {
        Ok(stream) => stream,
        Err(outcome) => return outcome,
    };
    let handshake_by = ctx.reply_by(deadline);
    let address = ctx.address.ip();
    match tls_client::connect(stream, ctx.host_name.as_deref(), address, handshake_by).await {
        Ok((stream, handshake)) => {
            let mut wire = Wire::new(stream, LARGE_LIMIT).with_quiet(ctx.clock.quiet());
            let inner = plan::inside_tls(ctx.hint);
            let outcome = speak(inner, &mut wire, ctx, deadline, true).await;
            wire.shutdown().await;
            let mut found = match outcome {
                Outcome::Found(found) => *found,
                Outcome::Unrecognised(bytes) => Found {
                    evidence: bytes,
                    ..Found::default()
                },
                Outcome::Silent | Outcome::Refused => Found::default(),
            };
            found.tls = true;
            found.facts.handshake = Some(handshake);
            Outcome::found(found)
        }
        Err(TlsFailure::SpokeTls(why)) => {
            let mut found = Found {
                tls: true,
                ..Found::default()
            };
            found.facts.tls_failure = Some(why);
            Outcome::found(found)
        }
        Err(TlsFailure::NotTls) => Outcome::Silent,
    }
}

/// Sends `probe`'s request over `wire` and recognises the answer.
pub(crate) async fn speak(
    probe: Probe,
    wire: &mut Wire,
    ctx: &PortContext,
    deadline: Instant,
    tls: bool,
) -> Outcome {
    let reply_by = ctx.reply_by(deadline);
    let request: Vec<u8> = match probe {
        Probe::Banner => return banner(wire, ctx, deadline).await,
        Probe::Http => http::get("/", ctx.host(), ctx.address.ip(), ctx.address.port(), tls),
        Probe::Redis => redis::PING.to_vec(),
        Probe::Memcached => memcached::VERSION.to_vec(),
        Probe::MongoDb => mongodb::command(1, "hello", &[]),
        Probe::Rdp => rdp::connection_request(),
        Probe::Smb => smb::negotiate_request(),
        Probe::Ldap => ldap::root_dse_search(),
        Probe::Mqtt => mqtt::connect(),
        Probe::Amqp => amqp::PROTOCOL_HEADER.to_vec(),
        Probe::DnsTcp => dns::over_tcp(&dns::version_query()),
        Probe::Tls | Probe::Postgres => return Outcome::Silent, // not spoken over a wire
    };
    if wire.send(&request, reply_by).await.is_err() {
        return recognise_leftovers(wire, ctx);
    }
    let complete: fn(&[u8]) -> bool = match probe {
        Probe::Http => http::response_complete,
        Probe::Redis | Probe::Memcached => |b: &[u8]| b.contains(&b'\n'),
        Probe::MongoDb => mongodb::message_complete,
        Probe::Rdp => rdp::complete,
        Probe::Smb => smb::complete,
        Probe::Ldap => super::protocols::ber::complete,
        Probe::Mqtt => |b: &[u8]| b.len() >= 4,
        Probe::Amqp => amqp::complete,
        Probe::DnsTcp => dns::tcp_complete,
        Probe::Banner | Probe::Tls | Probe::Postgres => |_: &[u8]| true,
    };
    wire.read_until(reply_by, complete).await;
    let answer = wire.received().to_vec();
    let recognised = match probe {
        Probe::Http => http_answer(&answer),
        Probe::Redis => return redis_answer(wire, &answer, ctx, deadline).await,
        Probe::Memcached => {
            memcached::identify(&answer).map(|i| Found::identified(i, answer.clone()))
        }
        Probe::MongoDb => return mongodb_answer(wire, &answer, ctx, deadline).await,
        Probe::Rdp => rdp::identify(&answer).map(|i| Found::identified(i, answer.clone())),
        Probe::Smb => smb::identify(&answer).map(|i| Found::identified(i, answer.clone())),
        Probe::Ldap => ldap::parse_root_dse(&answer)
            .map(|attributes| Found::identified(ldap::identify(&attributes), answer.clone())),
        Probe::Mqtt => match mqtt::identify(&answer) {
            Some((found, accepted)) => {
                if accepted {
                    let _ = wire.send(&mqtt::DISCONNECT, reply_by).await;
                }
                Some(Found::identified(found, answer.clone()))
            }
            None => None,
        },
        Probe::Amqp => amqp::identify(&answer).map(|i| Found::identified(i, answer.clone())),
        Probe::DnsTcp => answer
            .get(2..)
            .and_then(dns::parse_response)
            .map(|a| Found::identified(dns::identify(Some(&a)), answer.clone())),
        Probe::Banner | Probe::Tls | Probe::Postgres => None,
    };
    match recognised {
        Some(found) => Outcome::found(found),
        None => recognise_leftovers(wire, ctx),
    }
}

/// Whatever arrived, recognised by any greeting or as HTTP; else kept as
/// unrecognised evidence.
fn recognise_leftovers(wire: &Wire, ctx: &PortContext) -> Outcome {
    let bytes = wire.received();
    if bytes.is_empty() {
        return Outcome::Silent;
    }
    if let Some(identified) = banner::classify(bytes, ctx.hint) {
        return Outcome::found(greeting_found(identified, bytes.to_vec()));
    }
    if let Some(found) = http_answer(bytes) {
        return Outcome::found(found);
    }
    Outcome::Unrecognised(bytes.to_vec())
}

/// Listens for a greeting, then asks the follow-up questions some
/// protocols need.
async fn banner(wire: &mut Wire, ctx: &PortContext, deadline: Instant) -> Outcome {
    let wait = if ctx.banner_expected {
        ctx.clock.expected_banner()
    } else {
        ctx.clock.possible_banner()
    };
    let listen_by = Clock::until(wait, deadline);
    wire.read_until(listen_by, banner::complete).await;
    // A multi-line greeting may still be arriving: give it a moment.
    if wire.received().starts_with(b"220-") {
        wire.read_until(ctx.reply_by(deadline), ftp::reply_complete)
            .await;
    }
    let greeting = wire.take();
    let Some(mut identified) = banner::classify(&greeting, ctx.hint) else {
        return match greeting.is_empty() {
            true => Outcome::Silent,
            false => Outcome::Unrecognised(greeting),
        };
    };
    let reply_by = ctx.reply_by(deadline);
    match identified.proto {
        Proto::Smtp if wire.send(mail::EHLO, reply_by).await.is_ok() => {
            wire.read_until(reply_by, ftp::reply_complete).await;
            let extensions = mail::ehlo_extensions(&wire.take());
            if !extensions.is_empty() {
                identified.add_extra(format!("EHLO: {}", extensions.join(" ")));
            }
        }
        Proto::Vnc if wire.send(vnc::CLIENT_VERSION, reply_by).await.is_ok() => {
            wire.read_until(reply_by, |b| {
                b.first().is_some_and(|n| b.len() > usize::from(*n))
            })
            .await;
            if let Some(types) = vnc::security_types(&wire.take()) {
                identified.add_extra(format!("security types: {}", types.join(", ")));
            }
        }
        _ => {}
    }
    Outcome::found(greeting_found(identified, greeting))
}

/// A greeting's finding, with the open access it proves by itself.
fn greeting_found(identified: Identified, greeting: Vec<u8>) -> Found {
    let telnet = identified.proto == Proto::Telnet;
    let mut found = Found::identified(identified, greeting);
    if telnet {
        found.facts.open_access.push(OpenAccess {
            kind: OpenAccessKind::TelnetPresent,
            detail: format!("telnet answered: {}", sanitise(&found.evidence, 200)),
        });
    }
    found
}

/// An HTTP response, with the products its headers name.
fn http_answer(bytes: &[u8]) -> Option<Found> {
    let response = http::parse_response(bytes)?;
    let (identified, components) = http::identify(&response);
    let mut found = Found::identified(identified, bytes.to_vec());
    if http::search_engine_open(&response) {
        found.facts.open_access.push(OpenAccess {
            kind: OpenAccessKind::ElasticsearchNoAuth,
            detail: format!(
                "GET / returned the cluster information without authentication: {}",
                sanitise(&response.body, 300)
            ),
        });
    }
    found.facts.components = components;
    found.facts.http = Some(response);
    Some(found)
}

/// Whether an HTTP answer says the port expects TLS ("The plain HTTP
/// request was sent to HTTPS port").
pub(crate) fn wants_tls(found: &Found) -> bool {
    found.facts.http.as_ref().is_some_and(|response| {
        let body = String::from_utf8_lossy(&response.body).to_ascii_lowercase();
        response.status == 400
            && (body.contains("plain http request was sent to https port")
                || body.contains("speaking plain http to an ssl-enabled server port"))
    })
}

/// PING, then INFO server when PING was answered without authentication.
async fn redis_answer(
    wire: &mut Wire,
    answer: &[u8],
    ctx: &PortContext,
    deadline: Instant,
) -> Outcome {
    let Some(ping) = redis::parse_ping(answer) else {
        return recognise_leftovers(wire, ctx);
    };
    let evidence = answer.to_vec();
    let found = match ping {
        redis::PingAnswer::Pong => {
            wire.take();
            let reply_by = ctx.reply_by(deadline);
            let mut identified = Identified::product(Proto::Redis, "Redis", None);
            if wire.send(redis::INFO_SERVER, reply_by).await.is_ok() {
                wire.read_until(reply_by, redis::bulk_complete).await;
                if let Some(info) = redis::identify_info(wire.received()) {
                    identified = info;
                }
            }
            let mut found = Found::identified(identified, evidence);
            found.facts.open_access.push(OpenAccess {
                kind: OpenAccessKind::RedisNoAuth,
                detail: "PING was answered +PONG, and INFO read, without authentication".into(),
            });
            found
        }
        redis::PingAnswer::Refused(text) => {
            let mut identified = Identified::product(Proto::Redis, "Redis", None);
            identified.add_extra(format!("refused without authentication: {text}"));
            Found::identified(identified, evidence)
        }
        redis::PingAnswer::Error(text) => {
            let mut identified = Identified::protocol(Proto::Redis);
            identified.add_extra(text);
            Found::identified(identified, evidence)
        }
    };
    Outcome::found(found)
}

/// hello, then buildInfo for the version.
async fn mongodb_answer(
    wire: &mut Wire,
    answer: &[u8],
    ctx: &PortContext,
    deadline: Instant,
) -> Outcome {
    let Some(mut identified) =
        mongodb::parse_reply(answer).and_then(|f| mongodb::identify_hello(&f))
    else {
        return recognise_leftovers(wire, ctx);
    };
    let evidence = answer.to_vec();
    wire.take();
    let reply_by = ctx.reply_by(deadline);
    let build_info = mongodb::command(2, "buildInfo", &[]);
    if wire.send(&build_info, reply_by).await.is_ok() {
        wire.read_until(reply_by, mongodb::message_complete).await;
        identified.version = mongodb::parse_reply(wire.received())
            .and_then(|fields| mongodb::build_info_version(&fields));
    }
    Outcome::found(Found::identified(identified, evidence))
}

/// Whether listDatabases succeeds without credentials (posture).
pub(crate) async fn mongodb_lists_databases(ctx: &PortContext, deadline: Instant) -> bool {
    let Ok(stream) = connect(ctx, deadline).await else {
        return false;
    };
    let mut wire = Wire::new(stream, LARGE_LIMIT);
    let reply_by = ctx.reply_by(deadline);
    let request = mongodb::command(3, "listDatabases", &[("nameOnly", bson::Value::Bool(true))]);
    if wire.send(&request, reply_by).await.is_err() {
        return false;
    }
    wire.read_until(reply_by, mongodb::message_complete).await;
    let open = mongodb::parse_reply(wire.received()).is_some_and(|f| mongodb::ok(&f));
    wire.shutdown().await;
    open
}

/// SSLRequest on one connection, a StartupMessage on another.
async fn postgres(ctx: &PortContext, deadline: Instant) -> Outcome {
    let stream = match connect(ctx, deadline).await {
        Ok(stream) => stream,
        Err(outcome) => return outcome,
    };
    let mut wire = Wire::new(stream, SMALL_LIMIT);
    let reply_by = ctx.reply_by(deadline);
    if wire.send(&postgres::SSL_REQUEST, reply_by).await.is_err() {
        return recognise_leftovers(&wire, ctx);
    }
    wire.read_until(reply_by, |b| !b.is_empty()).await;
    // A lone byte may be followed by more from something else: wait a
    // moment only when it is not 'S' or 'N'.
    let Some(ssl) = postgres::parse_ssl_answer(wire.received()) else {
        wire.read_until(reply_by, |_| false).await;
        let outcome = recognise_leftovers(&wire, ctx);
        wire.shutdown().await;
        return outcome;
    };
    wire.shutdown().await;
    let ssl_note = match ssl {
        postgres::SslAnswer::Supported => "SSL offered",
        postgres::SslAnswer::NotSupported => "SSL not offered",
    };
    let fallback = || {
        let mut identified = Identified::protocol(Proto::Postgres);
        identified.add_extra(format!("answered SSLRequest ({ssl_note})"));
        Outcome::found(Found::identified(identified, vec![ssl_byte(ssl)]))
    };
    let Ok(stream) = connect(ctx, deadline).await else {
        return fallback();
    };
    let mut wire = Wire::new(stream, SMALL_LIMIT);
    let reply_by = ctx.reply_by(deadline);
    if wire
        .send(&postgres::startup_message(), reply_by)
        .await
        .is_err()
    {
        return fallback();
    }
    wire.read_until(reply_by, postgres::message_complete).await;
    let answer = wire.received().to_vec();
    wire.shutdown().await;
    match postgres::identify_startup_answer(&answer) {
        Some(mut identified) => {
            identified.add_extra(ssl_note);
            Outcome::found(Found::identified(identified, answer))
        }
        None => fallback(),
    }
}

fn ssl_byte(answer: postgres::SslAnswer) -> u8 {
    match answer {
        postgres::SslAnswer::Supported => b'S',
        postgres::SslAnswer::NotSupported => b'N',
    }
}

/// GET `path` over a fresh connection, plain or TLS (posture's page
/// checks).
pub(crate) async fn fetch(
    ctx: &PortContext,
    tls: bool,
    path: &str,
    deadline: Instant,
) -> Option<http::HttpResponse> {
    let stream = connect(ctx, deadline).await.ok()?;
    let reply_by = ctx.reply_by(deadline);
    let mut wire = if tls {
        let (stream, _) =
            tls_client::connect(stream, ctx.host_name.as_deref(), ctx.address.ip(), reply_by)
                .await
                .ok()?;
        Wire::new(stream, LARGE_LIMIT)
    } else {
        Wire::new(stream, LARGE_LIMIT)
    };
    let request = http::get(path, ctx.host(), ctx.address.ip(), ctx.address.port(), tls);
    wire.send(&request, reply_by).await.ok()?;
    let end = wire.read_until(reply_by, http::response_complete).await;
    let response = http::parse_response(wire.received());
    if end != ReadEnd::Closed {
        wire.shutdown().await;
    }
    response
}

/// Evidence as the model keeps it.
pub(crate) fn evidence_text(bytes: &[u8]) -> String {
    sanitise(bytes, MAX_EVIDENCE)
}
