//! Procedural macros for Quiver: route attributes (`#[get]`, `#[post]`, `#[put]`, `#[patch]`,
//! `#[delete]`) and `#[derive(Model)]`.
//!
//! They only parse the handler and write a small adapter onto library types; use them through
//! the `quiver` crate, whose documentation has the examples.

mod model;
mod perm;
mod route;

use proc_macro::TokenStream;

/// Declares a `GET` route: `#[get("/items/{id}", tag = "items")]` on an `async fn`.
///
/// Arguments may carry `#[path]`, `#[query]`, `#[header]` or `#[cookie]` to read one named
/// parameter (`#[query("q")]` renames it); other arguments are extractors used as they are.
/// The doc comment becomes the route's summary (first line) and description (the rest).
///
/// Options after the path: `tag = "..."`, `name = "..."` (the OpenAPI `operationId`),
/// `summary = "..."`, `error(404, "...")` (an error the handler answers with), `deprecated`,
/// `hidden` (left out of the OpenAPI document), and `cpu`: the handler is then a plain `fn`
/// run on the app's CPU pool (`quiver::cpu`), for blocking or CPU-bound work.
#[proc_macro_attribute]
pub fn get(args: TokenStream, item: TokenStream) -> TokenStream {
    route::expand("GET", args.into(), item.into()).into()
}

/// Declares a `POST` route; see [`macro@get`].
#[proc_macro_attribute]
pub fn post(args: TokenStream, item: TokenStream) -> TokenStream {
    route::expand("POST", args.into(), item.into()).into()
}

/// Declares a `PUT` route; see [`macro@get`].
#[proc_macro_attribute]
pub fn put(args: TokenStream, item: TokenStream) -> TokenStream {
    route::expand("PUT", args.into(), item.into()).into()
}

/// Declares a `PATCH` route; see [`macro@get`].
#[proc_macro_attribute]
pub fn patch(args: TokenStream, item: TokenStream) -> TokenStream {
    route::expand("PATCH", args.into(), item.into()).into()
}

/// Declares a `DELETE` route; see [`macro@get`].
#[proc_macro_attribute]
pub fn delete(args: TokenStream, item: TokenStream) -> TokenStream {
    route::expand("DELETE", args.into(), item.into()).into()
}

/// Derives `quiver_orm::Model` for a struct: its table, columns, relations and one typed
/// `Field` constant per field. See `quiver_orm::Model` for the `#[model(...)]` and
/// `#[field(...)]` attributes.
#[proc_macro_derive(Model, attributes(model, field))]
pub fn derive_model(item: TokenStream) -> TokenStream {
    model::expand(item.into()).into()
}

/// A permission as a type, for `Require<perm!("blog.change_article")>`: the handler answers 403
/// unless the logged-in user has that permission.
#[proc_macro]
pub fn perm(input: TokenStream) -> TokenStream {
    perm::expand(input.into()).into()
}
