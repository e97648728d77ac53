//! The add and change forms: one input per field, chosen from its type; the submitted text
//! parsed per type, checked like the API checks it (`full_clean`, unique constraints), saved
//! with its many-to-many links and logged in one transaction.

use std::collections::BTreeMap;

use http::{Method, StatusCode};
use quiver_core::extract::Request;
use quiver_core::response::Response;
use quiver_orm::ManyToManyMeta;
use quiver_orm::{ColumnType, ErrorKind, FieldMeta, Q};
use sea_query::Value;
use serde_json::{Map, Value as Json, json};

use crate::changelist::model_json;
use crate::collect::{keys_q, names_of, parse_key, repr, repr_names};
use crate::models::Action;
use crate::site::ModelEntry;
use crate::values::{
    default_text, display, form_text, humanize, is_yes, key_text, null_of, parse, value_type,
};
use crate::views::index::load_row;
use crate::views::{Ctx, FormData, Perm, encode_segment, internal, redirect};

/// A form input: a column or a many-to-many field.
#[derive(Clone, Copy)]
enum Input {
    Field(&'static FieldMeta),
    Many(&'static ManyToManyMeta),
}

impl Input {
    fn name(self) -> &'static str {
        match self {
            Input::Field(f) => f.name,
            Input::Many(m) => m.name,
        }
    }
}

/// A fieldset: its heading and its inputs, each with whether it is read-only.
type Fieldset = (Option<String>, Vec<(Input, bool)>);

/// The inputs of `entry`'s forms, in fieldsets.
fn layout(entry: &ModelEntry, adding: bool) -> Vec<Fieldset> {
    let config = &entry.config;
    let meta = entry.meta;
    let find = |name: &str| -> Option<Input> {
        meta.field(name)
            .map(Input::Field)
            .or_else(|| meta.many_to_many.iter().find(|m| m.name == name).map(Input::Many))
    };
    let readonly = |input: Input| {
        config.readonly_fields.iter().any(|n| n == input.name())
            || matches!(input, Input::Field(f) if f.auto_now || f.auto_now_add || (f.primary_key && (f.auto_increment || !adding)))
            // Links through a model with its own columns are edited on that model.
            || matches!(input, Input::Many(m) if m.through.is_some())
    };
    if !config.fieldsets.is_empty() {
        return config
            .fieldsets
            .iter()
            .map(|(name, fields)| {
                let inputs =
                    fields.iter().filter_map(|n| find(n)).map(|i| (i, readonly(i))).collect();
                (name.clone(), inputs)
            })
            .collect();
    }
    let mut inputs: Vec<(Input, bool)> = Vec::new();
    for field in meta.fields {
        if config.exclude.iter().any(|n| n == field.name) {
            continue;
        }
        let input = Input::Field(field);
        let shown_readonly = config.readonly_fields.iter().any(|n| n == field.name);
        if readonly(input) && !shown_readonly {
            continue;
        }
        inputs.push((input, readonly(input)));
    }
    for many in meta.many_to_many {
        if !config.exclude.iter().any(|n| n == many.name) {
            let input = Input::Many(many);
            inputs.push((input, readonly(input)));
        }
    }
    vec![(None, inputs)]
}

fn required(entry: &ModelEntry, field: &FieldMeta) -> bool {
    !field.nullable
        && field.default.is_none()
        && field.column_type != ColumnType::Bool
        && !entry.config.optional.iter().any(|n| n == field.name)
}

/// Whether a many-to-many field can be edited here: its choices can all be listed (so a
/// save never unlinks what the form could not show).
async fn many_editable(ctx: &Ctx, many: &ManyToManyMeta) -> bool {
    many.through.is_none()
        && matches!(related_rows(ctx, (many.target)(), MANY_CHOICES).await, Ok(Some(_)))
}

/// At most this many choices in a multi-select.
const MANY_CHOICES: u64 = 1000;

/// Choices for a relation's select: `(key, name)` of the target's rows, or `None` when the
/// target is not registered or has more rows than `limit` (then an autocomplete input).
async fn related_rows(
    ctx: &Ctx,
    target: &'static quiver_orm::ModelMeta,
    limit: u64,
) -> quiver_orm::Result<Option<Vec<(String, String)>>> {
    let Some(target_entry) = ctx.site.entry_for(target) else { return Ok(None) };
    let rows = names_of(&ctx.db, target_entry, Q::all(), Some(limit + 1)).await?;
    Ok((rows.len() as u64 <= limit).then_some(rows))
}

/// The name of the related object with key `key`, if the target is registered.
async fn related_name(
    ctx: &Ctx,
    target: &'static quiver_orm::ModelMeta,
    key: &str,
) -> Option<String> {
    let target_entry = ctx.site.entry_for(target)?;
    let row = load_row(ctx, target_entry, key, repr_names(target_entry)).await.ok()??;
    Some(repr(target_entry, &row))
}

/// One field's template context.
async fn field_json(
    ctx: &Ctx,
    entry: &ModelEntry,
    input: Input,
    readonly: bool,
    values: &BTreeMap<String, Vec<String>>,
    shown: Option<&Map<String, Json>>,
    errors: &BTreeMap<String, Vec<String>>,
) -> quiver_orm::Result<Json> {
    let name = input.name();
    let texts = values.get(name).cloned().unwrap_or_default();
    let value = texts.first().cloned().unwrap_or_default();
    let mut out = json!({
        "name": name,
        "label": humanize(name),
        "value": value,
        "required": false,
        "help_text": "",
        "errors": errors.get(name).cloned().unwrap_or_default(),
        "choices": [],
        "maxlength": null, "step": null, "min": null, "max": null,
        "autocomplete_url": null, "display": null, "checked": false,
    });
    let set = |out: &mut Json, key: &str, v: Json| {
        out[key] = v;
    };
    match input {
        Input::Many(many) => {
            let target = (many.target)();
            set(&mut out, "label", json!(humanize(name)));
            // Editable only when every choice can be listed (one query for the choices).
            let choices = match readonly || many.through.is_some() {
                true => None,
                false => related_rows(ctx, target, MANY_CHOICES).await?,
            };
            let Some(rows) = choices else {
                let names = match ctx.site.entry_for(target) {
                    Some(target_entry) => {
                        let keys = texts.iter().filter_map(|k| parse_key(target, k)).collect();
                        let found = names_of(&ctx.db, target_entry, keys_q(target, keys), None);
                        found.await?.into_iter().map(|(_, name)| name).collect()
                    }
                    None => texts.clone(),
                };
                set(&mut out, "widget", json!("readonly"));
                set(&mut out, "display", json!(names.join(", ")));
                return Ok(out);
            };
            let choices: Vec<Json> = rows
                .iter()
                .map(|(key, label)| json!({"value": key, "label": label, "selected": texts.contains(key)}))
                .collect();
            set(&mut out, "widget", json!("select_multiple"));
            set(&mut out, "choices", json!(choices));
            set(&mut out, "help_text", json!("Hold down Ctrl (or ⌘) to select more than one."));
        }
        Input::Field(field) => {
            set(&mut out, "help_text", json!(field.help_text));
            set(&mut out, "required", json!(required(entry, field) && !readonly));
            if readonly {
                let text = match (field.relation, shown.and_then(|row| row.get(name))) {
                    (Some(relation), Some(key)) if !key.is_null() => {
                        let key = key_text(key);
                        related_name(ctx, (relation.model)(), &key).await.unwrap_or(key)
                    }
                    (_, Some(stored)) => display(stored, Some(field)).text,
                    (_, None) => "-".into(),
                };
                set(&mut out, "widget", json!("readonly"));
                set(&mut out, "display", json!(text));
                return Ok(out);
            }
            if let Some(relation) = field.relation {
                let target = (relation.model)();
                match related_rows(ctx, target, entry.config.autocomplete_over).await? {
                    Some(rows) => {
                        let mut choices = vec![
                            json!({"value": "", "label": "---------", "selected": value.is_empty()}),
                        ];
                        choices.extend(rows.iter().map(|(key, label)| {
                            json!({"value": key, "label": label, "selected": *key == value})
                        }));
                        set(&mut out, "widget", json!("select"));
                        set(&mut out, "choices", json!(choices));
                    }
                    None => match ctx.site.entry_for(target) {
                        Some(target_entry) => {
                            let label = if value.is_empty() {
                                String::new()
                            } else {
                                related_name(ctx, target, &value)
                                    .await
                                    .unwrap_or_else(|| value.clone())
                            };
                            set(&mut out, "widget", json!("autocomplete"));
                            set(
                                &mut out,
                                "autocomplete_url",
                                json!(format!("{}autocomplete/", ctx.model_url(target_entry))),
                            );
                            set(&mut out, "display", json!(label));
                        }
                        None => set(&mut out, "widget", json!("text")),
                    },
                }
                return Ok(out);
            }
            if !field.choices.is_empty() {
                let mut choices = Vec::new();
                if field.nullable || value.is_empty() {
                    choices.push(
                        json!({"value": "", "label": "---------", "selected": value.is_empty()}),
                    );
                }
                choices.extend(field.choices.iter().map(|(stored, label)| {
                    json!({"value": stored, "label": label, "selected": *stored == value})
                }));
                set(&mut out, "widget", json!("select"));
                set(&mut out, "choices", json!(choices));
                return Ok(out);
            }
            let widget = match field.column_type {
                ColumnType::Bool if field.nullable => {
                    // Three states: a checkbox would turn "unknown" into "no".
                    let choices: Vec<Json> = [("", "Unknown"), ("true", "Yes"), ("false", "No")]
                        .iter()
                        .map(|(v, label)| {
                            let selected = if v.is_empty() {
                                value.is_empty()
                            } else {
                                (*v == "true") == is_yes(&value) && !value.is_empty()
                            };
                            json!({"value": v, "label": label, "selected": selected})
                        })
                        .collect();
                    set(&mut out, "choices", json!(choices));
                    "select"
                }
                ColumnType::Bool => {
                    set(&mut out, "checked", json!(is_yes(&value)));
                    "checkbox"
                }
                ColumnType::SmallInt | ColumnType::Integer | ColumnType::BigInt => {
                    set(&mut out, "step", json!("1"));
                    if field.column_type == ColumnType::SmallInt {
                        set(&mut out, "min", json!(i16::MIN));
                        set(&mut out, "max", json!(i16::MAX));
                    }
                    "number"
                }
                ColumnType::Float | ColumnType::Double => {
                    set(&mut out, "step", json!("any"));
                    "number"
                }
                ColumnType::Decimal => {
                    let places = field.decimal_places.unwrap_or(4);
                    let step = if places == 0 {
                        "1".to_owned()
                    } else {
                        format!("0.{}1", "0".repeat(places as usize - 1))
                    };
                    set(&mut out, "step", json!(step));
                    "number"
                }
                ColumnType::Text => match field.max_length {
                    Some(max) => {
                        set(&mut out, "maxlength", json!(max));
                        "text"
                    }
                    None => "textarea",
                },
                ColumnType::Date => "date",
                ColumnType::Time => "time",
                ColumnType::DateTime | ColumnType::TimestampTz => "datetime",
                ColumnType::Uuid => "text",
                ColumnType::Json => "json",
                ColumnType::Bytes => {
                    if let Some(Json::Array(bytes)) = shown.and_then(|row| row.get(name)) {
                        set(&mut out, "display", json!(format!("{} bytes", bytes.len())));
                    }
                    set(&mut out, "value", json!(""));
                    "file"
                }
                _ => "text",
            };
            set(&mut out, "widget", json!(widget));
        }
    }
    Ok(out)
}

/// The texts a stored row shows in the form's inputs.
async fn stored_texts(
    ctx: &Ctx,
    entry: &ModelEntry,
    row: &Map<String, Json>,
    pk: &Value,
) -> quiver_orm::Result<BTreeMap<String, Vec<String>>> {
    let mut texts = BTreeMap::new();
    for field in entry.meta.fields {
        let stored = row.get(field.name).unwrap_or(&Json::Null);
        let text = match field.relation {
            Some(_) if !stored.is_null() => key_text(stored),
            _ => form_text(stored, field.column_type),
        };
        texts.insert(field.name.to_owned(), vec![text]);
    }
    for many in entry.meta.many_to_many {
        let keys = many.linked(&ctx.db, pk.clone()).await?;
        texts.insert(many.name.to_owned(), keys.iter().map(key_text).collect());
    }
    Ok(texts)
}

/// What a submitted form says: values to write, links to set, problems per field.
#[derive(Default)]
struct Parsed {
    values: Vec<(String, Value)>,
    links: Vec<(&'static ManyToManyMeta, Vec<Value>)>,
    errors: BTreeMap<String, Vec<String>>,
    texts: BTreeMap<String, Vec<String>>,
}

async fn parse_form(ctx: &Ctx, entry: &ModelEntry, form: &FormData, adding: bool) -> Parsed {
    let mut parsed = Parsed::default();
    for (_, inputs) in layout(entry, adding) {
        for (input, readonly) in inputs {
            if readonly {
                continue;
            }
            if let Input::Many(many) = input
                && !many_editable(ctx, many).await
            {
                continue;
            }
            let name = input.name();
            let texts: Vec<String> = form.all(name).into_iter().map(str::to_owned).collect();
            parsed.texts.insert(name.to_owned(), texts.clone());
            let mut error =
                |message: String| parsed.errors.entry(name.to_owned()).or_default().push(message);
            match input {
                Input::Many(many) => {
                    let target = (many.target)();
                    let mut keys = Vec::new();
                    for text in &texts {
                        match parse_key(target, text) {
                            Some(key) => keys.push(key),
                            None => error(format!("“{text}” is not a valid value.")),
                        }
                    }
                    if let Some(target_entry) = ctx.site.entry_for(target)
                        && !keys.is_empty()
                    {
                        let q = keys_q(target, keys.clone());
                        match target_entry.ops.count(&ctx.db, q).await {
                            Ok(n) if n as usize >= keys.len() => {}
                            _ => error("Select a valid choice: one of them is not one of the available choices.".into()),
                        }
                    }
                    parsed.links.push((many, keys));
                }
                Input::Field(field) => {
                    let text = texts.first().map(String::as_str).unwrap_or("");
                    if field.column_type == ColumnType::Bool
                        && !field.nullable
                        && field.relation.is_none()
                        && field.choices.is_empty()
                    {
                        let on = is_yes(text);
                        parsed.values.push((name.to_owned(), quiver_orm::FieldType::to_value(&on)));
                        continue;
                    }
                    if field.column_type == ColumnType::Bytes {
                        match form.file(name) {
                            Some((_, _, bytes)) => parsed
                                .values
                                .push((name.to_owned(), quiver_orm::FieldType::to_value(bytes))),
                            None if adding && required(entry, field) => {
                                error("This field is required.".into())
                            }
                            None => {}
                        }
                        continue;
                    }
                    let plain_text = field.column_type == ColumnType::Text
                        && field.relation.is_none()
                        && field.choices.is_empty();
                    if text.trim().is_empty() {
                        if field.nullable {
                            parsed.values.push((name.to_owned(), null_of(value_type(field))));
                        } else if plain_text && !required(entry, field) {
                            parsed.values.push((
                                name.to_owned(),
                                quiver_orm::FieldType::to_value(&text.to_owned()),
                            ));
                        } else if adding && field.default.is_some() {
                            // Left to the field's default.
                        } else {
                            error("This field is required.".into());
                        }
                        continue;
                    }
                    if !field.choices.is_empty()
                        && !field.choices.iter().any(|(stored, _)| *stored == text)
                    {
                        error(format!(
                            "Select a valid choice. {text} is not one of the available choices."
                        ));
                        continue;
                    }
                    if let Some(max) = field.max_length
                        && plain_text
                        && text.chars().count() > max as usize
                    {
                        error(format!(
                            "Ensure this value has at most {max} characters (it has {}).",
                            text.chars().count()
                        ));
                        continue;
                    }
                    let value = if plain_text {
                        quiver_orm::FieldType::to_value(&text.to_owned())
                    } else {
                        match parse(value_type(field), text) {
                            Ok(value) => value,
                            Err(message) => {
                                error(message);
                                continue;
                            }
                        }
                    };
                    if let Some(relation) = field.relation {
                        let target = (relation.model)();
                        if let Some(target_entry) = ctx.site.entry_for(target) {
                            let q = Q::path(target.pk_field().name, value.clone());
                            if !matches!(target_entry.ops.count(&ctx.db, q).await, Ok(1..)) {
                                error("Select a valid choice. That choice is not one of the available choices.".into());
                                continue;
                            }
                        }
                    }
                    parsed.values.push((name.to_owned(), value));
                }
            }
        }
    }
    parsed
}

/// Unique fields and `unique_together` sets already taken by another row.
async fn unique_problems(
    ctx: &Ctx,
    entry: &ModelEntry,
    parsed: &mut Parsed,
    own: Option<&Value>,
) -> Vec<String> {
    let meta = entry.meta;
    let pk_name = meta.pk_field().name;
    let value_of =
        |name: &str| parsed.values.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone());
    let taken = |q: Q| async move {
        let q = match own {
            Some(own) => q & !Q::path(pk_name, own.clone()),
            None => q,
        };
        matches!(entry.ops.count(&ctx.db, q).await, Ok(1..))
    };
    let mut field_errors = Vec::new();
    for field in meta.fields.iter().filter(|f| f.unique && !f.primary_key) {
        if let Some(value) = value_of(field.name)
            && !is_null(&value)
            && taken(Q::path(field.name, value)).await
        {
            field_errors.push((
                field.name.to_owned(),
                format!(
                    "{} with this {} already exists.",
                    capitalize(meta.verbose_name),
                    humanize(field.name).to_lowercase()
                ),
            ));
        }
    }
    for (name, message) in field_errors {
        parsed.errors.entry(name).or_default().push(message);
    }
    let mut general = Vec::new();
    for names in meta.unique_together {
        let values: Option<Vec<Value>> = names.iter().map(|n| value_of(n)).collect();
        let Some(values) = values else { continue };
        let q = names.iter().zip(values).fold(Q::all(), |q, (n, v)| q & Q::path(*n, v));
        if taken(q).await {
            let labels: Vec<String> = names.iter().map(|n| humanize(n).to_lowercase()).collect();
            general.push(format!(
                "{} with this {} already exists.",
                capitalize(meta.verbose_name),
                labels.join(" and ")
            ));
        }
    }
    general
}

fn is_null(value: &Value) -> bool {
    format!("{value:?}").ends_with("(None)")
}

fn capitalize(text: &str) -> String {
    humanize(text)
}

/// `add/` and `<key>/change/`.
pub(crate) async fn change_form(
    ctx: &Ctx,
    entry: &ModelEntry,
    key: Option<&str>,
    method: Method,
    request: Request,
) -> Response {
    let adding = key.is_none();
    let post = method == Method::POST;
    let allowed = match (adding, post) {
        (true, _) => ctx.can(entry, Perm::Add),
        (false, false) => ctx.can(entry, Perm::View),
        (false, true) => ctx.can(entry, Perm::Change),
    };
    if !allowed {
        return ctx.error(StatusCode::FORBIDDEN, "You don't have permission to do that.").await;
    }
    let all_names: Vec<String> = entry.meta.fields.iter().map(|f| f.name.to_owned()).collect();
    let (row, pk) = match key {
        Some(key) => match load_row(ctx, entry, key, all_names).await {
            Ok(Some(row)) => {
                let pk = parse_key(entry.meta, key).expect("load_row parsed it");
                (Some(row), Some(pk))
            }
            Ok(None) => {
                return ctx
                    .error(
                        StatusCode::NOT_FOUND,
                        "That object does not exist. Perhaps it was deleted?",
                    )
                    .await;
            }
            Err(error) => return internal(error),
        },
        None => (None, None),
    };
    let stored = match (&row, &pk) {
        (Some(row), Some(pk)) => match stored_texts(ctx, entry, row, pk).await {
            Ok(texts) => texts,
            Err(error) => return internal(error),
        },
        _ => BTreeMap::new(),
    };
    let mut general = Vec::new();
    let mut errors = BTreeMap::new();
    let mut texts = stored.clone();
    if adding {
        // An add form starts from the fields' defaults (a checked box for `default = true`).
        for field in entry.meta.fields {
            if let Some(default) = field.default {
                texts.insert(
                    field.name.to_owned(),
                    vec![default_text(&default(), field.column_type)],
                );
            }
        }
    }
    if post {
        let form = match FormData::read(request, &ctx.app).await {
            Ok(form) => form,
            Err(message) => return ctx.error(StatusCode::BAD_REQUEST, &message).await,
        };
        let mut parsed = parse_form(ctx, entry, &form, adding).await;
        if parsed.errors.is_empty() {
            general = unique_problems(ctx, entry, &mut parsed, pk.as_ref()).await;
        }
        if parsed.errors.is_empty() && general.is_empty() {
            match save(ctx, entry, &parsed, pk.clone(), &stored).await {
                Ok((saved_key, name)) => {
                    let verb = if adding { "added" } else { "changed" };
                    let model = entry.meta.verbose_name;
                    let model_url = ctx.model_url(entry);
                    let object_url = ctx.object_url(entry, &saved_key);
                    let (text, to) = if form.get("_addanother").is_some() {
                        (
                            format!(
                                "The {model} “{name}” was {verb} successfully. You may add another {model} below."
                            ),
                            format!("{model_url}add/"),
                        )
                    } else if form.get("_continue").is_some() {
                        (
                            format!(
                                "The {model} “{name}” was {verb} successfully. You may edit it again below."
                            ),
                            object_url,
                        )
                    } else {
                        (format!("The {model} “{name}” was {verb} successfully."), model_url)
                    };
                    // A user who may only add does not get sent to pages they cannot see.
                    let to = if ctx.can(entry, Perm::View) { to } else { ctx.site.url() };
                    ctx.message("success", text).await;
                    return redirect(&to);
                }
                Err(error) => match error.kind() {
                    ErrorKind::Validation(problems) => {
                        for problem in problems {
                            parsed
                                .errors
                                .entry(problem.field.to_owned())
                                .or_default()
                                .push(sentence(&problem.message));
                        }
                    }
                    ErrorKind::UniqueViolation { .. } => general
                        .push(format!("A {} like this already exists.", entry.meta.verbose_name)),
                    ErrorKind::ForeignKeyViolation { .. } => {
                        general.push("A related object does not exist.".into())
                    }
                    ErrorKind::ConstraintViolation { message } => {
                        // The constraint's own words are for the log, not the page.
                        tracing::warn!(%message, model = entry.meta.name, "admin save refused");
                        general.push(
                            "The database refused these values: they break one of its rules (a check constraint)."
                                .into(),
                        )
                    }
                    _ => return internal(error),
                },
            }
        }
        // Shown fields that are not in the layout keep their stored text.
        for (name, value) in parsed.texts {
            texts.insert(name, value);
        }
        errors = parsed.errors;
    }
    let view_only = !adding && !ctx.can(entry, Perm::Change);
    let mut fieldsets = Vec::new();
    let mut has_file = false;
    let fieldsets_layout = layout(entry, adding);
    for (heading, inputs) in &fieldsets_layout {
        let mut fields = Vec::new();
        for &(input, readonly) in inputs {
            let readonly = readonly || view_only;
            match field_json(ctx, entry, input, readonly, &texts, row.as_ref(), &errors).await {
                Ok(field) => {
                    has_file |= field["widget"] == "file";
                    fields.push(field);
                }
                Err(error) => return internal(error),
            }
        }
        fieldsets.push(json!({"name": heading, "description": null, "fields": fields}));
    }
    // Problems of fields that are not on the form still have to be seen.
    for (name, messages) in &errors {
        let shown = fieldsets_layout
            .iter()
            .any(|(_, inputs)| inputs.iter().any(|(i, r)| i.name() == name && !r));
        if !shown {
            general.extend(messages.iter().map(|m| format!("{}: {m}", humanize(name))));
        }
    }
    let error_count = errors.values().map(Vec::len).sum::<usize>() + general.len();
    let object = match (&row, key) {
        (Some(row), Some(key)) => json!({
            "pk": key,
            "repr": repr(entry, row),
            "history_url": format!("{}{}/history/", ctx.model_url(entry), encode_segment(key)),
            "delete_url": ctx.can(entry, Perm::Delete).then(|| format!("{}{}/delete/", ctx.model_url(entry), encode_segment(key))),
        }),
        _ => Json::Null,
    };
    let title = match (&row, adding) {
        (_, true) => format!("Add {}", entry.meta.verbose_name),
        (Some(row), false) if view_only => {
            format!("View {}: {}", entry.meta.verbose_name, repr(entry, row))
        }
        (Some(row), false) => format!("Change {}: {}", entry.meta.verbose_name, repr(entry, row)),
        _ => String::new(),
    };
    let last = if adding {
        format!("Add {}", entry.meta.verbose_name)
    } else {
        object["repr"].as_str().unwrap_or("").to_owned()
    };
    let crumbs = vec![
        (crate::values::humanize(entry.meta.verbose_name_plural), Some(ctx.model_url(entry))),
        (last, None),
    ];
    let status = if error_count > 0 { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let extra = json!({
        "model": model_json(ctx, entry),
        "adding": adding,
        "object": object,
        "view_only": view_only,
        "errors": general,
        "error_count": error_count,
        "has_file": has_file,
        "fieldsets": fieldsets,
    });
    ctx.page(status, "admin/change_form.html", &title, crumbs, extra).await
}

/// `ensure this value has...` → `Ensure this value has....`
fn sentence(message: &str) -> String {
    let mut text = humanize(message);
    if !text.ends_with('.') {
        text.push('.');
    }
    text
}

/// Writes the form in one transaction; the object's key and name.
async fn save(
    ctx: &Ctx,
    entry: &ModelEntry,
    parsed: &Parsed,
    pk: Option<Value>,
    stored: &BTreeMap<String, Vec<String>>,
) -> quiver_orm::Result<(String, String)> {
    let adding = pk.is_none();
    // In form order, as people read the form.
    let order: Vec<&str> = entry
        .meta
        .fields
        .iter()
        .map(|f| f.name)
        .chain(entry.meta.many_to_many.iter().map(|m| m.name))
        .collect();
    let changed_names: Vec<&str> = order
        .iter()
        .filter_map(|name| parsed.texts.get_key_value(*name))
        .filter(|(name, texts)| {
            let before = stored.get(*name).cloned().unwrap_or_default();
            let is_bool = entry
                .meta
                .field(name)
                .is_some_and(|f| f.column_type == ColumnType::Bool && !f.nullable);
            if is_bool {
                before.first().is_some_and(|b| is_yes(b))
                    != texts.first().is_some_and(|t| is_yes(t))
            } else {
                let mut a = before.clone();
                let mut b = (*texts).clone();
                a.sort();
                b.sort();
                a != b && !(a.iter().all(String::is_empty) && b.iter().all(String::is_empty))
            }
        })
        .map(|(name, _)| name.as_str())
        .collect();
    let changed: Vec<String> = changed_names.iter().map(|n| humanize(n).to_lowercase()).collect();
    // A change writes only what changed: what the form shows of a value (seconds of a time,
    // a formatted JSON document) must not overwrite what is stored.
    let mut values = parsed.values.clone();
    let mut links: Vec<&(&ManyToManyMeta, Vec<Value>)> = parsed.links.iter().collect();
    if !adding {
        values.retain(|(name, _)| changed_names.contains(&name.as_str()));
        links.retain(|(many, _)| changed_names.contains(&many.name));
        if !changed_names.is_empty() {
            for field in entry.meta.fields.iter().filter(|f| f.auto_now) {
                values.push((field.name.to_owned(), field.now_value()));
            }
        }
    } else {
        // Excluded required text (a user's password hash) starts empty.
        for name in &entry.config.exclude {
            if let Some(field) = entry.meta.field(name)
                && !field.nullable
                && field.default.is_none()
                && field.column_type == ColumnType::Text
                && field.relation.is_none()
            {
                values
                    .push((field.name.to_owned(), quiver_orm::FieldType::to_value(&String::new())));
            }
        }
    }
    ctx.db
        .atomic(|_tx| async {
            let key_json = match &pk {
                None => entry.ops.create(&ctx.db, values).await?,
                Some(pk) => {
                    entry.ops.update(&ctx.db, pk.clone(), values).await?;
                    crate::ops::value_json(pk)
                }
            };
            let key = key_text(&key_json);
            let owner = parse_key(entry.meta, &key)
                .unwrap_or_else(|| null_of(entry.meta.pk_field().column_type));
            for (many, targets) in links {
                many.set_links(&ctx.db, owner.clone(), targets.clone()).await?;
            }
            let row = load_row(ctx, entry, &key, repr_names(entry)).await?.unwrap_or_default();
            let name = repr(entry, &row);
            let (action, message) = if adding {
                (Action::Addition, "Added.".to_owned())
            } else if changed.is_empty() {
                (Action::Change, "No fields changed.".to_owned())
            } else {
                (Action::Change, format!("Changed {}.", join_and(&changed)))
            };
            ctx.log(entry, &key, &name, action, &message).await?;
            Ok((key, name))
        })
        .await
}

/// `a`, `a and b`, `a, b and c`.
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
