//! The real daemons each netlab host runs, configured from scratch in the
//! state directory (the machine's own configuration is never read or
//! changed) and started inside the host's namespace.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::shell::run;
use crate::topology::{HOSTS, Host};
use crate::{Transport, listening};

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
            sshd(&ns, &dir)
        }
        "db" => {
            postgres(&ns, &dir)?;
            mariadb(&ns, &dir)?;
            redis(&ns, &dir)
        }
        "mixed" => {
            vsftpd(&ns, &dir)?;
            nginx(&ns, &dir, &[
                "listen 8080; location / { default_type text/html; return 200 '<html><title>Admin</title><body>Router admin</body></html>'; }".into(),
                "listen 54321; location / { return 200 \"high port service\\n\"; }".into(),
            ])
        }
        "udp" => {
            dnsmasq(&ns, &dir, host.v4)?;
            snmpd(&ns, &dir, host.v4)
        }
        "filtered" => {
            firewall(&ns, &dir, host.firewall_allows.unwrap_or(&[]))?;
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
        other => bail!("no daemons defined for host {other}"),
    }
}

/// The ports each host must be listening on before `up` returns. A
/// readiness check only: tests take their truth from `ss`, not from here.
fn expected(host: &str) -> (&'static [u16], &'static [u16]) {
    match host {
        "web" => (&[22, 80, 443], &[]),
        "db" => (&[3306, 5432, 6379], &[]),
        "mixed" => (&[21, 8080, 54321], &[]),
        "udp" => (&[53], &[53, 161]),
        "filtered" => (&[443, 8080], &[]),
        _ => (&[], &[]),
    }
}

/// Waits until every daemon listens, or says which did not.
pub fn wait_until_listening() -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let mut missing = Vec::new();
        for host in HOSTS {
            let (tcp, udp) = expected(host.name);
            let ns = host.namespace();
            let tcp_now = listening(&ns, Transport::Tcp)?;
            let udp_now = listening(&ns, Transport::Udp)?;
            missing.extend(
                tcp.iter()
                    .filter(|p| !tcp_now.contains(p))
                    .map(|p| format!("{}:{p}/tcp", host.name)),
            );
            missing.extend(
                udp.iter()
                    .filter(|p| !udp_now.contains(p))
                    .map(|p| format!("{}:{p}/udp", host.name)),
            );
        }
        if missing.is_empty() {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!(
                "these daemons did not start listening within 60 s: {}",
                missing.join(", ")
            );
        }
        std::thread::sleep(Duration::from_millis(250));
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

fn make_certificate(dir: &Path, name: &str) -> Result<()> {
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
        &path(dir, "key.pem"),
        "-out",
        &path(dir, "cert.pem"),
        "-subj",
        &format!("/CN={name}"),
    ])?;
    Ok(())
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

fn sshd(ns: &str, dir: &Path) -> Result<()> {
    let key = path(dir, "ssh_host_ed25519_key");
    run(&["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", &key])?;
    std::fs::create_dir_all("/run/sshd")?;
    let config = format!(
        "Port 22\nListenAddress 0.0.0.0\nListenAddress ::\nHostKey {key}\nPidFile {}\n\
         UsePAM no\nPasswordAuthentication yes\nKbdInteractiveAuthentication no\n",
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

fn mariadb(ns: &str, dir: &Path) -> Result<()> {
    let data = data_dir_owned_by(dir, "mariadb", "mysql")?;
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
        ],
        &dir.join("mariadb.log"),
    )
}

fn redis(ns: &str, dir: &Path) -> Result<()> {
    let d = dir.display().to_string();
    run(&in_ns(
        ns,
        &[
            "redis-server",
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
            &format!("{d}/redis.pid"),
            "--logfile",
            &format!("{d}/redis.log"),
            "--save",
            "",
        ],
    ))?;
    Ok(())
}

fn vsftpd(ns: &str, dir: &Path) -> Result<()> {
    let empty = dir.join("vsftpd-empty");
    std::fs::create_dir_all(&empty)?;
    let config = format!(
        "listen=YES\nlisten_ipv6=NO\nbackground=YES\nanonymous_enable=YES\nlocal_enable=NO\n\
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
/// a namespace), its persistent state kept in the netlab's directory.
fn snmpd(ns: &str, dir: &Path, address: &str) -> Result<()> {
    let config_path = path(dir, "snmpd.conf");
    std::fs::write(
        &config_path,
        format!(
            "agentAddress udp:{address}:161\nrocommunity public default\nsysName udp.netlab.test\n"
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
/// `allowed` ports.
fn firewall(ns: &str, dir: &Path, allowed: &[u16]) -> Result<()> {
    let ports: Vec<String> = allowed.iter().map(u16::to_string).collect();
    let rules = format!(
        "table inet portcullis_netlab {{\n  chain input {{\n    type filter hook input priority 0; policy drop;\n\
         iif lo accept\n    ct state established,related accept\n    tcp dport {{ {} }} accept\n  }}\n}}\n",
        ports.join(", ")
    );
    let rules_path = path(dir, "rules.nft");
    std::fs::write(&rules_path, rules)?;
    run(&in_ns(ns, &["nft", "-f", &rules_path]))?;
    Ok(())
}
