//! `#[derive(Model)]`: parses the struct and its `#[model]`/`#[field]` attributes and writes
//! the `Model` impl, the metadata and one `Field` constant per field. All behaviour lives in
//! `quiver_orm`; this file only parses and writes calls to it.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::ext::IdentExt;
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{Data, DeriveInput, Expr, Fields, GenericArgument, Ident, LitStr, PathArguments, Type};

/// The path of the ORM crate as the deriving crate sees it: `quiver_orm`, or `quiver::orm`
/// through the facade.
fn orm_path() -> TokenStream {
    use proc_macro_crate::{FoundCrate, crate_name};
    if let Ok(found) = crate_name("quiver-orm") {
        return match found {
            // quiver-orm's own tests and doc tests: the crate names itself (`extern crate self`).
            FoundCrate::Itself => quote!(::quiver_orm),
            FoundCrate::Name(name) => {
                let ident = Ident::new(&name, Span::call_site());
                quote!(::#ident)
            }
        };
    }
    if let Ok(FoundCrate::Name(name)) = crate_name("quiver") {
        let ident = Ident::new(&name, Span::call_site());
        return quote!(::#ident::orm);
    }
    quote!(::quiver_orm)
}

/// Replaces the type `Self` with the struct's name.
struct ReplaceSelf(Ident);

impl VisitMut for ReplaceSelf {
    fn visit_type_path_mut(&mut self, path: &mut syn::TypePath) {
        if path.qself.is_none() && path.path.is_ident("Self") {
            path.path = self.0.clone().into();
        }
        syn::visit_mut::visit_type_path_mut(self, path);
    }
}

#[derive(Default)]
struct ModelOptions {
    table: Option<String>,
    ordering: Vec<String>,
    unique_together: Vec<Vec<String>>,
    index_together: Vec<Vec<String>>,
    checks: Vec<(String, String)>,
    verbose_name: Option<String>,
    verbose_name_plural: Option<String>,
    renamed_from: Option<String>,
}

#[derive(Default)]
struct FieldOptions {
    primary_key: bool,
    unique: bool,
    index: bool,
    max_length: Option<u32>,
    max_digits: Option<u8>,
    decimal_places: Option<u8>,
    default: Option<Expr>,
    db_column: Option<String>,
    auto_now: bool,
    auto_now_add: bool,
    help_text: Option<String>,
    on_delete: Option<Ident>,
    related_name: Option<String>,
    via: Option<String>,
    through: Option<Type>,
    skip: bool,
    renamed_from: Option<String>,
}

enum Kind {
    Column,
    ManyToMany(Type),
    Reverse(Type),
    Skip,
}

struct FieldInfo {
    ident: Ident,
    ty: Type,
    options: FieldOptions,
    kind: Kind,
    relation: bool,
    one_to_one: bool,
    auto: Option<Type>,
    doc: String,
}

pub(crate) fn expand(input: TokenStream) -> TokenStream {
    match syn::parse2::<DeriveInput>(input)
        .map_err(|e| vec![e])
        .and_then(|input| expand_model(&input))
    {
        Ok(tokens) => tokens,
        Err(errors) => errors.into_iter().map(|e| e.to_compile_error()).collect(),
    }
}

fn doc_of(attrs: &[syn::Attribute]) -> String {
    let mut lines = Vec::new();
    for attr in attrs {
        if attr.path().is_ident("doc")
            && let syn::Meta::NameValue(nv) = &attr.meta
            && let Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) = &nv.value
        {
            lines.push(s.value().trim().to_owned());
        }
    }
    lines.join("\n").trim().to_owned()
}

fn snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn string_list(expr: &Expr) -> syn::Result<Vec<String>> {
    match expr {
        Expr::Array(array) => array
            .elems
            .iter()
            .map(|e| match e {
                Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Ok(s.value()),
                other => Err(syn::Error::new(other.span(), "expected a string")),
            })
            .collect(),
        other => Err(syn::Error::new(other.span(), "expected a list like [\"a\", \"b\"]")),
    }
}

fn nested_list(expr: &Expr) -> syn::Result<Vec<Vec<String>>> {
    match expr {
        Expr::Array(array) => array.elems.iter().map(string_list).collect(),
        other => {
            Err(syn::Error::new(other.span(), "expected a list of lists like [[\"a\", \"b\"]]"))
        }
    }
}

fn parse_model_options(attrs: &[syn::Attribute], errors: &mut Vec<syn::Error>) -> ModelOptions {
    let mut options = ModelOptions::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("model")) {
        let result = attr.parse_nested_meta(|meta| {
            let key = meta.path.get_ident().map(|i| i.to_string()).unwrap_or_default();
            match key.as_str() {
                "table" => options.table = Some(meta.value()?.parse::<LitStr>()?.value()),
                "verbose_name" => options.verbose_name = Some(meta.value()?.parse::<LitStr>()?.value()),
                "renamed_from" => options.renamed_from = Some(meta.value()?.parse::<LitStr>()?.value()),
                "verbose_name_plural" => {
                    options.verbose_name_plural = Some(meta.value()?.parse::<LitStr>()?.value())
                }
                "ordering" => options.ordering = string_list(&meta.value()?.parse()?)?,
                "unique_together" => options.unique_together = nested_list(&meta.value()?.parse()?)?,
                "index_together" => options.index_together = nested_list(&meta.value()?.parse()?)?,
                "check" => {
                    let (mut name, mut sql) = (None, None);
                    meta.parse_nested_meta(|inner| {
                        if inner.path.is_ident("name") {
                            name = Some(inner.value()?.parse::<LitStr>()?.value());
                        } else if inner.path.is_ident("sql") {
                            sql = Some(inner.value()?.parse::<LitStr>()?.value());
                        } else {
                            return Err(inner.error("expected `name = \"...\"` or `sql = \"...\"`"));
                        }
                        Ok(())
                    })?;
                    match (name, sql) {
                        (Some(name), Some(sql)) => options.checks.push((name, sql)),
                        _ => return Err(meta.error("a check needs both `name` and `sql`")),
                    }
                }
                _ => {
                    return Err(meta.error(
                        "unknown model option; expected table, ordering, unique_together, index_together, check, verbose_name, verbose_name_plural or renamed_from",
                    ));
                }
            }
            Ok(())
        });
        if let Err(error) = result {
            errors.push(error);
        }
    }
    options
}

/// `#[validate(length(max = N))]` from validator's derive: the API's limit is also the
/// column's, so it is declared once.
fn validate_max_length(attrs: &[syn::Attribute]) -> Option<u32> {
    let mut max = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("validate")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("length") {
                meta.parse_nested_meta(|inner| {
                    if inner.path.is_ident("max") || inner.path.is_ident("equal") {
                        if let Ok(n) = inner.value()?.parse::<syn::LitInt>()?.base10_parse::<u32>()
                        {
                            max = Some(n);
                        }
                    } else if let Ok(value) = inner.value() {
                        let _: Expr = value.parse()?;
                    }
                    Ok(())
                })?;
            } else if let Ok(value) = meta.value() {
                let _: Expr = value.parse()?;
            } else if meta.input.peek(syn::token::Paren) {
                let _content;
                syn::parenthesized!(_content in meta.input);
            }
            Ok(())
        });
    }
    max
}

fn parse_field_options(attrs: &[syn::Attribute], errors: &mut Vec<syn::Error>) -> FieldOptions {
    let mut options =
        FieldOptions { max_length: validate_max_length(attrs), ..FieldOptions::default() };
    for attr in attrs.iter().filter(|a| a.path().is_ident("field")) {
        let result = attr.parse_nested_meta(|meta| {
            let key = meta.path.get_ident().map(|i| i.to_string()).unwrap_or_default();
            match key.as_str() {
                "primary_key" => options.primary_key = true,
                "unique" => options.unique = true,
                "index" => options.index = true,
                "auto_now" => options.auto_now = true,
                "auto_now_add" => options.auto_now_add = true,
                "skip" => options.skip = true,
                "max_length" => options.max_length = Some(meta.value()?.parse::<syn::LitInt>()?.base10_parse()?),
                "max_digits" => options.max_digits = Some(meta.value()?.parse::<syn::LitInt>()?.base10_parse()?),
                "decimal_places" => {
                    options.decimal_places = Some(meta.value()?.parse::<syn::LitInt>()?.base10_parse()?)
                }
                "default" => options.default = Some(meta.value()?.parse()?),
                "db_column" => options.db_column = Some(meta.value()?.parse::<LitStr>()?.value()),
                "help_text" => options.help_text = Some(meta.value()?.parse::<LitStr>()?.value()),
                "related_name" => options.related_name = Some(meta.value()?.parse::<LitStr>()?.value()),
                "via" => options.via = Some(meta.value()?.parse::<LitStr>()?.value()),
                "renamed_from" => options.renamed_from = Some(meta.value()?.parse::<LitStr>()?.value()),
                "through" => options.through = Some(meta.value()?.parse()?),
                "on_delete" => {
                    let ident: Ident = meta.value()?.parse()?;
                    if !["cascade", "protect", "restrict", "set_null", "set_default", "do_nothing"]
                        .contains(&ident.to_string().as_str())
                    {
                        return Err(syn::Error::new(
                            ident.span(),
                            "on_delete must be cascade, protect, restrict, set_null, set_default or do_nothing",
                        ));
                    }
                    options.on_delete = Some(ident);
                }
                _ => {
                    return Err(meta.error(
                        "unknown field option; expected primary_key, unique, index, max_length, max_digits, decimal_places, default, db_column, auto_now, auto_now_add, help_text, on_delete, related_name, via, through, renamed_from or skip",
                    ));
                }
            }
            Ok(())
        });
        if let Err(error) = result {
            errors.push(error);
        }
    }
    options
}

/// A default the DDL can hold: a literal, or a call whose arguments are all constants
/// (`ForeignKey::new("misc")`, `Some(3)`, `Decimal::new(5, 1)`); `Uuid::new_v4()` or
/// `Utc::now()` (no arguments) are evaluated per row instead.
fn is_constant(expr: &Expr) -> bool {
    match expr {
        Expr::Lit(_) => true,
        Expr::Unary(u) => is_constant(&u.expr),
        Expr::Group(g) => is_constant(&g.expr),
        Expr::Paren(p) => is_constant(&p.expr),
        Expr::Call(call) => !call.args.is_empty() && call.args.iter().all(is_constant),
        Expr::MethodCall(call)
            if call.method == "into" || call.method == "to_owned" || call.method == "to_string" =>
        {
            call.args.is_empty() && is_constant(&call.receiver)
        }
        _ => false,
    }
}

/// `Outer<Inner>` → (`Outer`, `Inner`) for the last path segment.
fn generic_of(ty: &Type) -> Option<(String, Type)> {
    let Type::Path(path) = ty else { return None };
    let segment = path.path.segments.last()?;
    let PathArguments::AngleBracketed(args) = &segment.arguments else {
        return Some((segment.ident.to_string(), ty.clone()));
    };
    let inner = args.args.iter().find_map(|a| match a {
        GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    })?;
    Some((segment.ident.to_string(), inner))
}

fn is_relation_name(name: &str) -> bool {
    name == "ForeignKey" || name == "OneToOne"
}

fn expand_model(input: &DeriveInput) -> Result<TokenStream, Vec<syn::Error>> {
    let orm = orm_path();
    let name = &input.ident;
    let mut errors = Vec::new();
    if !input.generics.params.is_empty() {
        errors.push(syn::Error::new(input.generics.span(), "a model cannot be generic"));
    }
    let Data::Struct(data) = &input.data else {
        return Err(vec![syn::Error::new(
            input.ident.span(),
            "#[derive(Model)] works on structs with named fields",
        )]);
    };
    let Fields::Named(named) = &data.fields else {
        return Err(vec![syn::Error::new(
            input.ident.span(),
            "#[derive(Model)] works on structs with named fields",
        )]);
    };
    let model_options = parse_model_options(&input.attrs, &mut errors);

    let mut fields = Vec::new();
    for field in &named.named {
        let ident = field.ident.clone().expect("named");
        let options = parse_field_options(&field.attrs, &mut errors);
        // `Self` cannot appear in the statics the derive writes: name the struct instead.
        let mut ty = field.ty.clone();
        ReplaceSelf(input.ident.clone()).visit_type_mut(&mut ty);
        let outer = generic_of(&ty);
        let (mut relation, mut one_to_one, mut auto) = (false, false, None);
        let kind = if options.skip {
            Kind::Skip
        } else {
            match &outer {
                Some((outer, inner)) if outer == "ManyToMany" => Kind::ManyToMany(inner.clone()),
                Some((outer, inner)) if outer == "Reverse" => Kind::Reverse(inner.clone()),
                Some((outer, inner)) => {
                    if is_relation_name(outer) {
                        relation = true;
                        one_to_one = outer == "OneToOne";
                    } else if outer == "Option"
                        && let Some((inner_outer, _)) = generic_of(inner)
                        && is_relation_name(&inner_outer)
                    {
                        relation = true;
                        one_to_one = inner_outer == "OneToOne";
                    } else if outer == "Auto" {
                        auto = Some(inner.clone());
                    }
                    Kind::Column
                }
                None => Kind::Column,
            }
        };
        if options.on_delete.is_some() && !relation {
            errors.push(syn::Error::new(
                ident.span(),
                "on_delete applies to ForeignKey and OneToOne fields",
            ));
        }
        if options.through.is_some() && !matches!(kind, Kind::ManyToMany(_)) {
            errors.push(syn::Error::new(ident.span(), "through applies to ManyToMany fields"));
        }
        fields.push(FieldInfo {
            ident,
            ty,
            doc: doc_of(&field.attrs),
            options,
            kind,
            relation,
            one_to_one,
            auto,
        });
    }

    let columns: Vec<&FieldInfo> =
        fields.iter().filter(|f| matches!(f.kind, Kind::Column)).collect();
    let pk_index = columns
        .iter()
        .position(|f| f.options.primary_key)
        .or_else(|| columns.iter().position(|f| f.ident == "id"));
    if columns.iter().filter(|f| f.options.primary_key).count() > 1 {
        errors.push(syn::Error::new(name.span(), "only one field can be the primary_key"));
    }
    let Some(pk_index) = pk_index else {
        errors.push(syn::Error::new(
            name.span(),
            "a model needs a primary key: add `id: Auto<i64>` or mark a field #[field(primary_key)]",
        ));
        return Err(errors);
    };
    // Check names in model options against the fields.
    let field_names: Vec<String> = columns.iter().map(|f| f.ident.unraw().to_string()).collect();
    let check_name = |n: &str, errors: &mut Vec<syn::Error>| {
        let bare = n.trim_start_matches('-');
        let head = bare.split("__").next().unwrap_or(bare);
        if !field_names.iter().any(|f| f == head) && head != "pk" {
            errors.push(syn::Error::new(name.span(), format!("`{head}` is not a field of {name}")));
        }
    };
    for n in &model_options.ordering {
        check_name(n, &mut errors);
    }
    for n in model_options.unique_together.iter().chain(&model_options.index_together).flatten() {
        check_name(n, &mut errors);
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let pk = columns[pk_index];
    let pk_ident = &pk.ident;
    let pk_ty = pk.auto.clone().unwrap_or_else(|| pk.ty.clone());
    let table = model_options.table.clone().unwrap_or_else(|| snake_case(&name.to_string()));
    let name_str = name.to_string();
    let verbose = model_options
        .verbose_name
        .clone()
        .unwrap_or_else(|| snake_case(&name_str).replace('_', " "));
    let verbose_plural =
        model_options.verbose_name_plural.clone().unwrap_or_else(|| format!("{verbose}s"));
    let model_doc = doc_of(&input.attrs);
    let model_renamed_from = match &model_options.renamed_from {
        Some(old) => quote!(Some(#old)),
        None => quote!(None),
    };
    let ordering = &model_options.ordering;
    let unique_together = model_options.unique_together.iter().map(|g| quote!(&[#(#g),*]));
    let index_together = model_options.index_together.iter().map(|g| quote!(&[#(#g),*]));
    let checks = model_options.checks.iter().map(|(n, s)| quote!((#n, #s)));

    // Field metadata, decoding, values.
    let mut field_metas = Vec::new();
    let mut decodes = Vec::new();
    let mut values = Vec::new();
    let mut checks_code = Vec::new();
    let mut pre_save = Vec::new();
    let mut load_related = Vec::new();
    let mut related_key = Vec::new();
    let mut set_related = Vec::new();
    let mut prefetch_arms = Vec::new();
    let mut consts = Vec::new();
    for (i, field) in columns.iter().enumerate() {
        let ident = &field.ident;
        let ty = &field.ty;
        let fname = ident.unraw().to_string();
        let column =
            field.options.db_column.clone().unwrap_or_else(|| {
                if field.relation { format!("{fname}_id") } else { fname.clone() }
            });
        let primary_key = i == pk_index;
        let auto_increment = field.auto.is_some();
        let unique = field.options.unique || field.one_to_one;
        let index = field.options.index;
        let opt_u32 = |v: Option<u32>| v.map_or(quote!(None), |v| quote!(Some(#v)));
        let opt_u8 = |v: Option<u8>| v.map_or(quote!(None), |v| quote!(Some(#v)));
        let max_length = opt_u32(field.options.max_length);
        let max_digits = opt_u8(field.options.max_digits);
        let decimal_places = opt_u8(field.options.decimal_places);
        let (default, db_default) = match &field.options.default {
            Some(expr) => {
                let literal = is_constant(expr);
                (
                    quote!(Some({
                        fn __default() -> #orm::__private::Value {
                            let value: #ty = ::core::convert::Into::into(#expr);
                            #orm::FieldType::to_value(&value)
                        }
                        __default
                    })),
                    literal,
                )
            }
            None => (quote!(None), false),
        };
        let auto_now = field.options.auto_now;
        let auto_now_add = field.options.auto_now_add;
        let help = field.options.help_text.clone().unwrap_or_else(|| field.doc.clone());
        let renamed_from = match &field.options.renamed_from {
            Some(old) => quote!(Some(#old)),
            None => quote!(None),
        };
        let relation = if field.relation {
            let on_delete = match field.options.on_delete.as_ref().map(|i| i.to_string()).as_deref()
            {
                Some("protect") => quote!(Protect),
                Some("restrict") => quote!(Restrict),
                Some("set_null") => quote!(SetNull),
                Some("set_default") => quote!(SetDefault),
                Some("do_nothing") => quote!(DoNothing),
                _ => quote!(Cascade),
            };
            let one_to_one = field.one_to_one;
            let related_name = field.options.related_name.clone().unwrap_or_default();
            quote!(Some(#orm::RelationMeta {
                model: #orm::__private::relation_meta::<#ty>,
                on_delete: #orm::OnDelete::#on_delete,
                one_to_one: #one_to_one,
                related_name: #related_name,
            }))
        } else {
            quote!(None)
        };
        field_metas.push(quote! {
            #orm::FieldMeta {
                name: #fname,
                column: #column,
                column_type: <#ty as #orm::FieldType>::COLUMN,
                nullable: <#ty as #orm::FieldType>::NULLABLE,
                primary_key: #primary_key,
                auto_increment: #auto_increment,
                unique: #unique,
                index: #index,
                max_length: #max_length,
                max_digits: #max_digits,
                decimal_places: #decimal_places,
                default: #default,
                db_default: #db_default,
                auto_now: #auto_now,
                auto_now_add: #auto_now_add,
                help_text: #help,
                choices: <#ty as #orm::FieldType>::CHOICES,
                relation: #relation,
                renamed_from: #renamed_from,
            }
        });
        decodes.push(quote! {
            #ident: <#ty as #orm::FieldType>::decode(row, offset + #i)
                .map_err(|e| #orm::__private::decode_error(#name_str, #column, e))?
        });
        values.push(quote!(#orm::FieldType::to_value(&self.#ident)));
        checks_code.push(
            quote!(#orm::__private::check_field(&self.#ident, &meta.fields[#i], &mut errors);),
        );
        if auto_now {
            pre_save.push(quote!(self.#ident = #orm::__private::Now::now();));
        } else if auto_now_add {
            pre_save.push(quote!(if adding { self.#ident = #orm::__private::Now::now(); }));
        }
        let const_name = format_ident!("{}", fname.to_uppercase());
        consts.push(quote! {
            #[doc = concat!("The `", #fname, "` field, for lookups and ordering.")]
            pub const #const_name: #orm::Field<#name, #ty> = #orm::Field::new(#fname);
        });
        if field.relation {
            load_related.push(quote! {
                #fname => { #orm::RelationField::load_from_row(&mut self.#ident, loaded, row)?; Ok(true) }
            });
            related_key.push(quote!(#fname => #orm::RelationField::key_value(&self.#ident),));
            set_related.push(
                quote!(#fname => #orm::RelationField::set_instance(&mut self.#ident, instance),),
            );
            prefetch_arms.push(quote! {
                #fname => #orm::prefetch_foreign_key(rows, |m: &mut Self| &mut m.#ident, executor).await,
            });
        }
    }

    // Non-column fields.
    let mut m2m_metas = Vec::new();
    let mut reverse_metas = Vec::new();
    let mut inits = Vec::new();
    let mut binds = Vec::new();
    let own_snake = snake_case(&name_str);
    for field in &fields {
        let ident = &field.ident;
        let fname = ident.unraw().to_string();
        match &field.kind {
            Kind::Column => {}
            Kind::Skip => inits.push(quote!(#ident: ::core::default::Default::default())),
            Kind::ManyToMany(target) => {
                let k = m2m_metas.len();
                let target_name = match target {
                    Type::Path(p) => {
                        p.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default()
                    }
                    _ => String::new(),
                };
                let target_snake = snake_case(&target_name);
                let (owner_column, target_column) = if target_snake == own_snake {
                    (format!("from_{own_snake}_id"), format!("to_{target_snake}_id"))
                } else {
                    (format!("{own_snake}_id"), format!("{target_snake}_id"))
                };
                let join_table = format!("{table}_{fname}");
                let through = match &field.options.through {
                    Some(through) => quote!(Some(#orm::__private::meta_of::<#through>)),
                    None => quote!(None),
                };
                m2m_metas.push(quote! {
                    #orm::ManyToManyMeta {
                        name: #fname,
                        owner: #orm::__private::meta_of::<#name>,
                        target: #orm::__private::meta_of::<#target>,
                        through: #through,
                        table: #join_table,
                        owner_column: #owner_column,
                        target_column: #target_column,
                    }
                });
                inits.push(quote!(#ident: #orm::ManyToMany::new()));
                binds.push(quote!(self.#ident.bind(key.clone(), &meta.many_to_many[#k]);));
                prefetch_arms.push(quote! {
                    #fname => #orm::prefetch_many_to_many(
                        rows, |m: &mut Self| &mut m.#ident, &<Self as #orm::Model>::meta().many_to_many[#k], executor,
                    ).await,
                });
                let const_name = format_ident!("{}", fname.to_uppercase());
                let ty = &field.ty;
                consts.push(quote! {
                    #[doc = concat!("The `", #fname, "` many-to-many field, for `prefetch_related`.")]
                    pub const #const_name: #orm::Field<#name, #ty> = #orm::Field::relation_set(#fname);
                });
            }
            Kind::Reverse(source) => {
                let k = reverse_metas.len();
                let via = field.options.via.clone().unwrap_or_default();
                reverse_metas.push(quote! {
                    #orm::ReverseMeta {
                        name: #fname,
                        owner: #orm::__private::meta_of::<#name>,
                        source: #orm::__private::meta_of::<#source>,
                        via: #via,
                    }
                });
                inits.push(quote!(#ident: #orm::Reverse::new()));
                binds.push(quote!(self.#ident.bind(key.clone(), &meta.reverse[#k]);));
                prefetch_arms.push(quote! {
                    #fname => #orm::prefetch_reverse(
                        rows, |m: &mut Self| &mut m.#ident, &<Self as #orm::Model>::meta().reverse[#k], executor,
                    ).await,
                });
                let const_name = format_ident!("{}", fname.to_uppercase());
                let ty = &field.ty;
                consts.push(quote! {
                    #[doc = concat!("The `", #fname, "` reverse relation, for `prefetch_related`.")]
                    pub const #const_name: #orm::Field<#name, #ty> = #orm::Field::relation_set(#fname);
                });
            }
        }
    }

    let column_idents: Vec<&Ident> = columns.iter().map(|f| &f.ident).collect();
    let pk_get = if pk.auto.is_some() {
        quote!(self.#pk_ident.key().cloned())
    } else {
        quote!(Some(::core::clone::Clone::clone(&self.#pk_ident)))
    };
    let pk_set = if pk.auto.is_some() {
        quote!(self.#pk_ident = #orm::Auto::from(pk);)
    } else {
        quote!(self.#pk_ident = pk;)
    };
    let set_auto = if pk.auto.is_some() {
        quote! {
            if let Some(pk) = <#pk_ty as #orm::__private::FromInsertId>::from_insert_id(id) {
                <Self as #orm::Model>::set_pk(self, pk);
            }
        }
    } else {
        quote!(let _ = id;)
    };
    let bind_body = if binds.is_empty() {
        quote!()
    } else {
        quote! {
            if let Some(pk) = <Self as #orm::Model>::pk(self) {
                let key = #orm::FieldType::to_value(&pk);
                let meta = <Self as #orm::Model>::meta();
                #(#binds)*
            }
        }
    };

    Ok(quote! {
        impl #orm::Model for #name {
            type Pk = #pk_ty;

            fn meta() -> &'static #orm::ModelMeta {
                static META: #orm::ModelMeta = #orm::ModelMeta {
                    name: #name_str,
                    table: #table,
                    fields: &[#(#field_metas),*],
                    pk: #pk_index,
                    ordering: &[#(#ordering),*],
                    unique_together: &[#(#unique_together),*],
                    index_together: &[#(#index_together),*],
                    checks: &[#(#checks),*],
                    verbose_name: #verbose,
                    verbose_name_plural: #verbose_plural,
                    many_to_many: &[#(#m2m_metas),*],
                    reverse: &[#(#reverse_metas),*],
                    doc: #model_doc,
                    renamed_from: #model_renamed_from,
                };
                &META
            }

            fn from_row(row: &#orm::Row<'_>, offset: usize) -> #orm::Result<Self> {
                let mut instance = Self { #(#decodes,)* #(#inits,)* };
                #orm::__private::bind_sets(&mut instance);
                Ok(instance)
            }

            fn to_values(&self) -> ::std::vec::Vec<#orm::__private::Value> {
                vec![#(#values),*]
            }

            fn pk(&self) -> Option<Self::Pk> {
                #pk_get
            }

            fn set_pk(&mut self, pk: Self::Pk) {
                #pk_set
                #orm::__private::bind_sets(self);
            }

            fn set_auto_pk(&mut self, id: i64) {
                #set_auto
            }

            #[allow(unused_variables)]
            fn pre_save(&mut self, adding: bool) {
                #(#pre_save)*
            }

            fn check_fields(&self) -> ::std::vec::Vec<#orm::validator_errors::FieldError> {
                let meta = <Self as #orm::Model>::meta();
                let mut errors: ::std::vec::Vec<#orm::validator_errors::FieldError> = ::std::vec::Vec::new();
                {
                    // The API's constraints, when the model derives validator's Validate.
                    #[allow(unused_imports)]
                    use #orm::__private::{NoValidate as _, ViaValidate as _};
                    (&#orm::__private::ValidateProbe(self)).run_validate(meta, &mut errors);
                }
                let mut own: ::std::vec::Vec<#orm::validator_errors::FieldError> = ::std::vec::Vec::new();
                #(#checks_code)*
                // The column's own limits, unless the field already failed above.
                for error in own {
                    if !errors.iter().any(|e| e.field == error.field) {
                        errors.push(error);
                    }
                }
                errors.sort_by_key(|e| meta.fields.iter().position(|f| f.name == e.field));
                errors
            }

            #[allow(unused_variables)]
            fn load_related(&mut self, loaded: &#orm::Loaded, row: &#orm::Row<'_>) -> #orm::Result<bool> {
                match loaded.name {
                    #(#load_related)*
                    _ => Ok(false),
                }
            }

            #[allow(unused_variables)]
            fn related_key(&self, field: &str) -> Option<#orm::__private::Value> {
                match field {
                    #(#related_key)*
                    _ => None,
                }
            }

            #[allow(unused_variables)]
            fn set_related(
                &mut self,
                field: &str,
                instance: #orm::__private::Arc<dyn #orm::__private::Any + Send + Sync>,
            ) -> bool {
                match field {
                    #(#set_related)*
                    _ => false,
                }
            }

            fn prefetch<'a, E: #orm::Executor>(
                rows: &'a mut [Self],
                field: &'a str,
                executor: &'a E,
            ) -> #orm::__private::Pin<Box<dyn #orm::__private::Future<Output = #orm::Result<()>> + Send + 'a>> {
                Box::pin(async move {
                    match field {
                        #(#prefetch_arms)*
                        other => Err(#orm::__private::not_a_relation(#name_str, other)),
                    }
                })
            }

            #[doc(hidden)]
            fn bind_relation_sets(&mut self) {
                #bind_body
            }

            fn refresh_from(&mut self, fresh: Self) {
                #(self.#column_idents = fresh.#column_idents;)*
                #orm::__private::bind_sets(self);
            }
        }

        impl #name {
            #(#consts)*
        }
    })
}
