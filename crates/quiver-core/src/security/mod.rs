//! Security defaults every app gets without asking: clickjacking, sniffing, referrer and opener
//! headers; CSRF checks on cookie-carrying unsafe requests; HTTPS redirect and HSTS once the app
//! says it is served over HTTPS; the client's address and scheme, trusting a proxy only when told.
//!
//! ```
//! use quiver_core::{App, security::Https};
//!
//! let app = App::new()
//!     .allowed_hosts(["shop.example.com"])
//!     .https(Https::default()) // redirect http → https, HSTS for a year
//!     .behind_proxy()          // TLS ends at the load balancer: trust X-Forwarded-Proto/-For
//!     .csrf_exempt("/webhooks/");
//! ```

mod client;
mod csrf;
mod layer;

use std::time::Duration;

pub use client::{ClientIp, RequestScheme};
pub(crate) use csrf::NewCsrfSecret;
pub use csrf::{CSRF_COOKIE, CSRF_FIELD, CSRF_HEADER, CsrfToken};
pub(crate) use layer::SecurityLayer;

use rand::Rng;

/// The characters of [`random_token`]s (and of CSRF secrets).
pub(crate) const ALPHABET: &[u8] =
    b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// `len` random letters and digits from the OS-seeded generator: session keys, CSRF secrets,
/// API keys (62 symbols: about 5.95 bits each).
///
/// ```
/// let key = quiver_core::security::random_token(40);
/// assert_eq!(key.len(), 40);
/// assert!(key.bytes().all(|b| b.is_ascii_alphanumeric()));
/// ```
pub fn random_token(len: usize) -> String {
    let mut rng = rand::rng();
    (0..len).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

/// Serving over HTTPS: plain-HTTP requests are redirected, responses carry
/// `Strict-Transport-Security`, and cookies set by Quiver's batteries are `Secure`.
///
/// ```
/// use std::time::Duration;
/// use quiver_core::security::Https;
///
/// let https = Https::default().hsts(Duration::from_secs(3600)).include_subdomains().preload();
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Https {
    pub(crate) hsts: Duration,
    pub(crate) include_subdomains: bool,
    pub(crate) preload: bool,
    pub(crate) redirect: bool,
}

impl Default for Https {
    /// Redirects plain HTTP; HSTS for one year, this host only.
    fn default() -> Self {
        Self {
            hsts: Duration::from_secs(365 * 24 * 3600),
            include_subdomains: false,
            preload: false,
            redirect: true,
        }
    }
}

impl Https {
    /// How long browsers must use HTTPS only (`max-age`); zero sends no HSTS header.
    pub fn hsts(mut self, max_age: Duration) -> Self {
        self.hsts = max_age;
        self
    }

    /// HSTS covers subdomains too.
    pub fn include_subdomains(mut self) -> Self {
        self.include_subdomains = true;
        self
    }

    /// Asks to be on browsers' HSTS preload lists.
    pub fn preload(mut self) -> Self {
        self.preload = true;
        self
    }

    /// Leaves plain-HTTP requests alone (a proxy redirects them already).
    pub fn no_redirect(mut self) -> Self {
        self.redirect = false;
        self
    }

    fn header_value(&self) -> Option<http::HeaderValue> {
        if self.hsts.is_zero() {
            return None;
        }
        let mut value = format!("max-age={}", self.hsts.as_secs());
        if self.include_subdomains {
            value.push_str("; includeSubDomains");
        }
        if self.preload {
            value.push_str("; preload");
        }
        http::HeaderValue::from_str(&value).ok()
    }
}

/// The app's security settings; [`App`](crate::App)'s methods fill it in.
#[derive(Debug, Clone)]
pub struct SecuritySettings {
    /// Serving over HTTPS, when set.
    pub https: Option<Https>,
    /// A proxy in front sets `X-Forwarded-Proto` and `X-Forwarded-For`; they are trusted.
    pub behind_proxy: bool,
    /// CSRF checks on (the default).
    pub csrf: bool,
    /// Path prefixes without CSRF checks (webhooks called by other servers).
    pub csrf_exempt: Vec<String>,
    /// Origins besides the app's own allowed to send unsafe requests (`https://app.example.com`).
    pub csrf_trusted_origins: Vec<String>,
    /// `X-Frame-Options` and the other headers (on by default).
    pub headers: bool,
}

impl Default for SecuritySettings {
    fn default() -> Self {
        Self {
            https: None,
            behind_proxy: false,
            csrf: true,
            csrf_exempt: Vec::new(),
            csrf_trusted_origins: Vec::new(),
            headers: true,
        }
    }
}

impl SecuritySettings {
    /// Every setting that is unsafe for a deployed app, each with its fix; the core's part of
    /// `check --deploy`.
    ///
    /// ```
    /// let warnings = quiver_core::security::SecuritySettings::default().deploy_warnings();
    /// assert!(warnings.iter().any(|w| w.contains("HTTPS")));
    /// ```
    pub fn deploy_warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        match &self.https {
            None => warnings.push(
                "HTTPS is not configured: cookies are not marked Secure and no HSTS header is sent; \
                 call `App::https(Https::default())` (and `behind_proxy()` when TLS ends at a proxy)"
                    .to_owned(),
            ),
            Some(https) => {
                if https.hsts.is_zero() {
                    warnings.push(
                        "HSTS is off: browsers may still try plain HTTP; set `Https::hsts` to a year"
                            .to_owned(),
                    );
                }
                if !https.redirect {
                    warnings.push(
                        "plain-HTTP requests are not redirected: make sure your proxy redirects them, \
                         or drop `Https::no_redirect()`"
                            .to_owned(),
                    );
                }
            }
        }
        if !self.csrf {
            warnings.push(
                "CSRF protection is off: cookie-authenticated forms can be posted from other sites; \
                 remove `App::csrf(false)` and exempt only the paths that need it with `csrf_exempt`"
                    .to_owned(),
            );
        }
        if !self.headers {
            warnings.push(
                "security headers are off (X-Frame-Options, X-Content-Type-Options, Referrer-Policy, \
                 Cross-Origin-Opener-Policy): remove `App::security_headers(false)`"
                    .to_owned(),
            );
        }
        warnings
    }
}
