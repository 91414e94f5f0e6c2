//! HTTP/1.1 (RFC 9112): a GET request, the response's status line,
//! headers and body, and what they say about the server: the Server header
//! (RFC 9110 10.2.4: "product/version (comment)"), X-Powered-By, the page
//! title, and Elasticsearch's JSON greeting.
//!
//! Bodies are kept only up to the wire's limit and never interpreted as
//! HTML: the title is cut out as text and sanitised.

use std::net::IpAddr;

use super::{Identified, Proto, version_prefix};
use crate::identify::evidence::{MAX_FIELD, bounded, field, optional_field};

/// The most body kept from one response.
const MAX_BODY: usize = 48 * 1024;

/// A GET for `path`, naming `host` (the host name the user gave, else the
/// address) as RFC 9112 3.2 requires.
pub(crate) fn get(path: &str, host: &str, address: IpAddr, port: u16, tls: bool) -> Vec<u8> {
    let authority = match (host, address) {
        ("", IpAddr::V6(v6)) => format!("[{v6}]"),
        ("", v4) => v4.to_string(),
        (name, _) => name.to_owned(),
    };
    let default_port = if tls { 443 } else { 80 };
    let host_header = if port == default_port {
        authority
    } else {
        format!("{authority}:{port}")
    };
    format!(
        "GET {path} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: Portcullis/{} (service identification)\r\nAccept: */*\r\nConnection: close\r\n\r\n",
        env!("CARGO_PKG_VERSION")
    )
    .into_bytes()
}

/// A parsed response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HttpResponse {
    pub status: u16,
    /// Header names as sent; values sanitised and bounded.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked, at most [`MAX_BODY`] bytes.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first header named `name` (case-insensitive).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub(crate) fn is_redirect(&self) -> bool {
        (300..400).contains(&self.status)
    }

    /// The text between `<title>` and `</title>`, sanitised.
    pub(crate) fn title(&self) -> Option<String> {
        title(&self.body)
    }
}

/// Whether the response is whole: the headers ended and the body is as
/// long as announced (or the chunked body ended). Without a length the
/// body runs until the server closes, which the wire notices.
pub(crate) fn response_complete(bytes: &[u8]) -> bool {
    let Some(head_end) = find(bytes, b"\r\n\r\n") else {
        return false;
    };
    let head = String::from_utf8_lossy(&bytes[..head_end]).to_ascii_lowercase();
    let body = &bytes[head_end + 4..];
    if head.contains("\ntransfer-encoding: chunked") {
        return find(body, b"\r\n0\r\n").is_some() || body.starts_with(b"0\r\n");
    }
    match head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse::<usize>().ok())
    {
        Some(length) => body.len() >= length,
        // 1xx, 204, 304 and HEAD have no body; others run to the close.
        None => head.starts_with("http/") && (head.contains(" 204 ") || head.contains(" 304 ")),
    }
}

/// Parses a response; `None` when `bytes` do not start like HTTP.
pub(crate) fn parse_response(bytes: &[u8]) -> Option<HttpResponse> {
    if !bytes.starts_with(b"HTTP/") {
        return None;
    }
    let head_end = find(bytes, b"\r\n\r\n")
        .map(|at| (at, at + 4))
        .or_else(|| find(bytes, b"\n\n").map(|at| (at, at + 2)))
        .unwrap_or((bytes.len(), bytes.len()));
    let head = String::from_utf8_lossy(&bytes[..head_end.0.min(32 * 1024)]);
    let mut lines = head.lines();
    let status_line = lines.next()?;
    let mut parts = status_line.splitn(3, ' ');
    let _version = parts.next()?;
    let status: u16 = parts.next()?.trim().parse().ok()?;
    if !(100..1000).contains(&status) {
        return None;
    }
    let headers: Vec<(String, String)> = lines
        .take(128)
        .filter_map(|line| {
            let (name, value) = line.split_once(':')?;
            let name = name.trim();
            if name.is_empty() || name.contains(' ') {
                return None;
            }
            Some((field(name), field(value.trim())))
        })
        .collect();
    let raw_body = &bytes[head_end.1.min(bytes.len())..];
    let chunked = headers.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("transfer-encoding") && v.to_ascii_lowercase().contains("chunked")
    });
    let body = if chunked {
        dechunk(raw_body)
    } else {
        raw_body[..raw_body.len().min(MAX_BODY)].to_vec()
    };
    Some(HttpResponse {
        status,
        headers,
        body,
    })
}

/// Decodes a chunked body (RFC 9112 7.1) as far as it is there.
fn dechunk(mut bytes: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    while body.len() < MAX_BODY {
        let Some(line_end) = find(bytes, b"\r\n") else {
            break;
        };
        let size_text = String::from_utf8_lossy(&bytes[..line_end]);
        let size_text = size_text.split(';').next().unwrap_or("").trim();
        let Ok(size) = usize::from_str_radix(size_text, 16) else {
            break;
        };
        if size == 0 {
            break;
        }
        let start = line_end + 2;
        let end = start.saturating_add(size).min(bytes.len());
        body.extend_from_slice(&bytes[start..end]);
        if end == bytes.len() {
            break;
        }
        bytes = bytes.get(end + 2..).unwrap_or(&[]);
    }
    body.truncate(MAX_BODY);
    body
}

/// The page title, as text.
pub(crate) fn title(body: &[u8]) -> Option<String> {
    let lower: Vec<u8> = body.iter().map(u8::to_ascii_lowercase).collect();
    let open = find(&lower, b"<title")?;
    let start = open + lower[open..].iter().position(|b| *b == b'>')? + 1;
    let end =
        start + find(&lower[start..], b"</title").unwrap_or((lower.len() - start).min(MAX_FIELD));
    let text = String::from_utf8_lossy(&body[start..end.min(start + 4 * MAX_FIELD)]);
    optional_field(&text)
}

/// A product named in a Server or X-Powered-By header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Component {
    pub product: String,
    pub version: Option<String>,
    /// The token as the header has it ("OpenSSL/1.0.2k-fips"), sanitised.
    pub raw: String,
}

/// "Apache/2.4.57 (Debian) OpenSSL/3.0.11" → [Apache httpd 2.4.57,
/// OpenSSL 3.0.11] and the comments ["Debian"].
pub(crate) fn components(header: &str) -> (Vec<Component>, Vec<String>) {
    let mut products = Vec::new();
    let mut comments = Vec::new();
    let mut rest = header.trim();
    while !rest.is_empty() && products.len() + comments.len() < 16 {
        if let Some(inner) = rest.strip_prefix('(') {
            let end = inner.find(')').unwrap_or(inner.len());
            comments.push(bounded(&inner[..end], MAX_FIELD));
            rest = inner.get(end + 1..).unwrap_or("").trim_start();
            continue;
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let token = &rest[..end];
        rest = rest[end..].trim_start();
        // "Jetty(9.4.51.v20230217)": the version in parentheses.
        let (name, version) = match token.split_once('/') {
            Some((name, version)) => (name, Some(version)),
            None => match token.split_once('(') {
                Some((name, version)) => (name, Some(version.trim_end_matches(')'))),
                None => (token, None),
            },
        };
        if name.is_empty() {
            continue;
        }
        products.push(Component {
            product: product_name(name),
            version: version.and_then(version_prefix),
            raw: bounded(token, MAX_FIELD),
        });
    }
    (products, comments)
}

/// The names products are known by in the advisories and reports.
fn product_name(token: &str) -> String {
    let known = [
        ("apache", "Apache httpd"),
        ("nginx", "nginx"),
        ("microsoft-iis", "Microsoft IIS"),
        ("microsoft-httpapi", "Microsoft HTTPAPI"),
        ("lighttpd", "lighttpd"),
        ("openresty", "OpenResty"),
        ("litespeed", "LiteSpeed"),
        ("caddy", "Caddy"),
        ("apache-coyote", "Apache Tomcat"),
        ("jetty", "Jetty"),
        ("openssl", "OpenSSL"),
        ("php", "PHP"),
        ("werkzeug", "Werkzeug"),
        ("gunicorn", "gunicorn"),
        ("envoy", "Envoy"),
        ("cloudflare", "Cloudflare"),
    ];
    let lower = token.to_ascii_lowercase();
    known
        .iter()
        .find(|(key, _)| *key == lower)
        .map_or_else(|| bounded(token, MAX_FIELD), |(_, name)| (*name).to_owned())
}

/// What the response says about the server, and the products it names
/// (for the version advisories).
pub(crate) fn identify(response: &HttpResponse) -> (Identified, Vec<Component>) {
    let mut named = Vec::new();
    if let Some(search) = search_engine(response) {
        return (search, named);
    }
    let mut found = Identified::protocol(Proto::Http);
    if let Some(server) = response.header("server") {
        let (products, comments) = components(server);
        if let Some(first) = products.first() {
            found = Identified::product(Proto::Http, &first.product, first.version.clone());
        }
        let others: Vec<String> = comments
            .into_iter()
            .chain(products.iter().skip(1).map(|c| c.raw.clone()))
            .collect();
        if !others.is_empty() {
            found.add_extra(others.join(" "));
        }
        named.extend(products);
    }
    if let Some(powered) = response.header("x-powered-by") {
        found.add_extra(format!("X-Powered-By: {powered}"));
        named.extend(components(powered).0);
    }
    (found, named)
}

/// Elasticsearch and OpenSearch answer GET / with JSON naming themselves,
/// or a 401 with their security realm.
fn search_engine(response: &HttpResponse) -> Option<Identified> {
    let elastic_header = response
        .header("x-elastic-product")
        .is_some_and(|v| v.eq_ignore_ascii_case("elasticsearch"));
    let json: Option<serde_json::Value> = serde_json::from_slice(&response.body).ok();
    let number = json
        .as_ref()
        .and_then(|j| j.pointer("/version/number"))
        .and_then(|v| v.as_str());
    let tagline = json
        .as_ref()
        .and_then(|j| j.get("tagline"))
        .and_then(|v| v.as_str())
        .unwrap_or("");
    let distribution = json
        .as_ref()
        .and_then(|j| j.pointer("/version/distribution"))
        .and_then(|v| v.as_str())
        .unwrap_or("");
    // A secured cluster answers 401 with its security realm and a
    // security_exception.
    let secured = response.status == 401
        && json
            .as_ref()
            .and_then(|j| j.pointer("/error/type"))
            .and_then(|v| v.as_str())
            == Some("security_exception");
    let product = if distribution == "opensearch" || tagline.contains("OpenSearch") {
        "OpenSearch"
    } else if tagline.contains("You Know, for Search") || elastic_header || secured {
        "Elasticsearch"
    } else {
        return None;
    };
    let mut found = Identified::product(Proto::Http, product, number.and_then(version_prefix));
    if let Some(cluster) = json
        .as_ref()
        .and_then(|j| j.get("cluster_name"))
        .and_then(|v| v.as_str())
    {
        found.add_extra(format!("cluster {}", field(cluster)));
    }
    if response.status == 401 {
        found.add_extra("authentication required");
    }
    Some(found)
}

/// Whether the response is a search engine's cluster information served
/// without authentication.
pub(crate) fn search_engine_open(response: &HttpResponse) -> bool {
    response.status == 200
        && search_engine(response).is_some()
        && serde_json::from_slice::<serde_json::Value>(&response.body)
            .ok()
            .and_then(|j| j.get("cluster_name").cloned())
            .is_some()
}

pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NGINX: &[u8] = b"HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\nContent-Type: text/html\r\nContent-Length: 40\r\n\r\n<html><title>Welcome to nginx!</title>";

    #[test]
    fn nginx_response() {
        assert!(!response_complete(NGINX), "40 announced, 38 sent");
        let mut whole = NGINX.to_vec();
        whole.extend_from_slice(b"\r\n");
        assert!(response_complete(&whole));
        let response = parse_response(&whole).unwrap();
        assert_eq!(response.status, 200);
        assert_eq!(response.title().as_deref(), Some("Welcome to nginx!"));
        let (found, named) = identify(&response);
        assert_eq!(found.product.as_deref(), Some("nginx"));
        assert_eq!(found.version.as_deref(), Some("1.22.1"));
        assert_eq!(named.len(), 1);
    }

    #[test]
    fn apache_with_modules_and_php() {
        let response = parse_response(
            b"HTTP/1.1 302 Found\r\nServer: Apache/2.4.6 (CentOS) OpenSSL/1.0.2k-fips PHP/5.4.16\r\nX-Powered-By: PHP/5.4.16\r\nLocation: https://example.com/\r\nContent-Length: 0\r\n\r\n",
        )
        .unwrap();
        assert!(response.is_redirect());
        assert_eq!(response.header("location"), Some("https://example.com/"));
        let (found, named) = identify(&response);
        assert_eq!(found.product.as_deref(), Some("Apache httpd"));
        assert_eq!(found.version.as_deref(), Some("2.4.6"));
        assert_eq!(
            found.extra.as_deref(),
            Some("CentOS OpenSSL/1.0.2k-fips PHP/5.4.16; X-Powered-By: PHP/5.4.16")
        );
        let names: Vec<&str> = named.iter().map(|c| c.product.as_str()).collect();
        assert_eq!(names, ["Apache httpd", "OpenSSL", "PHP", "PHP"]);
        assert_eq!(named[1].version.as_deref(), Some("1.0.2k"));
    }

    #[test]
    fn chunked_bodies_are_decoded() {
        let bytes = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7\r\n<title>\r\n5\r\nhello\r\n8\r\n</title>\r\n0\r\n\r\n";
        assert!(response_complete(bytes));
        let response = parse_response(bytes).unwrap();
        assert_eq!(response.body, b"<title>hello</title>");
        assert_eq!(response.title().as_deref(), Some("hello"));
    }

    #[test]
    fn elasticsearch_json() {
        let body = br#"{"name":"node-1","cluster_name":"search","version":{"number":"8.11.1","build_flavor":"default"},"tagline":"You Know, for Search"}"#;
        let mut bytes = format!(
            "HTTP/1.1 200 OK\r\nX-elastic-product: Elasticsearch\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        bytes.extend_from_slice(body);
        let response = parse_response(&bytes).unwrap();
        let (found, _) = identify(&response);
        assert_eq!(found.product.as_deref(), Some("Elasticsearch"));
        assert_eq!(found.version.as_deref(), Some("8.11.1"));
        assert!(search_engine_open(&response));
    }

    #[test]
    fn a_secured_elasticsearch_is_still_named() {
        let body = br#"{"error":{"root_cause":[{"type":"security_exception","reason":"missing authentication credentials for REST request [/]"}],"type":"security_exception","reason":"missing authentication credentials for REST request [/]"},"status":401}"#;
        let mut bytes = format!(
            "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"security\" charset=\"UTF-8\"\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        bytes.extend_from_slice(body);
        let response = parse_response(&bytes).unwrap();
        let (found, _) = identify(&response);
        assert_eq!(found.product.as_deref(), Some("Elasticsearch"));
        assert_eq!(found.extra.as_deref(), Some("authentication required"));
        assert!(!search_engine_open(&response));
    }

    #[test]
    fn hostile_titles_and_headers_stay_text() {
        let response = parse_response(
            b"HTTP/1.0 200 OK\r\nServer: \x1b[31mevil\x1b[0m\r\n\r\n<TITLE><script>alert(1)</script>\x07</TITLE>",
        )
        .unwrap();
        assert_eq!(response.header("server"), Some("\\x1b[31mevil\\x1b[0m"));
        assert_eq!(
            response.title().as_deref(),
            Some("\\x3cscript\\x3ealert(1)\\x3c/script\\x3e\\x07")
        );
        assert!(parse_response(b"HTTP/1.1 abc\r\n\r\n").is_none());
        assert!(parse_response(b"SSH-2.0-x\r\n").is_none());
    }

    #[test]
    fn requests_name_the_host() {
        let request = get("/", "", "::1".parse().unwrap(), 8080, false);
        assert!(
            String::from_utf8(request)
                .unwrap()
                .contains("Host: [::1]:8080\r\n")
        );
        let request = get(
            "/",
            "shop.example",
            "198.18.0.2".parse().unwrap(),
            443,
            true,
        );
        assert!(
            String::from_utf8(request)
                .unwrap()
                .contains("Host: shop.example\r\n")
        );
    }
}
