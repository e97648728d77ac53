//! The server-rendered shop: the product list at `/`, a page per product with its reviews and
//! a review form, and the login and logout forms under `/accounts/`.
//!
//! Templates live in `templates/shop/` and the stylesheet in `static/css/`; both are built into
//! the binary. A `templates/` folder in the working directory overrides them file by file (with
//! debug on, an edit shows at the next reload).

mod accounts;
mod shop;

use quiver::Route;
use quiver::pages::minijinja::syntax::SyntaxConfig;
use quiver::pages::minijinja::{Environment, Value};
use quiver::prelude::*;

use crate::Media;

/// The shop's templates, built into the binary.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("shop/base.html", include_str!("../../templates/shop/base.html")),
    ("shop/_product_card.html", include_str!("../../templates/shop/_product_card.html")),
    ("shop/home.html", include_str!("../../templates/shop/home.html")),
    ("shop/product.html", include_str!("../../templates/shop/product.html")),
    ("shop/login.html", include_str!("../../templates/shop/login.html")),
    ("shop/404.html", include_str!("../../templates/shop/404.html")),
];

/// The shop's static files, built into the binary (served at `/static/...`).
pub const STATIC: &[(&str, &[u8])] =
    &[("css/shop.css", include_bytes!("../../static/css/shop.css"))];

/// The templates: the embedded ones, overridden by `templates/` when it exists, with the
/// shop's two filters (`euros`, `stars`).
pub fn templates() -> Templates {
    Templates::new().embedded(TEMPLATES).dir("templates").configure(setup)
}

fn setup(env: &mut Environment<'static>) {
    env.add_filter("euros", euros);
    env.add_filter("stars", stars);
    // No blank lines where `{% if %}` and `{% for %}` tags stood.
    if let Ok(syntax) = SyntaxConfig::builder().trim_blocks(true).lstrip_blocks(true).build() {
        env.set_syntax(syntax);
    }
}

/// `"12.50"` → `€12.50`.
fn euros(price: Value) -> String {
    format!("€{price}")
}

/// `3.6` → `★★★★☆`.
fn stars(rating: f64) -> String {
    let full = rating.round().clamp(0.0, 5.0) as usize;
    format!("{}{}", "★".repeat(full), "☆".repeat(5 - full))
}

/// The pages' configuration: templates, the stylesheet, and the pictures in `media` (served
/// by the app only when `debug` is on; in production a web server serves that folder).
pub fn pages(media: &Media, debug: bool) -> Pages {
    Pages::new(templates())
        .static_files(StaticFiles::embedded(STATIC))
        .media(media.dir(), media.url())
        .debug(debug)
}

/// Every page's route.
pub fn routes() -> Vec<Route> {
    let mut routes = shop::routes();
    routes.extend(accounts::routes());
    routes
}

/// `next` when it is a path on this site, else `/`: a login form never sends a user elsewhere.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(next) if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') => {
            next.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_local_paths_are_next() {
        assert_eq!(super::safe_next(Some("/products/mug#reviews")), "/products/mug#reviews");
        for bad in ["https://evil.example/", "//evil.example", "/\\evil.example", "evil"] {
            assert_eq!(super::safe_next(Some(bad)), "/", "{bad}");
        }
        assert_eq!(super::safe_next(None), "/");
    }

    #[test]
    fn ratings_become_stars() {
        assert_eq!(super::stars(3.6), "★★★★☆");
        assert_eq!(super::stars(1.0), "★☆☆☆☆");
    }

    #[test]
    fn the_templates_compile() {
        super::templates().check().unwrap();
    }
}
