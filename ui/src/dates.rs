//! Dates typed into a date field and sent to the backend: the field's
//! "2027-03-04" becomes the end of that day, and the default a field
//! starts with is counted from today on this computer's calendar.

/// "2027-03-04", the date `days` from today, for a date field.
pub fn date_in_days(days: u32) -> String {
    let date = js_sys::Date::new_0();
    date.set_date(date.get_date() + days);
    format!(
        "{:04}-{:02}-{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date()
    )
}

/// `date` ("2027-03-04") as the end of that day in the wire's form
/// ("2027-03-04T23:59:59Z"), or why it is not a date.
fn until_of(date: &str) -> Result<serde_json::Value, String> {
    let date = date.trim();
    let parts: Vec<&str> = date.split('-').collect();
    let valid = parts.len() == 3
        && parts[0].len() == 4
        && parts[1].len() == 2
        && parts[2].len() == 2
        && parts
            .iter()
            .all(|part| part.chars().all(|c| c.is_ascii_digit()));
    if !valid {
        return Err(
            "Write the date as year-month-day, for example 2027-03-04, or pick it from the calendar."
                .to_owned(),
        );
    }
    Ok(serde_json::Value::String(format!("{date}T23:59:59Z")))
}

/// Now, by this computer's clock. chrono's own `Utc::now` panics in the
/// browser's wasm (it has no clock there without a feature this crate
/// does not take), so the time comes from JavaScript's `Date`.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    #[allow(clippy::cast_possible_truncation)]
    let millis = js_sys::Date::now() as i64;
    chrono::DateTime::from_timestamp_millis(millis).unwrap_or_default()
}

const NO_SUCH_DATE: &str = "That date does not exist: check the day and the month.";

/// The date typed into "Until when?", decoded as the request's own date
/// type, which the UI need not name: a date that does not exist (31
/// April) fails here.
pub fn decode_until<T: serde::de::DeserializeOwned>(typed: &str) -> Result<T, String> {
    until_of(typed)
        .and_then(|wire| serde_json::from_value(wire).map_err(|_| NO_SUCH_DATE.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_is_year_month_day() {
        assert_eq!(
            until_of(" 2027-03-04 "),
            Ok(serde_json::json!("2027-03-04T23:59:59Z"))
        );
        for wrong in ["04/03/2027", "2027-3-4", "", "next year"] {
            assert!(until_of(wrong).is_err(), "{wrong}");
        }
    }
}
