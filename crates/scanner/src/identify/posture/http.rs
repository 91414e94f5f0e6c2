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
    let redirects_to_https = (!tls).then(|| {
        root.is_redirect()
            && location
                .as_deref()
                .is_some_and(|l| l.to_ascii_lowercase().starts_with("https://"))
    });
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
