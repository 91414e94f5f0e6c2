//! The real daemons each netlab host runs, configured from scratch in the
//! state directory (the machine's own configuration is never read or
//! changed) and started inside the host's namespace.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::shell::run;
use crate::topology::{self, Host};

/// Starts what `host` runs.
pub fn start(host: Host, state: &Path) -> Result<()> {
    let dir = state.join(host.name);
    std::fs::create_dir_all(&dir)?;
    let ns = host.namespace();
    match host.name {
        "web" => {
            make_certificate(&dir, "web.netlab.test")?;
            let tls = format!(
                "ssl_certificate {d}/cert.pem; ssl_certificate_key {d}/key.pem;",
                d = dir.display()
            );
            nginx(
                &ns,
                &dir,
                &[
                    "listen 80; listen [::]:80; return 301 https://$host$request_uri;".into(),
                    format!(
                        "listen 443 ssl; listen [::]:443 ssl; {tls} location / {{ return 200 \"Portcullis netlab web host\\n\"; }}"
                    ),
                ],
            )?;
            sshd(&ns, &dir, SshSetup::Defaults)
        }
        "db" => {
            postgres(&ns, &dir)?;
            mariadb(&ns, &dir)?;
            redis(&ns, &dir, None)
        }
        "mixed" => {
            vsftpd(&ns, &dir, Anonymous::Allowed)?;
            nginx(&ns, &dir, &[
                "listen 8080; location / { default_type text/html; return 200 '<html><title>Admin</title><body>Router admin</body></html>'; }".into(),
                "listen 54321; location / { return 200 \"high port service\\n\"; }".into(),
            ])
        }
        "udp" => {
            dnsmasq(&ns, &dir, host.v4)?;
            snmpd(&ns, &dir, host, "public")
        }
        "filtered" => {
            firewall(
                &ns,
                &dir,
                host.firewall_allows.unwrap_or(&[]),
                &[topology::REJECTED_PORT],
            )?;
            nginx(
                &ns,
                &dir,
                &[
                    "listen 443; location / { return 200 \"only port open\\n\"; }".into(),
                    "listen 8080; location / { return 200 \"listening but firewalled\\n\"; }"
                        .into(),
                ],
            )
        }
        "legacy" => legacy(host, &ns, &dir),
        "hardened" => hardened(host, &ns, &dir),
        "hostile" => hostile(host, &ns, &dir),
        other => bail!("no daemons defined for host {other}"),
    }
}

/// The loopback port of the hostile host's old TLS server, which answers
/// the TLS hellos its SSL 2.0 port receives.
const OLD_TLS_BACKEND: &str = "127.0.0.1:9443";

/// The hostile service on every port of its mode; behind its `sslv2` port,
/// an `openssl s_server` on loopback speaking TLS 1.0, so that the port
/// answers both SSL 2.0 and TLS hellos as servers of that era did.
fn hostile(host: Host, ns: &str, dir: &Path) -> Result<()> {
    make_certificate(dir, &format!("{}.netlab.test", host.name))?;
    spawn_in_ns(
        ns,
        "openssl",
        &[
            "s_server",
            "-accept",
            OLD_TLS_BACKEND,
            "-tls1",
            "-cipher",
            "DEFAULT:@SECLEVEL=0",
            "-cert",
            &path(dir, "cert.pem"),
            "-key",
            &path(dir, "key.pem"),
            "-www",
            "-quiet",
        ],
        &dir.join("s_server.log"),
    )?;
    spawn_in_ns(
        ns,
        &hostile_service_binary()?.display().to_string(),
        &[
            "--bind",
            host.v4,
            "--tls-backend",
            OLD_TLS_BACKEND,
            "flood=40001",
            "junk=40002",
            "ansi=40003",
            "html=40004",
            "http=40005",
            "silent=40006",
            "sslv2=40007",
        ],
        &dir.join("hostile_service.log"),
    )
}

/// Everything an ASV fails a merchant for, one service each: anonymous
/// FTP, SSH password login, plain HTTP that does not redirect (with a
/// directory listing, nginx's status page and a `.git` left in the web
/// root), TLS 1.0 only with a self-signed certificate, Redis without a
/// password.
fn legacy(host: Host, ns: &str, dir: &Path) -> Result<()> {
    vsftpd(ns, dir, Anonymous::Allowed)?;
    sshd(ns, dir, SshSetup::Defaults)?;
    let www = careless_web_root(dir)?;
    nginx(
        ns,
        dir,
        &[format!(
            "listen 80; root {}; autoindex on; location = /nginx_status {{ stub_status; }}",
            www.display()
        )],
    )?;
    make_certificate(dir, &format!("{}.netlab.test", host.name))?;
    tls_1_0_server(ns, dir)?;
    weak_dh_server(ns, dir)?;
    redis(ns, dir, None)
}

/// Where the legacy host serves TLS 1.2 with only DHE suites and a
/// 1024-bit Diffie-Hellman group (Logjam-weak).
pub const WEAK_DH_PORT: u16 = 4443;

/// `openssl s_server` with a 1024-bit DH group (generated at each `up`, in
/// about a second) and DHE suites only, at security level 0 so that
/// OpenSSL 3 agrees to use it.
fn weak_dh_server(ns: &str, dir: &Path) -> Result<()> {
    let dhparam = path(dir, "dh1024.pem");
    crate::shell::run(&["openssl", "dhparam", "-out", &dhparam, "1024"])?;
    spawn_in_ns(
        ns,
        "openssl",
        &[
            "s_server",
            "-accept",
            &WEAK_DH_PORT.to_string(),
            "-tls1_2",
            "-cipher",
            "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-SHA:@SECLEVEL=0",
            "-dhparam",
            &dhparam,
            "-cert",
            &path(dir, "cert.pem"),
            "-key",
            &path(dir, "key.pem"),
            "-www",
            "-quiet",
        ],
        &dir.join("s_server_dh.log"),
    )
}

/// The same services configured the way an ASV wants: FTP without
/// anonymous login, SSH with keys only, HTTP redirecting to HTTPS, HTTPS
/// with TLS 1.2 and 1.3 only, HSTS and a certificate from a (netlab) CA
/// that names the host, Redis with a password, SNMP without the community
/// `public`.
fn hardened(host: Host, ns: &str, dir: &Path) -> Result<()> {
    vsftpd(ns, dir, Anonymous::Refused)?;
    sshd(ns, dir, SshSetup::Hardened)?;
    make_ca_signed_certificate(dir, &format!("{}.netlab.test", host.name), host.v4)?;
    nginx(
        ns,
        dir,
        &[
            // "/" first sends visitors to "/shop/" on the same plain site,
            // which then sends them to HTTPS: still a redirect to HTTPS, as
            // an ASV counts it.
            "listen 80; location = / { return 301 /shop/; } \
             location / { return 301 https://$host$request_uri; }"
                .into(),
            format!(
                "listen 443 ssl; ssl_certificate {d}/cert.pem; ssl_certificate_key {d}/key.pem; \
                 ssl_protocols TLSv1.2 TLSv1.3; \
                 add_header Strict-Transport-Security \"max-age=31536000; includeSubDomains\" always; \
                 location / {{ return 200 \"Portcullis netlab hardened host\\n\"; }}",
                d = dir.display()
            ),
        ],
    )?;
    redis(ns, dir, Some(&lab_secret()?))?;
    snmpd(ns, dir, host, &lab_secret()?)
}

/// A daemon `up` waits for, and how it is asked whether it answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Service {
    pub daemon: &'static str,
    pub port: u16,
    pub check: Check,
}

/// How a daemon proves it answers (see `readiness.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// A TCP connection is accepted.
    Tcp,
    /// A DNS query over UDP for the host's own name gets an answer.
    Dns,
    /// An SNMPv3 engine discovery over UDP gets a report back, whatever
    /// the community.
    Snmp,
}

const fn tcp(daemon: &'static str, port: u16) -> Service {
    Service {
        daemon,
        port,
        check: Check::Tcp,
    }
}

const fn udp(daemon: &'static str, port: u16, check: Check) -> Service {
    Service {
        daemon,
        port,
        check,
    }
}

/// What each host's daemons must answer before `up` returns: everything
/// [`start`] starts there. A readiness check only: tests take their truth
/// from `ss`, not from here.
pub fn services(host: &str) -> &'static [Service] {
    const FTP: Service = tcp("vsftpd", 21);
    const SSH: Service = tcp("sshd", 22);
    const HTTP: Service = tcp("nginx", 80);
    const HTTPS: Service = tcp("nginx", 443);
    const REDIS: Service = tcp("redis-server", 6379);
    const SNMP: Service = udp("snmpd", 161, Check::Snmp);
    const WEB: &[Service] = &[SSH, HTTP, HTTPS];
    const DB: &[Service] = &[tcp("mariadbd", 3306), tcp("postgres", 5432), REDIS];
    const MIXED: &[Service] = &[FTP, tcp("nginx", 8080), tcp("nginx", 54321)];
    const UDP: &[Service] = &[tcp("dnsmasq", 53), udp("dnsmasq", 53, Check::Dns), SNMP];
    const FILTERED: &[Service] = &[HTTPS, tcp("nginx", 8080)];
    const LEGACY: &[Service] = &[
        FTP,
        SSH,
        HTTP,
        tcp("openssl s_server", 443),
        tcp("openssl s_server", WEAK_DH_PORT),
        REDIS,
    ];
    const HARDENED: &[Service] = &[FTP, SSH, HTTP, HTTPS, REDIS, SNMP];
    const HOSTILE: &[Service] = &[
        tcp("hostile_service", 40001),
        tcp("hostile_service", 40002),
        tcp("hostile_service", 40003),
        tcp("hostile_service", 40004),
        tcp("hostile_service", 40005),
        tcp("hostile_service", 40006),
        tcp("hostile_service", 40007),
    ];
    match host {
        "web" => WEB,
        "db" => DB,
        "mixed" => MIXED,
        "udp" => UDP,
        "filtered" => FILTERED,
        "legacy" => LEGACY,
        "hardened" => HARDENED,
        "hostile" => HOSTILE,
        _ => &[],
    }
}

fn in_ns<'a>(ns: &'a str, command: &[&'a str]) -> Vec<&'a str> {
    let mut words = vec!["ip", "netns", "exec", ns];
    words.extend(command);
    words
}

/// Starts a program that stays in the foreground, detached from us.
fn spawn_in_ns(ns: &str, program: &str, args: &[&str], log: &Path) -> Result<()> {
    let log = std::fs::File::create(log)?;
    Command::new("ip")
        .args(["netns", "exec", ns, program])
        .args(args)
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .with_context(|| format!("cannot start {program}"))?;
    Ok(())
}

fn path(dir: &Path, name: &str) -> String {
    dir.join(name).display().to_string()
}

/// A self-signed certificate for `name`, in `dir`'s `cert.pem` and
/// `key.pem`.
fn make_certificate(dir: &Path, name: &str) -> Result<()> {
    self_signed(dir, "key.pem", "cert.pem", &format!("/CN={name}"))
}

/// A new RSA key in `dir/key`, and a self-signed certificate for it in
/// `dir/certificate`, valid 30 days, for `subject`.
fn self_signed(dir: &Path, key: &str, certificate: &str, subject: &str) -> Result<()> {
    run(&[
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "30",
        "-keyout",
        &path(dir, key),
        "-out",
        &path(dir, certificate),
        "-subj",
        subject,
    ])?;
    Ok(())
}

/// A certificate for `name` (and `address`) signed by a netlab CA made for
/// it: what a merchant buys, so that "self-signed" and "does not name this
/// host" stay quiet.
fn make_ca_signed_certificate(dir: &Path, name: &str, address: &str) -> Result<()> {
    self_signed(dir, "ca-key.pem", "ca.pem", "/CN=Portcullis netlab CA")?;
    run(&[
        "openssl",
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        &path(dir, "key.pem"),
        "-out",
        &path(dir, "cert.csr"),
        "-subj",
        &format!("/CN={name}"),
    ])?;
    let extensions = path(dir, "cert.ext");
    std::fs::write(
        &extensions,
        format!("subjectAltName = DNS:{name}, IP:{address}\n"),
    )?;
    run(&[
        "openssl",
        "x509",
        "-req",
        "-in",
        &path(dir, "cert.csr"),
        "-CA",
        &path(dir, "ca.pem"),
        "-CAkey",
        &path(dir, "ca-key.pem"),
        "-CAcreateserial",
        "-days",
        "30",
        "-extfile",
        &extensions,
        "-out",
        &path(dir, "cert.pem"),
    ])?;
    Ok(())
}

/// openssl s_server on 443 speaking TLS 1.0 and nothing newer, with the
/// security level lowered so that OpenSSL 3 agrees to it, answering HTTP
/// with its status page (`-www`). Uses `dir`'s self-signed certificate.
fn tls_1_0_server(ns: &str, dir: &Path) -> Result<()> {
    spawn_in_ns(
        ns,
        "openssl",
        &[
            "s_server",
            "-accept",
            "443",
            "-tls1",
            "-cipher",
            "DEFAULT:@SECLEVEL=0",
            "-cert",
            &path(dir, "cert.pem"),
            "-key",
            &path(dir, "key.pem"),
            "-www",
            "-quiet",
        ],
        &dir.join("s_server.log"),
    )
}

/// A web root left the way careless deployments leave one: no index page
/// (so nginx lists the directory) and the site's `.git` still in it.
fn careless_web_root(dir: &Path) -> Result<PathBuf> {
    let www = dir.join("www");
    std::fs::create_dir_all(www.join(".git"))?;
    std::fs::write(www.join(".git/HEAD"), "ref: refs/heads/main\n")?;
    std::fs::write(www.join("backup-2024.sql"), "-- not a real dump\n")?;
    std::fs::write(www.join("notes.txt"), "Portcullis netlab legacy host\n")?;
    Ok(www)
}

/// A password for a netlab service, new at every `up`: random, so that no
/// credential is written into the source, and never needed by any test.
fn lab_secret() -> Result<String> {
    let uuid = std::fs::read_to_string("/proc/sys/kernel/random/uuid")
        .context("cannot read a random value from /proc")?;
    Ok(uuid.trim().replace('-', ""))
}

/// The hostile service's executable: `$PORTCULLIS_HOSTILE_SERVICE`, else
/// built now by cargo (nothing to do when it is fresh). xtask, which
/// usually brings the netlab up, does not build this package's binaries.
fn hostile_service_binary() -> Result<PathBuf> {
    if let Some(given) = std::env::var_os("PORTCULLIS_HOSTILE_SERVICE") {
        let given = PathBuf::from(given);
        anyhow::ensure!(
            given.is_file(),
            "PORTCULLIS_HOSTILE_SERVICE={} does not exist",
            given.display()
        );
        return Ok(given);
    }
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "build",
            "--quiet",
            "--package",
            "portcullis-netlab",
            "--bin",
            "hostile_service",
            "--message-format",
            "json",
        ])
        .current_dir(&workspace)
        .stderr(Stdio::inherit())
        .output()
        .context("cannot run cargo to build hostile_service")?;
    if !output.status.success() {
        bail!("cargo could not build hostile_service ({})", output.status);
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| message["target"]["name"] == "hostile_service")
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .context("cargo built hostile_service but did not say where")
}

/// One nginx instance with one `server` block per entry.
fn nginx(ns: &str, dir: &Path, servers: &[String]) -> Result<()> {
    let d = dir.display();
    let servers: String = servers
        .iter()
        .map(|s| format!("  server {{ {s} }}\n"))
        .collect();
    let config = format!(
        "daemon on;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/nginx-error.log;\n\
         events {{ worker_connections 1024; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {d}/nginx-body;\n  proxy_temp_path {d}/nginx-proxy;\n\
         fastcgi_temp_path {d}/nginx-fastcgi;\n  uwsgi_temp_path {d}/nginx-uwsgi;\n  scgi_temp_path {d}/nginx-scgi;\n{servers}}}\n"
    );
    let config_path = path(dir, "nginx.conf");
    std::fs::write(&config_path, config)?;
    run(&in_ns(
        ns,
        &[
            "nginx",
            "-e",
            &path(dir, "nginx-error.log"),
            "-c",
            &config_path,
        ],
    ))?;
    Ok(())
}

/// How sshd is set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SshSetup {
    /// Debian's defaults, with password login offered: OpenSSH still
    /// offers the dated hmac-sha1 and umac-64 checks.
    Defaults,
    /// Public keys only (neither `password` nor `keyboard-interactive`),
    /// and only SHA-2 and 128-bit message checks.
    Hardened,
}

fn sshd(ns: &str, dir: &Path, setup: SshSetup) -> Result<()> {
    let key = path(dir, "ssh_host_ed25519_key");
    run(&["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", &key])?;
    std::fs::create_dir_all("/run/sshd")?;
    let choices = match setup {
        SshSetup::Defaults => "PasswordAuthentication yes\n",
        SshSetup::Hardened => {
            "PasswordAuthentication no\nMACs hmac-sha2-256-etm@openssh.com,\
             hmac-sha2-512-etm@openssh.com,umac-128-etm@openssh.com\n"
        }
    };
    let config = format!(
        "Port 22\nListenAddress 0.0.0.0\nListenAddress ::\nHostKey {key}\nPidFile {}\n\
         UsePAM no\n{choices}KbdInteractiveAuthentication no\n",
        path(dir, "sshd.pid")
    );
    let config_path = path(dir, "sshd_config");
    std::fs::write(&config_path, config)?;
    run(&in_ns(
        ns,
        &[
            "/usr/sbin/sshd",
            "-f",
            &config_path,
            "-E",
            &path(dir, "sshd.log"),
        ],
    ))?;
    Ok(())
}

/// The newest PostgreSQL's binaries, wherever Debian put them.
fn postgres_bin(tool: &str) -> Result<String> {
    let mut versions: Vec<_> = std::fs::read_dir("/usr/lib/postgresql")
        .context("PostgreSQL is not installed (run cargo xtask setup)")?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    versions.sort();
    let bin = versions
        .last()
        .context("no PostgreSQL version installed")?
        .join("bin")
        .join(tool);
    Ok(bin.display().to_string())
}

fn postgres(ns: &str, dir: &Path) -> Result<()> {
    let data = data_dir_owned_by(dir, "postgres", "postgres")?;
    run(&[
        "runuser",
        "-u",
        "postgres",
        "--",
        &postgres_bin("initdb")?,
        "-D",
        &data,
        "-A",
        "trust",
        "--no-sync",
    ])?;
    let options = format!("-c listen_addresses=* -c unix_socket_directories={data}");
    run(&in_ns(
        ns,
        &[
            "runuser",
            "-u",
            "postgres",
            "--",
            &postgres_bin("pg_ctl")?,
            "-D",
            &data,
            "-l",
            &format!("{data}/server.log"),
            "-o",
            &options,
            "-w",
            "start",
        ],
    ))?;
    Ok(())
}

/// `dir/name`, created and owned by the daemon's `user`, which refuses a
/// data directory it does not own.
fn data_dir_owned_by(dir: &Path, name: &str, user: &str) -> Result<String> {
    let data = dir.join(name);
    std::fs::create_dir_all(&data)?;
    let data = data.display().to_string();
    run(&["chown", "-R", &format!("{user}:{user}"), &data])?;
    Ok(data)
}

/// MariaDB with one account that may connect from anywhere. Without one,
/// the server refuses every remote client before its greeting (error 1130,
/// "Host ... is not allowed to connect"), so neither Portcullis nor nmap
/// would ever see its version; real servers on a network have such
/// accounts.
fn mariadb(ns: &str, dir: &Path) -> Result<()> {
    let data = data_dir_owned_by(dir, "mariadb", "mysql")?;
    let init = path(dir, "mariadb-init.sql");
    std::fs::write(
        &init,
        format!(
            "CREATE USER IF NOT EXISTS 'app'@'%' IDENTIFIED BY '{}';\n",
            lab_secret()?
        ),
    )?;
    run(&[
        "mariadb-install-db",
        "--no-defaults",
        &format!("--datadir={data}"),
        "--user=mysql",
        "--auth-root-authentication-method=normal",
        "--skip-test-db",
    ])?;
    spawn_in_ns(
        ns,
        "mariadbd",
        &[
            "--no-defaults",
            &format!("--datadir={data}"),
            "--user=mysql",
            "--bind-address=0.0.0.0",
            "--port=3306",
            &format!("--socket={data}/mysqld.sock"),
            &format!("--pid-file={data}/mysqld.pid"),
            &format!("--init-file={init}"),
        ],
        &dir.join("mariadb.log"),
    )
}

/// Redis reachable from the network (protected mode off), with `password`
/// required, or open to anyone without one.
fn redis(ns: &str, dir: &Path, password: Option<&str>) -> Result<()> {
    let d = dir.display().to_string();
    let (pid_file, log_file) = (format!("{d}/redis.pid"), format!("{d}/redis.log"));
    let mut words = in_ns(
        ns,
        &[
            // By its full path, as Debian's systemd unit starts it: Redis
            // reports that path as its `executable` in INFO.
            "/usr/bin/redis-server",
            "--bind",
            "0.0.0.0",
            "--port",
            "6379",
            "--protected-mode",
            "no",
            "--daemonize",
            "yes",
            "--dir",
            &d,
            "--pidfile",
            &pid_file,
            "--logfile",
            &log_file,
            "--save",
            "",
        ],
    );
    if let Some(password) = password {
        words.extend(["--requirepass", password]);
    }
    run(&words)?;
    Ok(())
}

/// Whether vsftpd accepts `USER anonymous`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anonymous {
    Allowed,
    /// Local accounts only (through PAM): vsftpd refuses to start with
    /// neither kind of login enabled.
    Refused,
}

fn vsftpd(ns: &str, dir: &Path, anonymous: Anonymous) -> Result<()> {
    let empty = dir.join("vsftpd-empty");
    std::fs::create_dir_all(&empty)?;
    let logins = match anonymous {
        Anonymous::Allowed => "anonymous_enable=YES\nlocal_enable=NO\n",
        Anonymous::Refused => "anonymous_enable=NO\nlocal_enable=YES\npam_service_name=vsftpd\n",
    };
    let config = format!(
        "listen=YES\nlisten_ipv6=NO\nbackground=YES\n{logins}\
         write_enable=NO\nanon_root={e}\nsecure_chroot_dir={e}\nxferlog_enable=NO\nseccomp_sandbox=NO\n\
         vsftpd_log_file={log}\n",
        e = empty.display(),
        log = path(dir, "vsftpd.log")
    );
    let config_path = path(dir, "vsftpd.conf");
    std::fs::write(&config_path, config)?;
    run(&in_ns(ns, &["vsftpd", &config_path]))?;
    Ok(())
}

fn dnsmasq(ns: &str, dir: &Path, address: &str) -> Result<()> {
    run(&in_ns(
        ns,
        &[
            "dnsmasq",
            "--conf-file=/dev/null",
            "--port=53",
            "--interface=eth0",
            "--bind-interfaces",
            "--no-resolv",
            "--no-hosts",
            &format!("--address=/netlab.test/{address}"),
            &format!("--pid-file={}", path(dir, "dnsmasq.pid")),
            "--user=root",
            "--group=root",
            &format!("--log-facility={}", path(dir, "dnsmasq.log")),
        ],
    ))?;
    Ok(())
}

/// snmpd on the host's own address (a wildcard `udp:161` fails to open in
/// a namespace), answering `community` read-only, its persistent state kept
/// in the netlab's directory. net-snmp also opens its SMUX port, TCP 199.
fn snmpd(ns: &str, dir: &Path, host: Host, community: &str) -> Result<()> {
    let config_path = path(dir, "snmpd.conf");
    std::fs::write(
        &config_path,
        format!(
            "agentAddress udp:{}:161\nrocommunity {community} default\nsysName {}.netlab.test\n",
            host.v4, host.name
        ),
    )?;
    let status = Command::new("ip")
        .args(["netns", "exec", ns, "snmpd", "-C", "-c", &config_path])
        .args([
            "-Lf",
            &path(dir, "snmpd.log"),
            "-p",
            &path(dir, "snmpd.pid"),
        ])
        .env("SNMP_PERSISTENT_DIR", dir)
        .env("MIBS", "")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .context("cannot run snmpd")?;
    if !status.success() {
        bail!(
            "snmpd failed to start ({status}); see {}",
            path(dir, "snmpd.log")
        );
    }
    Ok(())
}

/// Drops all input but established traffic and new TCP connections to
/// `allowed` ports; new connections to `rejected` ports are refused with
/// an ICMP "administratively prohibited" instead of dropped.
fn firewall(ns: &str, dir: &Path, allowed: &[u16], rejected: &[u16]) -> Result<()> {
    let list = |ports: &[u16]| {
        ports
            .iter()
            .map(u16::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let rules = format!(
        "table inet portcullis_netlab {{\n  chain input {{\n    type filter hook input priority 0; policy drop;\n\
         iif lo accept\n    ct state established,related accept\n    tcp dport {{ {} }} accept\n\
         tcp dport {{ {} }} reject with icmpx type admin-prohibited\n  }}\n}}\n",
        list(allowed),
        list(rejected)
    );
    let rules_path = path(dir, "rules.nft");
    std::fs::write(&rules_path, rules)?;
    run(&in_ns(ns, &["nft", "-f", &rules_path]))?;
    Ok(())
}
