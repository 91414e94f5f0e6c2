//! Numbers as people read them.

/// "194,852" for 194852: a whole number's digits grouped in threes, as a
/// merchant reads a number.
pub fn thousands(number: impl std::fmt::Display) -> String {
    let digits = number.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped_by_commas() {
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(4000), "4,000");
        assert_eq!(thousands(1_234_567_u64), "1,234,567");
        assert_eq!(thousands(0), "0");
    }
}
