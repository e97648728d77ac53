//! Expansion of the route attributes: keep the function as written, and add a same-named item
//! in the type namespace that turns into a `quiver::Route`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Attribute, Expr, ExprLit, FnArg, ItemFn, Lit, LitStr, Meta, Pat, ReturnType, Token};

/// The attribute's arguments: the path, then `tag = "..."`, `name = "..."`, `deprecated`,
/// `hidden` (left out of the OpenAPI document), `cpu` (a plain `fn` run on the app's CPU pool).
struct RouteArgs {
    path: LitStr,
    tags: Vec<LitStr>,
    name: Option<LitStr>,
    summary: Option<LitStr>,
    deprecated: bool,
    hidden: bool,
    cpu: Option<Span>,
    errors: Vec<(syn::LitInt, LitStr)>,
}

impl Parse for RouteArgs {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.is_empty() {
            return Err(input.error("expected the route's path, e.g. #[get(\"/items/{id}\")]"));
        }
        let path: LitStr = input.parse()?;
        let mut errors: Option<syn::Error> = None;
        if !path.value().starts_with('/') {
            errors = Some(syn::Error::new(path.span(), "route paths start with `/`"));
        }
        let mut args = RouteArgs {
            path,
            tags: Vec::new(),
            name: None,
            summary: None,
            deprecated: false,
            hidden: false,
            cpu: None,
            errors: Vec::new(),
        };

        while !input.is_empty() {
            input.parse::<Token![,]>()?;
            if input.is_empty() {
                break;
            }
            let meta: Meta = input.parse()?;
            let result = match &meta {
                Meta::List(list) if list.path.is_ident("error") => list
                    .parse_args_with(|input: ParseStream| {
                        let status: syn::LitInt = input.parse()?;
                        input.parse::<Token![,]>()?;
                        let description: LitStr = input.parse()?;
                        Ok((status, description))
                    })
                    .map(|error| args.errors.push(error))
                    .map_err(|_| {
                        syn::Error::new(list.span(), "expected `error(404, \"what it means\")`")
                    }),
                Meta::Path(p) if p.is_ident("hidden") => {
                    args.hidden = true;
                    Ok(())
                }
                Meta::Path(p) if p.is_ident("cpu") => {
                    args.cpu = Some(p.span());
                    Ok(())
                }
                Meta::Path(p) if p.is_ident("deprecated") => {
                    args.deprecated = true;
                    Ok(())
                }
                Meta::NameValue(nv) => {
                    match (nv.path.get_ident().map(|i| i.to_string()).as_deref(), string(&nv.value))
                    {
                        (Some("tag"), Some(s)) => {
                            args.tags.push(s);
                            Ok(())
                        }
                        (Some("name"), Some(s)) => {
                            args.name = Some(s);
                            Ok(())
                        }
                        (Some("summary"), Some(s)) => {
                            args.summary = Some(s);
                            Ok(())
                        }
                        (Some("tag" | "name" | "summary"), None) => {
                            Err(syn::Error::new(nv.value.span(), "expected a string literal"))
                        }
                        _ => Err(unknown(&meta)),
                    }
                }
                _ => Err(unknown(&meta)),
            };
            if let Err(e) = result {
                match &mut errors {
                    Some(all) => all.combine(e),
                    None => errors = Some(e),
                }
            }
        }
        match errors {
            Some(e) => Err(e),
            None => Ok(args),
        }
    }
}

fn string(expr: &Expr) -> Option<LitStr> {
    match expr {
        Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => Some(s.clone()),
        _ => None,
    }
}

fn unknown(meta: &Meta) -> syn::Error {
    syn::Error::new(
        meta.span(),
        "unknown route option; expected `tag = \"...\"`, `name = \"...\"`, `summary = \"...\"`, `error(404, \"...\")`, `deprecated`, `hidden` or `cpu`",
    )
}

/// Where a single named parameter is read from.
#[derive(Clone, Copy)]
enum Source {
    Path,
    Query,
    Header,
    Cookie,
}

impl Source {
    fn from_attr(attr: &Attribute) -> Option<Self> {
        let ident = attr.path().get_ident()?.to_string();
        match ident.as_str() {
            "path" => Some(Self::Path),
            "query" => Some(Self::Query),
            "header" => Some(Self::Header),
            "cookie" => Some(Self::Cookie),
            _ => None,
        }
    }

    fn extractor(self) -> TokenStream {
        match self {
            Self::Path => quote!(::quiver::extract::PathParam),
            Self::Query => quote!(::quiver::extract::QueryParam),
            Self::Header => quote!(::quiver::extract::HeaderParam),
            Self::Cookie => quote!(::quiver::extract::CookieParam),
        }
    }

    /// The name the client uses: headers turn `_` into `-`, others keep the argument's name.
    fn default_name(self, ident: &str) -> String {
        match self {
            Self::Header => ident.replace('_', "-"),
            _ => ident.to_owned(),
        }
    }
}

pub(crate) fn expand(method: &str, args: TokenStream, item: TokenStream) -> TokenStream {
    match try_expand(method, args, item.clone()) {
        Ok(tokens) => tokens,
        // Keep the function so its own errors still show, and report ours.
        Err(error) => {
            let error = error.to_compile_error();
            quote!(#item #error)
        }
    }
}

fn try_expand(method: &str, args: TokenStream, item: TokenStream) -> syn::Result<TokenStream> {
    let args_result = syn::parse2::<RouteArgs>(args);
    let mut function: ItemFn = syn::parse2(item)?;
    let mut errors: Vec<syn::Error> = Vec::new();
    let args = match args_result {
        Ok(args) => Some(args),
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let cpu_option = args.as_ref().and_then(|args| args.cpu);
    let cpu = cpu_option.is_some();
    match (&function.sig.asyncness, cpu_option) {
        (None, None) => errors.push(syn::Error::new(
            function.sig.fn_token.span(),
            "route handlers must be `async fn`; for blocking or CPU-bound work, write a plain \
             `fn` and mark the route `cpu`, e.g. #[post(\"/resize\", cpu)], to run it on the \
             app's CPU pool",
        )),
        (Some(asyncness), Some(option)) => {
            let mut error = syn::Error::new(
                asyncness.span(),
                "a `cpu` route's handler is a plain `fn`: it runs on a CPU pool thread, where \
                 there is nothing to `.await`; drop `async`, or drop `cpu` and call \
                 `CpuPool::run` for the blocking part",
            );
            error.combine(syn::Error::new(option, "the route is marked `cpu` here"));
            errors.push(error);
        }
        _ => {}
    }
    if !function.sig.generics.params.is_empty() {
        errors.push(syn::Error::new(
            function.sig.generics.span(),
            "route handlers cannot be generic",
        ));
    }

    let fn_name = function.sig.ident.clone();
    let mut markers = Vec::new();
    let mut wrapper_params = Vec::new();
    let mut call_args = Vec::new();
    let mut checks = Vec::new();
    let arg_count = function.sig.inputs.len();
    for (index, input) in function.sig.inputs.iter_mut().enumerate() {
        let FnArg::Typed(arg) = input else {
            errors.push(syn::Error::new(input.span(), "route handlers cannot take `self`"));
            continue;
        };
        let arg_ident = format_ident!("__quiver_arg{}", index);
        let ty = arg.ty.clone();
        let mut source_attr = None;
        let mut kept = Vec::new();
        for attr in arg.attrs.drain(..) {
            match Source::from_attr(&attr) {
                Some(source) if source_attr.is_none() => source_attr = Some((source, attr)),
                Some(_) => errors.push(syn::Error::new(
                    attr.span(),
                    "an argument can have only one of #[path], #[query], #[header], #[cookie]",
                )),
                None => kept.push(attr),
            }
        }
        arg.attrs = kept;
        match source_attr {
            None => {
                // Checked one by one so a wrong argument type is reported at that argument.
                let check = if index + 1 == arg_count {
                    quote_spanned!(ty.span()=> ::quiver::__private::assert_last_argument::<#ty, _>();)
                } else {
                    quote_spanned!(ty.span()=> ::quiver::__private::assert_head_argument::<#ty>();)
                };
                checks.push(check);
                wrapper_params.push(quote!(#arg_ident: #ty));
                call_args.push(quote!(#arg_ident));
            }
            Some((source, attr)) => {
                let explicit = match &attr.meta {
                    Meta::Path(_) => None,
                    Meta::List(list) => {
                        match list.parse_args::<LitStr>() {
                            Ok(s) => Some(s.value()),
                            Err(_) => {
                                errors.push(syn::Error::new(list.span(), "expected the parameter's name as a string, e.g. #[query(\"q\")]"));
                                None
                            }
                        }
                    }
                    Meta::NameValue(nv) => {
                        errors.push(syn::Error::new(
                            nv.span(),
                            "write the name in parentheses, e.g. #[query(\"q\")]",
                        ));
                        None
                    }
                };
                let name = match (&explicit, &*arg.pat) {
                    (Some(name), _) => name.clone(),
                    (None, Pat::Ident(pat)) => {
                        source.default_name(pat.ident.to_string().trim_start_matches("r#"))
                    }
                    (None, other) => {
                        errors.push(syn::Error::new(other.span(), "name this parameter, e.g. #[query(\"q\")], or bind it to a plain identifier"));
                        continue;
                    }
                };
                let marker = format_ident!("__QuiverParam{}", index);
                let name_lit = LitStr::new(&name, Span::call_site());
                markers.push(quote! {
                    struct #marker;
                    impl ::quiver::extract::ParamName for #marker {
                        const NAME: &'static str = #name_lit;
                    }
                });
                let extractor = source.extractor();
                wrapper_params.push(quote!(#arg_ident: #extractor<#ty, #marker>));
                call_args.push(quote!(#arg_ident.0));
            }
        }
    }
    if let Some(first) = errors.into_iter().reduce(|mut all, e| {
        all.combine(e);
        all
    }) {
        return Err(first);
    }
    let Some(args) = args else { unreachable!("argument errors were reported above") };

    let (summary, description) = doc_text(&function.attrs);
    let summary = args.summary.map(|s| s.value()).or(summary);
    let summary = summary.map(|s| quote!(.summary(#s)));
    let description = description.map(|d| quote!(.description(#d)));
    let tags = args.tags.iter().map(|t| quote!(.tag(#t)));
    let deprecated = args.deprecated.then(|| quote!(.deprecated()));
    let hidden = args.hidden.then(|| quote!(.hidden()));
    let errors =
        args.errors.iter().map(|(status, description)| quote!(.error(#status, #description)));
    let route_name = args.name.map(|n| n.value()).unwrap_or_else(|| fn_name.to_string());
    let path = args.path;
    let method = format_ident!("{}", method);
    let output = match &function.sig.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => quote!(#ty),
    };
    // The return type documents its responses when it can (`impl Trait` cannot be named).
    let responses = if output.to_string().contains("impl ") {
        quote!()
    } else {
        quote! {
            .responses(|doc, generator| {
                #[allow(unused_imports)]
                use ::quiver::openapi::{ViaFallback as _, ViaResponseDoc as _};
                (&::quiver::openapi::ResponseProbe::<#output>::new()).describe_responses(doc, generator)
            })
        }
    };
    // A `cpu` handler is called on a thread of the app's default pool; the pool argument comes
    // first, so a full pool refuses the request before its body is read.
    let (handler, cpu) = if cpu {
        let handler = quote! {
            async fn __quiver_handler(
                __quiver_pool: ::quiver::cpu::CpuPool,
                #(#wrapper_params),*
            ) -> ::std::result::Result<#output, ::quiver::cpu::Overloaded> {
                __quiver_pool.run(move |_| #fn_name(#(#call_args),*)).await
            }
        };
        (handler, quote!(.cpu()))
    } else {
        let handler = quote! {
            async fn __quiver_handler(#(#wrapper_params),*) -> #output {
                #fn_name(#(#call_args),*).await
            }
        };
        (handler, quote!())
    };
    let vis = &function.vis;
    let doc = format!("The route of [`{fn_name}`](fn@{fn_name}), for `routes![...]`.");

    Ok(quote! {
        #function

        #[allow(non_camel_case_types)]
        #[doc = #doc]
        #vis struct #fn_name {}

        impl ::quiver::routing::IntoRoute for #fn_name {
            fn into_route(self) -> ::quiver::routing::Route {
                #(#checks)*
                #(#markers)*
                #handler
                ::quiver::routing::Route::new(::quiver::__private::Method::#method, #path, __quiver_handler)
                    .name(#route_name)
                    #summary
                    #description
                    #(#tags)*
                    #deprecated
                    #hidden
                    #cpu
                    #(#errors)*
                    #responses
            }
        }
    })
}

/// The doc comment split into its first paragraph (summary) and the rest (description).
fn doc_text(attrs: &[Attribute]) -> (Option<String>, Option<String>) {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            Meta::NameValue(nv) => string(&nv.value).map(|s| s.value()),
            _ => None,
        })
        .map(|line| line.strip_prefix(' ').unwrap_or(&line).to_owned())
        .collect();
    let text = lines.join("\n");
    let text = text.trim();
    if text.is_empty() {
        return (None, None);
    }
    match text.split_once("\n\n") {
        Some((first, rest)) => (Some(first.replace('\n', " ")), Some(rest.trim().to_owned())),
        None => (Some(text.replace('\n', " ")), None),
    }
}
