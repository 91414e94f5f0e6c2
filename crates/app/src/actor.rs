//! Who is acting: PCI DSS 10.2 wants a person on every audit row.

/// The account running Portcullis, for the audit log. Asked of the OS (the
/// effective user's entry in the account database), not read from `$USER`,
/// which any caller can set and cron leaves unset. A scan with raw sockets
/// runs under sudo as root: then the person sudo names is the one who
/// acted.
pub fn os_user() -> String {
    let account = whoami::fallible::username()
        .ok()
        .filter(|name| !name.trim().is_empty());
    let sudo_user = std::env::var("SUDO_USER")
        .ok()
        .filter(|name| !name.trim().is_empty());
    describe_account(account, sudo_user)
}

/// The actor a person names, or the OS account when they name nobody.
pub fn actor_or_os_user(named: Option<String>) -> String {
    named
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(os_user)
}

fn describe_account(account: Option<String>, sudo_user: Option<String>) -> String {
    match (account, sudo_user) {
        (Some(account), Some(person)) if account == "root" && person != "root" => {
            format!("{person} (as root, through sudo)")
        }
        (Some(account), _) => account,
        (None, _) => "an account the OS could not name".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_actor_is_the_account_or_the_person_behind_sudo() {
        let name = |account: Option<&str>, sudo: Option<&str>| {
            describe_account(account.map(str::to_owned), sudo.map(str::to_owned))
        };
        assert_eq!(name(Some("alice"), None), "alice");
        assert_eq!(name(Some("alice"), Some("bob")), "alice");
        assert_eq!(
            name(Some("root"), Some("alice")),
            "alice (as root, through sudo)"
        );
        assert_eq!(name(Some("root"), None), "root");
        assert!(name(None, Some("alice")).contains("could not name"));
        // The account comes from the OS, whatever $USER says.
        assert_eq!(
            actor_or_os_user(None),
            describe_account(
                whoami::fallible::username().ok(),
                std::env::var("SUDO_USER").ok()
            )
        );
        assert_eq!(actor_or_os_user(Some("Alice".into())), "Alice");
        assert_ne!(actor_or_os_user(Some("  ".into())), "  ");
    }
}
