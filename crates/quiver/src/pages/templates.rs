//! Where templates come from (embedded lists, override folders) and the minijinja environment
//! they are rendered in.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use minijinja::{Environment, ErrorKind, UndefinedBehavior, Value};

use super::safe_relative;
use super::static_files::StaticSet;

type Setup = Arc<dyn Fn(&mut Environment<'static>) + Send + Sync>;

/// The templates of an app: lists built into the binary (one per app, names prefixed with the
/// app, `shop/home.html`) and folders read at run time that override them, as Django's
/// `DIRS` win over its apps' `templates/` folders.
///
/// Templates use Jinja2 syntax (minijinja): `{% extends %}`, `{% block %}`, `{% include %}`,
/// macros, filters such as `tojson` and `urlencode`. Names ending in `.html`, `.htm` or `.xml`
/// are autoescaped; mark trusted HTML with `|safe`. An undefined variable or attribute renders
/// as nothing, as in Django.
///
/// ```
/// use quiver::pages::Templates;
///
/// // Usually `include_str!("../templates/shop/home.html")`.
/// const SHOP_TEMPLATES: &[(&str, &str)] = &[("shop/home.html", "<h1>{{ title }}</h1>")];
///
/// let templates = Templates::new()
///     .embedded(SHOP_TEMPLATES)
///     .dir("templates"); // templates/shop/home.html, when it exists, wins
/// # let _ = templates;
/// ```
#[derive(Clone, Default)]
pub struct Templates {
    embedded: Vec<&'static [(&'static str, &'static str)]>,
    dirs: Vec<PathBuf>,
    setup: Vec<Setup>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let embedded: Vec<&str> =
            self.embedded.iter().flat_map(|list| list.iter().map(|(name, _)| *name)).collect();
        f.debug_struct("Templates")
            .field("embedded", &embedded)
            .field("dirs", &self.dirs)
            .finish_non_exhaustive()
    }
}

impl Templates {
    /// No templates yet.
    ///
    /// ```
    /// let templates = quiver::pages::Templates::new();
    /// # let _ = templates;
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds templates built into the binary, as `(name, source)` pairs. When two lists hold the
    /// same name, the one added first wins.
    ///
    /// ```
    /// use quiver::pages::Templates;
    ///
    /// const BLOG: &[(&str, &str)] = &[("blog/post.html", "<article>{{ post.body }}</article>")];
    /// const SHOP: &[(&str, &str)] = &[("shop/home.html", "<h1>Shop</h1>")];
    ///
    /// let templates = Templates::new().embedded(BLOG).embedded(SHOP);
    /// # let _ = templates;
    /// ```
    pub fn embedded(mut self, templates: &'static [(&'static str, &'static str)]) -> Self {
        self.embedded.push(templates);
        self
    }

    /// Adds a folder read at run time: `dir/shop/home.html` overrides the embedded
    /// `shop/home.html`, and templates only in the folder can be rendered too. Folders win over
    /// embedded lists; between folders the one added first wins. A folder that does not exist
    /// is skipped. With debug on, files are read again on every render (edit and reload);
    /// otherwise once, on first use.
    ///
    /// ```
    /// use quiver::pages::Templates;
    ///
    /// let templates = Templates::new().dir("templates");
    /// # let _ = templates;
    /// ```
    pub fn dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dirs.push(dir.into());
        self
    }

    /// Customises the minijinja environment: filters, functions, globals, or
    /// `UndefinedBehavior::Strict` to make a misspelt variable an error.
    ///
    /// ```
    /// use quiver::pages::Templates;
    ///
    /// let templates = Templates::new().configure(|env| {
    ///     env.add_filter("shout", |text: String| text.to_uppercase());
    ///     env.add_global("site_name", "Quiver shop");
    /// });
    /// # let _ = templates;
    /// ```
    pub fn configure(
        mut self,
        setup: impl Fn(&mut Environment<'static>) + Send + Sync + 'static,
    ) -> Self {
        self.setup.push(Arc::new(setup));
        self
    }

    /// Compiles every template (the embedded ones, as overridden, and every file in the
    /// folders) and lists each one that fails, with its line: for a test that keeps broken
    /// templates from shipping.
    ///
    /// ```
    /// use quiver::pages::Templates;
    ///
    /// const GOOD: &[(&str, &str)] = &[("a.html", "{% if x %}yes{% endif %}")];
    /// const BAD: &[(&str, &str)] = &[("b.html", "{% if x %}never closed")];
    ///
    /// assert!(Templates::new().embedded(GOOD).check().is_ok());
    /// let error = Templates::new().embedded(BAD).check().unwrap_err();
    /// assert!(error.contains("b.html"), "{error}");
    /// ```
    pub fn check(&self) -> Result<(), String> {
        let mut names: Vec<String> = self
            .embedded
            .iter()
            .flat_map(|list| list.iter().map(|(name, _)| (*name).to_owned()))
            .collect();
        for dir in &self.dirs {
            list_files(dir, "", &mut names);
        }
        names.sort();
        names.dedup();
        let env = self.environment(None);
        let problems: Vec<String> = names
            .iter()
            .filter_map(|name| env.get_template(name).err().map(|e| format!("{name}: {e:#}")))
            .collect();
        if problems.is_empty() { Ok(()) } else { Err(problems.join("\n")) }
    }

    /// A template's source: from the first folder that has it, else the first embedded list.
    fn load(&self, name: &str) -> Result<Option<String>, minijinja::Error> {
        // Only plain relative names are looked up in folders: `../` never leaves them.
        let relative = safe_relative(name);
        let candidates = relative.iter().flat_map(|r| self.dirs.iter().map(move |d| d.join(r)));
        for path in candidates {
            if path.is_file() {
                return std::fs::read_to_string(&path).map(Some).map_err(|e| {
                    minijinja::Error::new(
                        ErrorKind::InvalidOperation,
                        format!("cannot read template {}: {e}", path.display()),
                    )
                });
            }
        }
        let embedded = self.embedded.iter().flat_map(|list| list.iter());
        Ok(embedded.filter(|(n, _)| *n == name).map(|(_, source)| (*source).to_owned()).next())
    }

    /// An environment loading these templates, with `static()` when `statics` is given.
    fn environment(&self, statics: Option<Arc<StaticSet>>) -> Environment<'static> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Chainable);
        let sources = self.clone();
        env.set_loader(move |name| sources.load(name));
        if let Some(statics) = statics {
            env.add_function("static", move |path: &str| -> Result<Value, minijinja::Error> {
                // Percent-encoded, so nothing in it needs HTML escaping.
                statics
                    .url_for(path)
                    .map(Value::from_safe_string)
                    .map_err(|e| minijinja::Error::new(ErrorKind::InvalidOperation, e))
            });
        }
        for setup in &self.setup {
            setup(&mut env);
        }
        env
    }
}

/// Adds the files under `dir` (recursively) to `names`, as `prefix/relative/path`.
fn list_files(dir: &Path, prefix: &str, names: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let full = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
        if path.is_dir() {
            list_files(&path, &full, names);
        } else {
            names.push(full);
        }
    }
}

/// Renders templates: one environment for the app's life, or a fresh one per render in debug
/// mode (so edited files show at once).
pub(crate) struct Renderer {
    templates: Templates,
    statics: Arc<StaticSet>,
    debug: bool,
    shared: OnceLock<Environment<'static>>,
}

impl Renderer {
    pub(crate) fn new(templates: Templates, statics: Arc<StaticSet>, debug: bool) -> Self {
        Self { templates, statics, debug, shared: OnceLock::new() }
    }

    /// Renders template `name` with `context`.
    pub(crate) fn render(&self, name: &str, context: Value) -> Result<String, minijinja::Error> {
        if self.debug {
            let env = self.templates.environment(Some(self.statics.clone()));
            return env.get_template(name)?.render(context);
        }
        let env =
            self.shared.get_or_init(|| self.templates.environment(Some(self.statics.clone())));
        env.get_template(name)?.render(context)
    }
}
