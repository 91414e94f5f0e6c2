//! HTTP posture: redirect to HTTPS on plain ports, HSTS on TLS ones,
//! directory listings, and default or admin pages left exposed.
//!
//! Pages are recognised by what they contain, never by a status code
//! alone: many sites answer 200 to every path.

use portcullis_model::service::HttpPosture;
use tokio::time::Instant;

use crate::identify::probes::{self, PortContext};
use crate::identify::protocols::http::{HttpResponse, find};
use crate::identify::tcp::short;

/// A page worth knowing about, and how to recognise it.
struct Page {
    path: &'static str,
    label: &'static str,
    /// Statuses that count (401 for login-protected panels).
    statuses: &'static [u16],
    /// Text the body (or WWW-Authenticate) contains.
    marker: &'static str,
}

const PAGES: [Page; 6] = [
    Page {
        path: "/phpmyadmin/",
        label: "/phpmyadmin/ (phpMyAdmin)",
        statuses: &[200],
        marker: "phpmyadmin",
    },
    Page {
        path: "/server-status",
        label: "/server-status (Apache server status)",
        statuses: &[200],
        marker: "apache server status",
    },
    Page {
        path: "/nginx_status",
        label: "/nginx_status (nginx stub status)",
        statuses: &[200],
        marker: "active connections:",
    },
    Page {
        path: "/manager/html",
        label: "/manager/html (Tomcat manager)",
        statuses: &[200, 401],
        marker: "tomcat",
    },
    Page {
        path: "/wp-login.php",
        label: "/wp-login.php (WordPress login)",
        statuses: &[200],
        marker: "wp-submit",
    },
    Page {
        path: "/.git/HEAD",
        label: "/.git/HEAD (source repository)",
        statuses: &[200],
        marker: "ref: refs/",
    },
];

/// Default pages, recognised on the response to GET /.
const DEFAULT_PAGES: [(&str, &str); 7] = [
    ("welcome to nginx!", "nginx default page"),
    (
        "apache2 debian default page",
        "Apache default page (Debian)",
    ),
    (
        "apache2 ubuntu default page",
        "Apache default page (Ubuntu)",
    ),
    ("test page for the apache http server", "Apache test page"),
    ("<h1>it works!</h1>", "Apache default page (It works!)"),
    ("iis windows server", "IIS default page"),
    (
        "if you're seeing this, you've successfully installed tomcat",
        "Tomcat default page",
    ),
];

/// The posture from the response identification already has, plus the
/// page checks.
pub(crate) async fn assess(
    ctx: &PortContext,
    tls: bool,
    root: &HttpResponse,
    deadline: Instant,
) -> HttpPosture {
    let location = root.header("location").map(short);
    let redirects_to_https = if tls {
        None
    } else {
        Some(reaches_https(ctx, root, deadline).await)
    };
    let hsts = tls.then(|| root.header("strict-transport-security").is_some());
    let mut exposed_pages: Vec<String> =
        default_pages(root).into_iter().map(str::to_owned).collect();
    for page in &PAGES {
        if Instant::now() >= deadline {
            break;
        }
        if let Some(response) = probes::fetch(ctx, tls, page.path, deadline).await
            && page_matches(page, &response)
        {
            exposed_pages.push(page.label.to_owned());
        }
    }
    HttpPosture {
        status: Some(root.status),
        server: root.header("server").map(short),
        powered_by: root.header("x-powered-by").map(short),
        title: root.title(),
        location,
        redirects_to_https,
        hsts,
        directory_listing: is_directory_listing(root),
        exposed_pages,
    }
}

/// At most this many redirects within the same plain-HTTP site are
/// followed to learn whether visitors end up on HTTPS.
const MOST_SAME_SITE_HOPS: usize = 3;

/// Whether a visitor to `/` ends up on HTTPS: a redirect there at once,
/// or after redirects within the same site ("/" to "/shop/" to
/// "https://..."), as an ASV counts it.
async fn reaches_https(ctx: &PortContext, root: &HttpResponse, deadline: Instant) -> bool {
    let site = Site {
        host_name: ctx.host_name.as_deref(),
        address: ctx.address.ip(),
        port: ctx.address.port(),
    };
    let mut hop = next_hop(root, &site);
    for _ in 0..MOST_SAME_SITE_HOPS {
        let Hop::SameSite(path) = hop else { break };
        if Instant::now() >= deadline {
            return false;
        }
        let Some(response) = probes::fetch(ctx, false, &path, deadline).await else {
            return false;
        };
        hop = next_hop(&response, &site);
    }
    hop == Hop::Https
}

/// Where a plain-HTTP site is, to tell its own redirects from others.
struct Site<'a> {
    host_name: Option<&'a str>,
    address: std::net::IpAddr,
    port: u16,
}

/// Where a response sends the visitor.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Hop {
    /// Not a redirect, or one to another site over plain HTTP.
    Stays,
    Https,
    /// A redirect within the same plain-HTTP site, to this path.
    SameSite(String),
}

fn next_hop(response: &HttpResponse, site: &Site<'_>) -> Hop {
    if !response.is_redirect() {
        return Hop::Stays;
    }
    let Some(location) = response.header("location") else {
        return Hop::Stays;
    };
    let location = location.trim();
    let lower = location.to_ascii_lowercase();
    if lower.starts_with("https://") {
        return Hop::Https;
    }
    if location.starts_with('/') && !location.starts_with("//") {
        return Hop::SameSite(location.to_owned());
    }
    let Some(rest) = lower
        .strip_prefix("http://")
        .or_else(|| lower.strip_prefix("//"))
    else {
        return Hop::Stays;
    };
    let (authority, path) = match rest.find('/') {
        Some(slash) => (
            &rest[..slash],
            &location[location.len() - rest.len() + slash..],
        ),
        None => (rest, "/"),
    };
    if is_same_site(authority, site) {
        Hop::SameSite(path.to_owned())
    } else {
        Hop::Stays
    }
}

/// Whether `authority` ("shop.example.com", "198.18.0.10:8080") names the
/// site that was scanned: its name or its address, on its port.
fn is_same_site(authority: &str, site: &Site<'_>) -> bool {
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') || authority.starts_with('[') => {
            (host, port.parse::<u16>().ok())
        }
        _ => (authority, None),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let same_host = site
        .host_name
        .is_some_and(|name| name.trim_end_matches('.').eq_ignore_ascii_case(host))
        || host.parse::<std::net::IpAddr>() == Ok(site.address);
    same_host && port.unwrap_or(80) == site.port
}

fn lower_body(response: &HttpResponse) -> Vec<u8> {
    response.body.iter().map(u8::to_ascii_lowercase).collect()
}

fn default_pages(response: &HttpResponse) -> Vec<&'static str> {
    let body = lower_body(response);
    DEFAULT_PAGES
        .iter()
        .filter(|(marker, _)| find(&body, marker.as_bytes()).is_some())
        .map(|(_, label)| *label)
        .collect()
}

fn page_matches(page: &Page, response: &HttpResponse) -> bool {
    if !page.statuses.contains(&response.status) {
        return false;
    }
    let body = lower_body(response);
    let challenge = response
        .header("www-authenticate")
        .unwrap_or("")
        .to_ascii_lowercase();
    find(&body, page.marker.as_bytes()).is_some() || challenge.contains(page.marker)
}

/// Autoindex pages of Apache, nginx, lighttpd, IIS and Python's server.
pub(crate) fn is_directory_listing(response: &HttpResponse) -> bool {
    if response.status != 200 {
        return false;
    }
    let body = lower_body(response);
    [
        &b"<title>index of /"[..],
        b"<h1>index of /",
        b"<title>directory listing for /",
        b"[to parent directory]",
    ]
    .iter()
    .any(|marker| find(&body, marker).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identify::protocols::http::parse_response;

    #[test]
    fn default_pages_and_listings_are_recognised() {
        let nginx =
            parse_response(b"HTTP/1.1 200 OK\r\n\r\n<title>Welcome to nginx!</title>").unwrap();
        assert_eq!(default_pages(&nginx), ["nginx default page"]);
        assert!(!is_directory_listing(&nginx));
        let listing =
            parse_response(b"HTTP/1.1 200 OK\r\n\r\n<html><head><title>Index of /</title>")
                .unwrap();
        assert!(is_directory_listing(&listing));
    }

    fn redirect(location: &str) -> HttpResponse {
        parse_response(format!("HTTP/1.1 301 Moved\r\nLocation: {location}\r\n\r\n").as_bytes())
            .unwrap()
    }

    const SHOP: Site<'static> = Site {
        host_name: Some("shop.example.com"),
        address: std::net::IpAddr::V4(std::net::Ipv4Addr::new(203, 0, 113, 10)),
        port: 80,
    };

    #[test]
    fn redirects_are_followed_within_the_site_only() {
        assert_eq!(
            next_hop(&redirect("https://shop.example.com/"), &SHOP),
            Hop::Https
        );
        assert_eq!(
            next_hop(&redirect("/shop/"), &SHOP),
            Hop::SameSite("/shop/".into())
        );
        assert_eq!(
            next_hop(&redirect("http://SHOP.example.com/Cart"), &SHOP),
            Hop::SameSite("/Cart".into())
        );
        assert_eq!(
            next_hop(&redirect("http://203.0.113.10:80"), &SHOP),
            Hop::SameSite("/".into())
        );
        assert_eq!(
            next_hop(&redirect("http://shop.example.com:8080/"), &SHOP),
            Hop::Stays,
            "another port is another site"
        );
        assert_eq!(
            next_hop(&redirect("http://elsewhere.example/"), &SHOP),
            Hop::Stays
        );
        let page = parse_response(b"HTTP/1.1 200 OK\r\n\r\nhello").unwrap();
        assert_eq!(next_hop(&page, &SHOP), Hop::Stays);
    }

    #[test]
    fn pages_need_their_marker_not_just_a_status() {
        let catch_all = parse_response(b"HTTP/1.1 200 OK\r\n\r\n<title>Shop</title>").unwrap();
        assert!(!page_matches(&PAGES[0], &catch_all));
        let pma = parse_response(b"HTTP/1.1 200 OK\r\n\r\n<title>phpMyAdmin</title>").unwrap();
        assert!(page_matches(&PAGES[0], &pma));
        let tomcat = parse_response(
            b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"Tomcat Manager Application\"\r\n\r\n",
        )
        .unwrap();
        assert!(page_matches(&PAGES[3], &tomcat));
    }
}
