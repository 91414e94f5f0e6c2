//! Building HTML by hand, with every piece of text escaped: the report's
//! texts include what scanned services sent (banners, titles), which must
//! show as text and never become markup.

use std::fmt::Write;

/// `text` escaped for an HTML text node or a quoted attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An HTML document being written.
#[derive(Debug, Default)]
pub struct Html {
    out: String,
}

impl Html {
    pub fn new() -> Html {
        Html::default()
    }

    /// Markup written as is: only for our own literal tags.
    pub fn raw(&mut self, markup: &str) -> &mut Html {
        self.out.push_str(markup);
        self
    }

    /// Text, escaped.
    pub fn text(&mut self, text: &str) -> &mut Html {
        self.out.push_str(&escape(text));
        self
    }

    /// `<tag class="...">text</tag>`, the text escaped.
    pub fn element(&mut self, tag: &str, class: &str, text: &str) -> &mut Html {
        if class.is_empty() {
            let _ = write!(self.out, "<{tag}>{}</{tag}>", escape(text));
        } else {
            let _ = write!(
                self.out,
                "<{tag} class=\"{class}\">{}</{tag}>",
                escape(text)
            );
        }
        self
    }

    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_never_becomes_markup() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
        );
        let mut html = Html::new();
        html.element("td", "", "<b>banner</b>");
        assert_eq!(html.finish(), "<td>&lt;b&gt;banner&lt;/b&gt;</td>");
    }
}
