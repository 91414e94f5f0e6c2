//! Times as the database stores them: RFC 3339 in UTC with milliseconds,
//! which sorts as text in time order.

use chrono::{DateTime, SecondsFormat, Utc};

/// Now, as stored.
pub fn now_rfc3339() -> String {
    to_rfc3339(Utc::now())
}

/// `time`, as stored.
pub fn to_rfc3339(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}
