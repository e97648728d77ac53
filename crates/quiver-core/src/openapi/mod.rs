//! The OpenAPI 3.1 document, built from the routes: each extractor describes the parameters or
//! body it reads, each response type its status and schema; this module only assembles them.
//!
//! ```
//! use quiver_core::{App, extract::Json};
//!
//! async fn echo(Json(v): Json<Vec<u32>>) -> Json<Vec<u32>> { Json(v) }
//!
//! let doc = App::new().title("Echo").post("/echo", echo).openapi();
//! assert_eq!(doc["openapi"], "3.1.0");
//! assert!(doc["paths"]["/echo"]["post"]["requestBody"].is_object());
//! ```

mod responses;
mod ui;

use std::collections::BTreeMap;

use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{Map, Value, json};

pub use responses::{ResponseDoc, ResponseProbe, ViaFallback, ViaResponseDoc};
pub(crate) use ui::{DocsUrls, mount as mount_docs};

use crate::routing::Route;
use crate::validation::Source;

/// What one operation reads and answers, filled in by its extractors and response type.
#[derive(Debug, Default, Clone)]
pub struct OperationDoc {
    parameters: Vec<Value>,
    request_body: Option<Value>,
    responses: BTreeMap<String, Value>,
    validates: bool,
    security: Vec<(String, Vec<String>)>,
    security_schemes: BTreeMap<String, Value>,
}

impl OperationDoc {
    /// Adds one parameter (`in` is the source) with the schema of `T`.
    pub fn parameter<T: JsonSchema>(
        &mut self,
        generator: &mut SchemaGenerator,
        source: Source,
        name: &str,
        required: bool,
    ) {
        let schema = inline_schema::<T>(generator);
        self.parameter_with_schema(source, name, required, schema, None);
    }

    /// Adds one parameter with a schema already built.
    pub fn parameter_with_schema(
        &mut self,
        source: Source,
        name: &str,
        required: bool,
        schema: Value,
        description: Option<String>,
    ) {
        let location = match source {
            Source::Body => return,
            other => other.as_str(),
        };
        let schema = not_null(schema);
        let mut parameter = json!({
            "name": name,
            "in": location,
            "required": required || source == Source::Path,
            "schema": schema,
        });
        if let Some(text) = description {
            parameter["description"] = Value::String(text);
        }
        self.parameters.push(parameter);
        self.validates = true;
    }

    /// Adds every property of struct `T` as a parameter in `source` (header names with `-`).
    pub fn parameters_from<T: JsonSchema>(
        &mut self,
        generator: &mut SchemaGenerator,
        source: Source,
    ) {
        let schema = generator.root_schema_for::<T>().to_value();
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
            return;
        };
        for (name, property) in properties {
            let mut property = property.clone();
            let description = property
                .as_object_mut()
                .and_then(|p| p.remove("description"))
                .and_then(|d| d.as_str().map(str::to_owned));
            let client_name =
                if source == Source::Header { name.replace('_', "-") } else { name.clone() };
            self.parameter_with_schema(
                source,
                &client_name,
                required.contains(&name.as_str()),
                property,
                description,
            );
        }
    }

    /// Declares the request body: `T` as `content_type`.
    pub fn request_body<T: JsonSchema>(
        &mut self,
        generator: &mut SchemaGenerator,
        content_type: &str,
    ) {
        let schema = generator.subschema_for::<T>().to_value();
        self.request_body = Some(json!({
            "required": true,
            "content": { content_type: { "schema": schema } },
        }));
        self.validates = true;
    }

    /// Declares a request body with a schema already built.
    pub fn request_body_with_schema(&mut self, content_type: &str, schema: Value) {
        self.request_body =
            Some(json!({ "required": true, "content": { content_type: { "schema": schema } } }));
    }

    /// Declares one response.
    pub fn response(&mut self, status: u16, description: &str, content: Option<(&str, Value)>) {
        self.response_range(&status.to_string(), description, content);
    }

    /// Declares the response for a status or a range of them (`"3XX"`).
    pub fn response_range(
        &mut self,
        status: &str,
        description: &str,
        content: Option<(&str, Value)>,
    ) {
        let mut response = json!({ "description": description });
        if let Some((content_type, schema)) = content {
            response["content"] = json!({ content_type: { "schema": schema } });
        }
        self.responses.insert(status.to_owned(), response);
    }

    /// Requires the security scheme `name` (with these OAuth2 scopes) for this operation, and
    /// defines the scheme in `components/securitySchemes`. Auth dependencies call this from their
    /// `describe`, so every handler using them shows the padlock in Swagger UI.
    ///
    /// ```
    /// use quiver_core::openapi::{OperationDoc, SecurityScheme};
    ///
    /// let mut doc = OperationDoc::default();
    /// doc.security("bearerAuth", SecurityScheme::bearer(Some("JWT")), &[]);
    /// ```
    pub fn security(&mut self, name: &str, scheme: Value, scopes: &[&str]) {
        self.security_schemes.insert(name.to_owned(), scheme);
        self.security.push((name.to_owned(), scopes.iter().map(|s| (*s).to_owned()).collect()));
    }

    /// Declares a response other than the success, if none with that status is declared.
    pub fn error_response(&mut self, status: u16, description: &str) {
        self.responses.entry(status.to_string()).or_insert_with(|| {
            json!({
                "description": description,
                "content": { "application/json": { "schema": { "$ref": "#/components/schemas/HTTPError" } } },
            })
        });
    }
}

/// A parameter is absent or has a value; it is never `null`: `Option<T>`'s schema becomes `T`'s.
fn not_null(mut schema: Value) -> Value {
    let is_null = |v: &Value| v.get("type") == Some(&json!("null"));
    if let Some(branches) = schema.get("anyOf").and_then(Value::as_array)
        && branches.len() == 2
        && let Some(other) = branches.iter().find(|b| !is_null(b))
        && branches.iter().any(is_null)
    {
        let mut other = other.clone();
        if let (Some(target), Some(source)) = (other.as_object_mut(), schema.as_object()) {
            for (key, value) in source.iter().filter(|(k, _)| *k != "anyOf") {
                target.entry(key.clone()).or_insert_with(|| value.clone());
            }
        }
        return other;
    }
    if let Some(types) = schema.get_mut("type").and_then(Value::as_array_mut) {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types[0].clone();
            schema["type"] = only;
        }
    }
    schema
}

/// The schema of `T` written in place (primitives and lists inline; named types as `$ref`).
pub(crate) fn inline_schema<T: JsonSchema>(generator: &mut SchemaGenerator) -> Value {
    generator.subschema_for::<T>().to_value()
}

/// The document's `info` and the path it is served at.
#[derive(Debug, Clone)]
pub(crate) struct OpenApiConfig {
    pub(crate) title: String,
    pub(crate) version: String,
    pub(crate) description: Option<String>,
    pub(crate) url: Option<String>,
    pub(crate) docs_url: Option<String>,
    pub(crate) redoc_url: Option<String>,
    pub(crate) info_extra: Vec<(&'static str, Value)>,
    pub(crate) servers: Vec<Value>,
    pub(crate) tags: Vec<Value>,
    pub(crate) external_docs: Option<Value>,
    pub(crate) extra: Option<ExtraFn>,
    /// The body every error answer has, when the app answers errors its own way.
    pub(crate) error_schema: Option<fn(&mut SchemaGenerator) -> schemars::Schema>,
}

/// A last edit of the whole document, for what the builder does not cover.
#[derive(Clone)]
pub(crate) struct ExtraFn(pub(crate) std::sync::Arc<dyn Fn(&mut Value) + Send + Sync>);

impl std::fmt::Debug for ExtraFn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("openapi_extra")
    }
}

impl Default for OpenApiConfig {
    fn default() -> Self {
        Self {
            title: "Quiver app".into(),
            version: "0.1.0".into(),
            description: None,
            url: Some("/openapi.json".into()),
            docs_url: Some("/docs".into()),
            redoc_url: Some("/redoc".into()),
            info_extra: Vec::new(),
            servers: Vec::new(),
            tags: Vec::new(),
            external_docs: None,
            extra: None,
            error_schema: None,
        }
    }
}

fn new_generator(for_output: bool) -> SchemaGenerator {
    let settings = schemars::generate::SchemaSettings::draft2020_12().with(|s| {
        s.definitions_path = "#/components/schemas".into();
        s.meta_schema = None;
    });
    let settings = if for_output { settings.for_serialize() } else { settings.for_deserialize() };
    settings.into_generator()
}

/// One `components/schemas` map from both generators. A type whose input and output schemas
/// differ is emitted twice, as `Name-Input` and `Name-Output` (as FastAPI does), and the
/// references in the operations and in the schemas themselves are renamed to match.
fn merge_definitions(
    inputs: &mut SchemaGenerator,
    outputs: &mut SchemaGenerator,
    paths: &mut BTreeMap<String, Map<String, Value>>,
) -> Map<String, Value> {
    let mut input_defs = inputs.take_definitions(true);
    let mut output_defs = outputs.take_definitions(true);
    let mut input_names = BTreeMap::new();
    let mut output_names = BTreeMap::new();
    for (name, schema) in &input_defs {
        if output_defs.get(name).is_some_and(|other| other != schema) {
            input_names.insert(name.clone(), format!("{name}-Input"));
            output_names.insert(name.clone(), format!("{name}-Output"));
        }
    }
    for schema in input_defs.values_mut() {
        rename_refs(schema, &input_names);
    }
    for schema in output_defs.values_mut() {
        rename_refs(schema, &output_names);
    }
    for operation in paths.values_mut().flat_map(|methods| methods.values_mut()) {
        for key in ["parameters", "requestBody"] {
            if let Some(part) = operation.get_mut(key) {
                rename_refs(part, &input_names);
            }
        }
        if let Some(responses) = operation.get_mut("responses") {
            rename_refs(responses, &output_names);
        }
    }
    let mut merged = Map::new();
    for (name, schema) in input_defs {
        let name = input_names.get(&name).cloned().unwrap_or(name);
        merged.insert(name, schema);
    }
    for (name, schema) in output_defs {
        let name = output_names.get(&name).cloned().unwrap_or(name);
        merged.entry(name).or_insert(schema);
    }
    merged
}

fn rename_refs(value: &mut Value, names: &BTreeMap<String, String>) {
    if names.is_empty() {
        return;
    }
    match value {
        Value::Object(map) => {
            if let Some(Value::String(target)) = map.get_mut("$ref")
                && let Some(name) = target.strip_prefix("#/components/schemas/")
                && let Some(new_name) = names.get(name)
            {
                *target = format!("#/components/schemas/{new_name}");
            }
            map.values_mut().for_each(|v| rename_refs(v, names));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rename_refs(v, names)),
        _ => {}
    }
}

/// Builds the whole document for these routes.
pub(crate) fn document(config: &OpenApiConfig, routes: &[Route]) -> Value {
    // Inputs are described as they deserialise, outputs as they serialise (an `Option` field
    // may be left out of a request but is always in a response): two generators, merged below.
    let mut inputs = new_generator(false);
    let mut outputs = new_generator(true);
    let mut paths: BTreeMap<String, Map<String, Value>> = BTreeMap::new();
    let mut seen_ids: BTreeMap<String, usize> = BTreeMap::new();
    let mut any_validation = false;
    let mut any_error = false;
    let mut security_schemes: BTreeMap<String, Value> = BTreeMap::new();
    for route in routes.iter().filter(|route| !route.meta().hidden) {
        let mut doc = OperationDoc::default();
        (route.describe)(&mut doc, &mut inputs);
        for describe in &route.describe_guards {
            describe(&mut doc, &mut inputs);
        }
        if let Some(describe) = route.describe_responses {
            describe(&mut doc, &mut outputs);
        }
        for (status, description) in &route.meta().errors {
            doc.error_response(*status, description);
        }
        let meta = route.meta();
        let mut operation = Map::new();
        if !meta.tags.is_empty() {
            operation.insert("tags".into(), json!(meta.tags));
        }
        if let Some(summary) = &meta.summary {
            operation.insert("summary".into(), json!(summary));
        }
        if let Some(description) = &meta.description {
            operation.insert("description".into(), json!(description));
        }
        let base_id = meta.name.clone().unwrap_or_else(|| default_operation_id(route));
        let count = seen_ids.entry(base_id.clone()).or_default();
        *count += 1;
        let id = if *count == 1 { base_id } else { format!("{base_id}_{count}") };
        operation.insert("operationId".into(), json!(id));
        if !doc.parameters.is_empty() {
            operation.insert("parameters".into(), Value::Array(doc.parameters.clone()));
        }
        if let Some(mut body) = doc.request_body.take() {
            if !meta.request_examples.is_empty() {
                let examples: Map<String, Value> = meta
                    .request_examples
                    .iter()
                    .map(|(name, value)| (name.clone(), json!({ "value": value })))
                    .collect();
                if let Some(content) = body.get_mut("content").and_then(Value::as_object_mut) {
                    for media in content.values_mut() {
                        media["examples"] = Value::Object(examples.clone());
                    }
                }
            }
            operation.insert("requestBody".into(), body);
        }
        if doc.responses.keys().all(|status| !status.starts_with('2') && !status.starts_with('3')) {
            doc.response(200, "Successful Response", None);
        }
        if doc.validates {
            any_validation = true;
            doc.responses.entry("422".into()).or_insert_with(|| {
                json!({
                    "description": "Validation Error",
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/HTTPValidationError" } } },
                })
            });
        }
        any_error |= doc
            .responses
            .values()
            .any(|r| r.to_string().contains("#/components/schemas/HTTPError"));
        operation.insert("responses".into(), json!(doc.responses));
        if meta.deprecated {
            operation.insert("deprecated".into(), json!(true));
        }
        if !doc.security.is_empty() {
            let requirements: Vec<Value> =
                doc.security.iter().map(|(name, scopes)| json!({ name: scopes })).collect();
            operation.insert("security".into(), Value::Array(requirements));
        }
        security_schemes.append(&mut doc.security_schemes);
        paths
            .entry(route.path().to_owned())
            .or_default()
            .insert(route.method().as_str().to_ascii_lowercase(), Value::Object(operation));
    }
    // The app's own error body, described by the output generator so its nested types land
    // in `components/schemas` with the rest.
    let custom_error = config
        .error_schema
        .map(|describe| serde_json::to_value(describe(&mut outputs)).unwrap_or_default());
    let mut schemas = merge_definitions(&mut inputs, &mut outputs, &mut paths);
    if let Some(custom) = &custom_error {
        // The app answers errors its own way (`App::error_handler`): both names keep their
        // references, and describe the body the app really sends.
        if any_validation {
            schemas.insert("HTTPValidationError".into(), custom.clone());
        }
        if any_error {
            schemas.insert("HTTPError".into(), custom.clone());
        }
    } else if any_validation {
        schemas.insert("ValidationError".into(), validation_error_schema());
        schemas.insert(
            "HTTPValidationError".into(),
            json!({
                "title": "HTTPValidationError",
                "type": "object",
                "properties": { "detail": { "title": "Detail", "type": "array", "items": { "$ref": "#/components/schemas/ValidationError" } } },
            }),
        );
    }
    if any_error && custom_error.is_none() {
        schemas.insert(
            "HTTPError".into(),
            json!({ "title": "HTTPError", "type": "object", "required": ["detail"], "properties": { "detail": {} } }),
        );
    }
    let mut info = json!({ "title": config.title, "version": config.version });
    if let Some(description) = &config.description {
        info["description"] = json!(description);
    }
    for (key, value) in &config.info_extra {
        info[key] = value.clone();
    }
    let mut document = json!({ "openapi": "3.1.0", "info": info });
    if !config.servers.is_empty() {
        document["servers"] = json!(config.servers);
    }
    document["paths"] = json!(paths);
    let mut components = Map::new();
    if !schemas.is_empty() {
        components.insert("schemas".into(), Value::Object(schemas));
    }
    if !security_schemes.is_empty() {
        components.insert("securitySchemes".into(), json!(security_schemes));
    }
    if !components.is_empty() {
        document["components"] = Value::Object(components);
    }
    if !config.tags.is_empty() {
        document["tags"] = json!(config.tags);
    }
    if let Some(docs) = &config.external_docs {
        document["externalDocs"] = docs.clone();
    }
    crate::validation::integer_bounds(&mut document);
    if let Some(ExtraFn(extra)) = &config.extra {
        extra(&mut document);
    }
    document
}

/// Security schemes for [`OperationDoc::security`].
#[derive(Debug, Clone, Copy)]
pub struct SecurityScheme;

impl SecurityScheme {
    /// `Authorization: Bearer <token>`; `format` is a hint such as `"JWT"`.
    pub fn bearer(format: Option<&str>) -> Value {
        let mut scheme = json!({ "type": "http", "scheme": "bearer" });
        if let Some(format) = format {
            scheme["bearerFormat"] = json!(format);
        }
        scheme
    }

    /// An API key sent in the header `name`.
    pub fn api_key_header(name: &str) -> Value {
        json!({ "type": "apiKey", "in": "header", "name": name })
    }

    /// OAuth2's password flow: Swagger UI's "Authorize" posts username and password to
    /// `token_url` and sends the token it gets back.
    pub fn oauth2_password(token_url: &str) -> Value {
        json!({ "type": "oauth2", "flows": { "password": { "tokenUrl": token_url, "scopes": {} } } })
    }
}

fn default_operation_id(route: &Route) -> String {
    let path: String =
        route.path().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    format!("{}{}", route.method().as_str().to_ascii_lowercase(), path.trim_end_matches('_'))
}

fn validation_error_schema() -> Value {
    json!({
        "title": "ValidationError",
        "type": "object",
        "required": ["loc", "msg", "type"],
        "properties": {
            "loc": { "title": "Location", "type": "array", "items": { "anyOf": [{ "type": "string" }, { "type": "integer" }] } },
            "msg": { "title": "Message", "type": "string" },
            "type": { "title": "Error Type", "type": "string" },
            "input": { "title": "Input" },
            "ctx": { "title": "Context", "type": "object" },
        },
    })
}
