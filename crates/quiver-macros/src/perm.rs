//! `perm!("app_label.codename")`: a permission name as a type, for `Require<...>`. The name is
//! checked here, so a typo in its shape is a compile error at the string.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Ident, LitStr};

/// The auth crate as the calling crate sees it: `quiver_auth`, or `quiver::auth`.
fn auth_path() -> TokenStream {
    use proc_macro_crate::{FoundCrate, crate_name};
    if let Ok(found) = crate_name("quiver-auth") {
        return match found {
            // quiver-auth's own doc tests: the crate names itself (`extern crate self`).
            FoundCrate::Itself => quote!(::quiver_auth),
            FoundCrate::Name(name) => {
                let ident = Ident::new(&name, Span::call_site());
                quote!(::#ident)
            }
        };
    }
    if let Ok(FoundCrate::Name(name)) = crate_name("quiver") {
        let ident = Ident::new(&name, Span::call_site());
        return quote!(::#ident::auth);
    }
    quote!(::quiver_auth)
}

pub(crate) fn expand(input: TokenStream) -> TokenStream {
    let literal: LitStr = match syn::parse2(input) {
        Ok(literal) => literal,
        Err(_) => {
            return syn::Error::new(
                Span::call_site(),
                "perm! takes one string: perm!(\"app_label.codename\")",
            )
            .to_compile_error();
        }
    };
    let name = literal.value();
    let well_formed = name.split_once('.').is_some_and(|(app, code)| {
        let part =
            |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        part(app) && part(code)
    });
    if !well_formed || name.len() > 64 {
        return syn::Error::new(
            literal.span(),
            format!(
                "{name:?} is not a permission name: write \"app_label.codename\" (ASCII letters, digits and _, 64 bytes at most), e.g. \"blog.change_article\""
            ),
        )
        .to_compile_error();
    }
    // The name packed into four u128s, 16 bytes each, big-endian, zero-padded.
    let mut bytes = [0u8; 64];
    bytes[..name.len()].copy_from_slice(name.as_bytes());
    let chunks = bytes.chunks(16).map(|chunk| {
        let value = u128::from_be_bytes(chunk.try_into().expect("16 bytes"));
        proc_macro2::Literal::u128_suffixed(value)
    });
    let auth = auth_path();
    quote!(#auth::Perm<#(#chunks),*>)
}
