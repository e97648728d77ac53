//! CSRF protection, Django's way: a random secret in the `csrftoken` cookie, and every unsafe
//! request that carries cookies (or is a form a browser could send cross-site) must echo it —
//! masked, so it differs on every page (BREACH) — in the `X-CSRFToken` header or the
//! `csrfmiddlewaretoken` form field, and come from the app's own origin.

use http::request::Parts;
use subtle::ConstantTimeEq;

use crate::context::AppContext;
use crate::error::Result;
use crate::extract::FromRequestParts;

/// The cookie holding the CSRF secret (readable by scripts, which copy it into the header).
pub const CSRF_COOKIE: &str = "csrftoken";
/// The header carrying the token on AJAX requests.
pub const CSRF_HEADER: &str = "x-csrftoken";
/// The form field carrying the token on HTML forms.
pub const CSRF_FIELD: &str = "csrfmiddlewaretoken";

use super::{ALPHABET, random_token};

const SECRET_LEN: usize = 32;

/// A CSRF secret made while handling a request, carried on the response for the security layer
/// to set as the cookie.
#[derive(Debug, Clone)]
pub(crate) struct NewCsrfSecret(pub(crate) String);

fn made_secret() -> Option<String> {
    crate::extract::with_request_scope(|scope| scope.csrf_secret.clone()).flatten()
}

fn keep_secret(secret: String) {
    crate::extract::with_request_scope(|scope| scope.csrf_secret = Some(secret));
}

fn random_string() -> String {
    random_token(SECRET_LEN)
}

fn index(c: u8) -> Option<usize> {
    ALPHABET.iter().position(|&a| a == c)
}

fn well_formed(secret: &str) -> bool {
    secret.len() == SECRET_LEN && secret.bytes().all(|b| index(b).is_some())
}

/// `mask + (secret shifted by mask)`: a new-looking token for the same secret each time.
fn mask(secret: &str) -> String {
    let mask = random_string();
    let mut token = mask.clone();
    for (s, m) in secret.bytes().zip(mask.bytes()) {
        let (s, m) = (index(s).unwrap_or(0), index(m).unwrap_or(0));
        token.push(ALPHABET[(s + m) % ALPHABET.len()] as char);
    }
    token
}

fn unmask(token: &str) -> Option<String> {
    if token.len() != 2 * SECRET_LEN {
        // An unmasked secret (copied straight from the cookie by a script) is accepted too.
        return well_formed(token).then(|| token.to_owned());
    }
    let (mask, cipher) = token.as_bytes().split_at(SECRET_LEN);
    cipher
        .iter()
        .zip(mask)
        .map(|(&c, &m)| {
            let (c, m) = (index(c)?, index(m)?);
            Some(ALPHABET[(c + ALPHABET.len() - m) % ALPHABET.len()] as char)
        })
        .collect()
}

/// Whether the token sent with a request matches the cookie's secret (constant time).
pub(crate) fn token_matches(token: &str, secret: &str) -> bool {
    unmask(token).is_some_and(|sent| sent.as_bytes().ct_eq(secret.as_bytes()).into())
}

/// The CSRF secret in the request's cookie, when there is a well-formed one.
pub(crate) fn cookie_secret(parts: &Parts) -> Option<String> {
    crate::extract::cookie_value(&parts.headers, CSRF_COOKIE).filter(|value| well_formed(value))
}

/// The CSRF token for the page being rendered: put [`form_field`](Self::form_field) in every
/// form that posts back, or send [`value`](Self::value) in the `X-CSRFToken` header.
///
/// Asking for it (in a Quiver handler or dependency) sets the `csrftoken` cookie when the browser
/// has none yet.
///
/// ```
/// use quiver_core::{response::Html, security::CsrfToken};
///
/// async fn form(csrf: CsrfToken) -> Html<String> {
///     Html(format!(r#"<form method="post">{}<button>Send</button></form>"#, csrf.form_field()))
/// }
/// ```
#[derive(Debug, Clone)]
pub struct CsrfToken {
    masked: String,
}

impl CsrfToken {
    /// The token for this request (a new secret is made, and set as the cookie, if the request
    /// had none).
    pub fn of(parts: &Parts) -> Self {
        let secret = made_secret().or_else(|| cookie_secret(parts)).unwrap_or_else(|| {
            let secret = random_string();
            keep_secret(secret.clone());
            secret
        });
        Self { masked: mask(&secret) }
    }

    /// Replaces the secret (call at login, as Django does, so a token seen before login is
    /// worthless after it); the response sets the new cookie.
    pub fn rotate() {
        keep_secret(random_string());
    }

    /// The masked token (different on every call, all valid for the same cookie).
    pub fn value(&self) -> &str {
        &self.masked
    }

    /// `<input type="hidden" name="csrfmiddlewaretoken" value="...">` for an HTML form.
    pub fn form_field(&self) -> String {
        format!(r#"<input type="hidden" name="{CSRF_FIELD}" value="{}">"#, self.masked)
    }
}

impl serde::Serialize for CsrfToken {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.masked)
    }
}

impl FromRequestParts for CsrfToken {
    async fn from_request_parts(parts: &mut Parts, _app: &AppContext) -> Result<Self> {
        Ok(Self::of(parts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masked_tokens_differ_but_all_match_their_secret_and_no_other() {
        let secret = random_string();
        let (a, b) = (mask(&secret), mask(&secret));
        assert_ne!(a, b);
        assert!(token_matches(&a, &secret));
        assert!(token_matches(&b, &secret));
        assert!(token_matches(&secret, &secret));
        assert!(!token_matches(&a, &random_string()));
        assert!(!token_matches("short", &secret));
    }
}
