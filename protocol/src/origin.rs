//! The syntax of a web origin as the bridge and the server accept it: `https://host[:port]`, or
//! `http://` for a loopback host (development only; the allow-lists decide whether it is used).
//!
//! Browsers hand over origins already serialised, so this is a strict check of that serialisation
//! rather than a URL parser: anything a browser would not produce (a path, a query, user info,
//! upper case, a default port) is refused, which keeps allow-list comparison a plain string match.

/// Why an origin is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OriginError {
    /// Longer than 255 characters.
    #[error("longer than 255 characters")]
    TooLong,
    /// Not `https://`, nor `http://` with a loopback host.
    #[error("scheme must be https (http only for loopback hosts)")]
    Scheme,
    /// Has a path (even `/`), a query or a fragment.
    #[error("an origin has no path, query or fragment")]
    Path,
    /// The host is empty, has user info, upper case or characters outside `[a-z0-9.-]`.
    #[error("host is malformed")]
    Host,
    /// The port is not 1–65535 in canonical form, or is the scheme's default.
    #[error("port is malformed")]
    Port,
}

/// Largest origin accepted.
pub const MAX_ORIGIN_LEN: usize = 255;

/// Whether `host` is a loopback name or address.
pub fn is_loopback_host(host: &str) -> bool {
    host == "localhost"
        || host == "[::1]"
        || host.starts_with("127.") && host.split('.').count() == 4
}

/// Splits a valid origin into (scheme, host, port).
///
/// # Errors
/// [`OriginError`] naming what is wrong: the length, the scheme, a path, query or fragment, user
/// information, the host or the port.
pub fn check_origin_syntax(origin: &str) -> Result<(&str, &str, Option<u16>), OriginError> {
    if origin.len() > MAX_ORIGIN_LEN {
        return Err(OriginError::TooLong);
    }
    let (scheme, rest) = if let Some(rest) = origin.strip_prefix("https://") {
        ("https", rest)
    } else if let Some(rest) = origin.strip_prefix("http://") {
        ("http", rest)
    } else {
        return Err(OriginError::Scheme);
    };
    if rest.contains(['/', '?', '#']) {
        return Err(OriginError::Path);
    }
    let (host, port) = if let Some(v6) = rest.strip_prefix('[') {
        // Only [::1] is accepted among IPv6 literals (loopback development).
        let end = v6.find(']').ok_or(OriginError::Host)?;
        let host = &rest[..end + 2];
        (host, &rest[end + 2..])
    } else {
        match rest.find(':') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        }
    };
    let host_ok = if host.starts_with('[') {
        host == "[::1]"
    } else {
        !host.is_empty()
            && host.len() <= 253
            && host
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
            && host
                .split('.')
                .all(|label| !label.is_empty() && !label.starts_with('-') && !label.ends_with('-'))
    };
    if !host_ok {
        return Err(OriginError::Host);
    }
    let port = match port {
        "" => None,
        p => {
            let digits = p.strip_prefix(':').ok_or(OriginError::Host)?;
            if digits.is_empty()
                || digits.starts_with('0')
                || !digits.bytes().all(|b| b.is_ascii_digit())
            {
                return Err(OriginError::Port);
            }
            let port: u16 = digits.parse().map_err(|_| OriginError::Port)?;
            let default = if scheme == "https" { 443 } else { 80 };
            if port == default {
                return Err(OriginError::Port);
            }
            Some(port)
        }
    };
    if scheme == "http" && !is_loopback_host(host) {
        return Err(OriginError::Scheme);
    }
    Ok((scheme, host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted() {
        for origin in [
            "https://myna.go.jp",
            "https://myna.example:8443",
            "http://127.0.0.1:8080",
            "http://localhost:3000",
            "http://[::1]:8080",
            "https://xn--eckwd4c7c.jp",
        ] {
            assert!(check_origin_syntax(origin).is_ok(), "{origin}");
        }
        assert_eq!(
            check_origin_syntax("https://a.example:8443"),
            Ok(("https", "a.example", Some(8443)))
        );
    }

    #[test]
    fn refused() {
        use OriginError::*;
        let long = format!("https://{}.example", "a".repeat(250));
        for (origin, expected) in [
            ("http://myna.example", Scheme),
            ("ftp://myna.example", Scheme),
            ("myna.example", Scheme),
            ("chrome-extension://abc", Scheme),
            ("https://myna.example/", Path),
            ("https://myna.example/login", Path),
            ("https://myna.example?x", Path),
            ("https://myna.example#x", Path),
            ("https://user@myna.example", Host),
            ("https://MYNA.example", Host),
            ("https://", Host),
            ("https://a..example", Host),
            ("https://-a.example", Host),
            ("https://[::2]:80", Host),
            ("https://a.example:", Port),
            ("https://a.example:0", Port),
            ("https://a.example:08443", Port),
            ("https://a.example:65536", Port),
            ("https://a.example:443", Port),
            ("https://a.example:x", Port),
            (long.as_str(), TooLong),
        ] {
            assert_eq!(check_origin_syntax(origin), Err(expected), "{origin}");
        }
    }

    #[test]
    fn loopback_hosts() {
        assert!(is_loopback_host("127.0.0.1"));
        assert!(is_loopback_host("localhost"));
        assert!(is_loopback_host("[::1]"));
        assert!(!is_loopback_host("127.example"));
        assert!(!is_loopback_host("example.com"));
    }
}
