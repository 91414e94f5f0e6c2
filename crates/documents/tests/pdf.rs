//! `render_pdf` end to end: a template with everything the real reports
//! need, read back with poppler (pdfinfo, pdftotext, pdffonts, pdftoppm) as
//! a person's PDF viewer would; and the ways a template can go wrong.

use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{DateTime, Utc};
use portcullis_documents::{Input, PdfError, render_pdf};

/// Text that is markup in typst, as a scanned service could send it: it
/// must come out of the PDF exactly as it went in.
const HOSTILE: &str =
    r#"#read("/etc/passwd") *bold* _emph_ $x^2$ <label> @ref `code` \ back\slash"#;

/// The report's rows: enough for the table to run over several pages.
const ROWS: usize = 120;

/// A template with the parts the real documents use: a title page, a footer
/// with "Page X of Y", a heading, an SVG chart, data printed as text and as
/// code, and a long table whose header repeats on every page.
const REPORT: &str = r##"#let data = json("data.json")
#set document(title: data.title)
#set text(font: "Inter", size: 10pt)
#set page(
  paper: "a4",
  margin: (x: 2cm, top: 2cm, bottom: 2.5cm),
  footer: context [
    #set text(size: 8pt)
    #h(1fr)
    Page #counter(page).display() of #counter(page).final().first()
  ],
)

#align(center + horizon)[
  #text(size: 24pt, weight: "bold", data.title)
  #v(1em)
  #text(style: "italic")[Made on #datetime.today().display()]
]
#pagebreak()

= Open ports

#image("chart.svg", width: 6cm)

Banner as text: #data.hostile

Banner as code: #raw(data.hostile)

#table(
  columns: (auto, auto, auto, 1fr),
  table.header(repeat: true, [*Host address*], [*Port*], [*Service name*], [*Banner*]),
  ..data.rows.map(row => (row.host, str(row.port), row.service, row.banner)).flatten(),
)
"##;

/// A red band with a blue box: colours the page images are searched for.
const CHART: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60" viewBox="0 0 200 60">
  <rect x="0" y="0" width="200" height="60" fill="#ff0000"/>
  <rect x="10" y="10" width="60" height="40" fill="#0000ff"/>
</svg>"##;

fn made() -> DateTime<Utc> {
    "2026-03-31T09:15:00Z".parse().expect("a valid time")
}

fn data_json() -> Vec<u8> {
    let rows: Vec<serde_json::Value> = (1..=ROWS)
        .map(|i| {
            let banner = if i == ROWS / 2 {
                HOSTILE.to_owned()
            } else {
                format!("OpenSSH_9.{i}")
            };
            serde_json::json!({
                "host": format!("10.0.0.{i}"),
                "port": 20 + i,
                "service": "ssh",
                "banner": banner,
            })
        })
        .collect();
    let data = serde_json::json!({ "title": "Scan report", "hostile": HOSTILE, "rows": rows });
    serde_json::to_vec(&data).expect("JSON")
}

fn report(data: &[u8], made: DateTime<Utc>) -> Result<Vec<u8>, PdfError> {
    let inputs = [
        Input {
            name: "data.json",
            bytes: data,
        },
        Input {
            name: "chart.svg",
            bytes: CHART.as_bytes(),
        },
    ];
    render_pdf(REPORT, &inputs, made)
}

/// Where the test leaves the PDF and its pages as PNG, to be looked at:
/// emptied first, so no page of an earlier run is left behind.
fn out_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("documents-test");
    if dir.exists() {
        std::fs::remove_dir_all(&dir).expect("the old output removed");
    }
    std::fs::create_dir_all(&dir).expect("the output directory");
    dir
}

/// A poppler tool's standard output, or `None` (after saying why) where
/// poppler-utils is missing and skipping is allowed.
fn poppler(tool: &str, args: &[&str]) -> Option<String> {
    let output = match Command::new(tool).args(args).output() {
        Ok(output) => output,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            cannot_run(&format!("{tool} is missing (Debian's poppler-utils)"));
            return None;
        }
        Err(error) => panic!("{tool}: {error}"),
    };
    assert!(
        output.status.success(),
        "{tool} {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(String::from_utf8(output.stdout).expect("UTF-8 from poppler"))
}

/// `cargo xtask setup` installs poppler-utils, so by default a missing tool
/// fails the test; `PORTCULLIS_ALLOW_SKIP=1` lets it pass, checking nothing.
fn cannot_run(reason: &str) {
    if std::env::var_os("PORTCULLIS_ALLOW_SKIP").is_some_and(|value| value == "1") {
        eprintln!("SKIPPED (PORTCULLIS_ALLOW_SKIP=1), so this test checks nothing: {reason}");
        return;
    }
    panic!(
        "cannot run: {reason}\n(`cargo xtask setup` installs what is missing; \
         PORTCULLIS_ALLOW_SKIP=1 skips the test, which then checks nothing)"
    );
}

/// The value of a `Name: value` line of pdfinfo's answer.
fn info_field<'a>(info: &'a str, name: &str) -> &'a str {
    info.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))
        .unwrap_or_else(|| panic!("no {name} in pdfinfo's answer:\n{info}"))
        .trim()
}

fn page_text(pdf: &str, page: usize) -> Option<String> {
    let page = page.to_string();
    poppler("pdftotext", &["-f", &page, "-l", &page, pdf, "-"])
}

#[test]
fn a_report_reads_back_as_written() {
    let bytes = report(&data_json(), made()).expect("a PDF");
    let dir = out_dir();
    let pdf_path = dir.join("report.pdf");
    std::fs::write(&pdf_path, &bytes).expect("the PDF written");
    let pdf = pdf_path.to_str().expect("a UTF-8 path");

    let Some(info) = poppler("pdfinfo", &["-isodates", pdf]) else {
        return;
    };
    let pages: usize = info_field(&info, "Pages").parse().expect("a page count");
    assert!(
        pages >= 4,
        "a title page and a table over several pages, got {pages}"
    );
    assert_eq!(info_field(&info, "Title"), "Scan report");
    assert_eq!(info_field(&info, "CreationDate"), "2026-03-31T09:15:00Z");

    check_text(pdf, pages);
    check_fonts(pdf);
    check_images(pdf, &dir, pages);
}

/// The title page, the footer, the repeated header, every row, and the
/// hostile text verbatim.
fn check_text(pdf: &str, pages: usize) {
    let Some(all) = poppler("pdftotext", &[pdf, "-"]) else {
        return;
    };
    assert!(
        all.contains("Made on 2026-03-31"),
        "today() is the day made:\n{all}"
    );
    assert!(
        all.contains(&format!("Banner as text: {HOSTILE}")),
        "data as text:\n{all}"
    );
    assert!(
        all.contains(&format!("Banner as code: {HOSTILE}")),
        "data as code:\n{all}"
    );
    assert!(
        all.contains(&format!("10.0.0.{ROWS}")),
        "the last row:\n{all}"
    );
    for page in 2..=pages {
        let Some(text) = page_text(pdf, page) else {
            return;
        };
        assert!(
            text.contains("Service name"),
            "header on page {page}:\n{text}"
        );
        assert!(
            text.contains(&format!("Page {page} of {pages}")),
            "footer on page {page}:\n{text}"
        );
    }
}

/// Only Inter is embedded: raw text too falls back to it.
fn check_fonts(pdf: &str) {
    let Some(fonts) = poppler("pdffonts", &[pdf]) else {
        return;
    };
    let embedded: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!embedded.is_empty(), "{fonts}");
    for font in embedded {
        assert!(font.contains("Inter"), "a font other than Inter:\n{fonts}");
    }
}

/// Every page as a PNG (to look at), and the chart's colours on page 2.
fn check_images(pdf: &str, dir: &Path, pages: usize) {
    let root = dir.join("page");
    let root = root.to_str().expect("a UTF-8 path");
    if poppler("pdftoppm", &["-png", "-r", "60", pdf, root]).is_none() {
        return;
    }
    let pngs = std::fs::read_dir(dir)
        .expect("the output directory")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.starts_with("page-") && name.ends_with(".png"))
        .count();
    assert_eq!(pngs, pages, "one PNG per page in {}", dir.display());

    let chart = dir.join("chart");
    let chart = chart.to_str().expect("a UTF-8 path");
    let args = ["-f", "2", "-l", "2", "-r", "30", "-singlefile", pdf, chart];
    if poppler("pdftoppm", &args).is_none() {
        return;
    }
    let ppm = std::fs::read(format!("{chart}.ppm")).expect("page 2 as PPM");
    let red = count_pixels(&ppm, |[r, g, b]| r > 200 && g < 60 && b < 60);
    let blue = count_pixels(&ppm, |[r, g, b]| r < 60 && g < 60 && b > 200);
    assert!(
        red > 500 && blue > 100,
        "the SVG chart on page 2: {red} red, {blue} blue pixels"
    );
}

/// The pixels of a binary PPM (pdftoppm's `P6\nW H\n255\n` header) that
/// `is` accepts.
fn count_pixels(ppm: &[u8], is: impl Fn([u8; 3]) -> bool) -> usize {
    let mut header_ends = 0;
    let mut fields = 0;
    while fields < 4 {
        let start = header_ends;
        while !ppm[header_ends].is_ascii_whitespace() {
            header_ends += 1;
        }
        fields += usize::from(header_ends > start);
        header_ends += 1;
    }
    ppm[header_ends..]
        .chunks_exact(3)
        .filter(|pixel| is([pixel[0], pixel[1], pixel[2]]))
        .count()
}

#[test]
fn the_same_inputs_give_the_same_bytes() {
    let data = data_json();
    let first = report(&data, made()).expect("a PDF");
    let second = report(&data, made()).expect("a PDF");
    assert!(first == second, "two renderings differ");

    let reordered = [
        Input {
            name: "/chart.svg",
            bytes: CHART.as_bytes(),
        },
        Input {
            name: "data.json",
            bytes: &data,
        },
    ];
    let third = render_pdf(REPORT, &reordered, made()).expect("a PDF");
    assert!(
        first == third,
        "the inputs' order or spelling changed the bytes"
    );

    let later = made() + chrono::TimeDelta::seconds(1);
    assert!(
        first != report(&data, later).expect("a PDF"),
        "made is in the PDF"
    );
}

/// The diagnostics of a template that must fail, as one text.
fn failure(template: &str) -> (PdfError, String) {
    let data = data_json();
    let inputs = [Input {
        name: "data.json",
        bytes: &data,
    }];
    let error = render_pdf(template, &inputs, made()).expect_err("an error");
    let text = error.to_string();
    (error, text)
}

#[test]
fn a_syntax_error_names_its_line() {
    let (error, text) = failure("= Title\n\nSome text\n#let rows = (1, 2\nMore text\n");
    let PdfError::Template(diagnostics) = error else {
        panic!("{text}")
    };
    let at = diagnostics[0].location.as_ref().expect("a location");
    assert_eq!((at.file.as_str(), at.line), ("main.typ", 4), "{text}");
    assert_eq!(at.text, "#let rows = (1, 2");
    assert!(text.contains("main.typ:4:"), "{text}");
}

#[test]
fn files_outside_the_inputs_are_not_found() {
    for call in [r#"#read("/etc/passwd")"#, r#"#image("/etc/passwd")"#] {
        let (_, text) = failure(&format!("= Title\n{call}\n"));
        let expected = "main.typ:2: file not found (searched at /etc/passwd)";
        assert!(text.contains(expected), "{call}: {text}");
    }
    // Typst itself refuses a path that climbs out of the root.
    let (_, text) = failure("= Title\n#read(\"../../etc/passwd\")\n");
    assert!(
        text.contains("main.typ:2:") && text.contains("escape"),
        "{text}"
    );
}

#[test]
fn packages_are_not_downloaded() {
    let (_, text) = failure("#import \"@preview/cetz:0.3.4\": canvas\n");
    assert!(
        text.contains("not found") && text.contains("@preview/cetz"),
        "{text}"
    );
}

#[test]
fn an_error_in_the_data_names_the_input_and_its_line() {
    let inputs = [Input {
        name: "data.json",
        bytes: b"{\n  \"title\": oops\n}",
    }];
    let error =
        render_pdf("#let data = json(\"data.json\")\n", &inputs, made()).expect_err("an error");
    let text = error.to_string();
    assert!(text.contains("data.json:2: failed to parse JSON"), "{text}");
    assert!(text.contains("while calling `json` (main.typ:1)"), "{text}");
}

#[test]
fn a_font_other_than_inter_is_refused() {
    let (_, text) = failure("#set text(font: \"Helvetica\")\nHello\n");
    assert!(text.contains("unknown font family: helvetica"), "{text}");
}
