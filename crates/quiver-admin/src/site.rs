//! The admin site: which models it shows and how, and installing it on an app.

use std::marker::PhantomData;
use std::path::PathBuf;
use std::sync::Arc;

use quiver_core::App;
use quiver_orm::{Db, Model, ModelMeta};

use crate::ops::{ActionFn, ComputedFn, ModelOps, Ops};
use crate::render::Templates;

/// The admin site: the registered models and the site's options. Install it with
/// [`AdminAppExt::admin`]; it lives at `/admin/` unless moved with [`AdminSite::prefix`].
///
/// The auth app's users and groups are registered by default ([`AdminSite::without_auth_models`]
/// leaves them out). Only active staff users may log in; each model and action is checked
/// against the user's `view`/`add`/`change`/`delete` permissions.
///
/// ```
/// use quiver_admin::AdminSite;
/// use quiver_orm::prelude::*;
///
/// #[derive(Model, Debug)]
/// #[model(table = "shop_product")]
/// pub struct Product {
///     pub id: Auto<i64>,
///     #[field(max_length = 100)]
///     pub name: String,
/// }
///
/// let site = AdminSite::new().prefix("/backoffice").title("Shop back office").model::<Product>();
/// assert_eq!(site.url(), "/backoffice/");
/// ```
pub struct AdminSite {
    pub(crate) prefix: String,
    pub(crate) title: String,
    pub(crate) entries: Vec<ModelEntry>,
    pub(crate) template_dir: Option<PathBuf>,
    pub(crate) auth_models: bool,
    pub(crate) templates: Option<Templates>,
}

impl std::fmt::Debug for AdminSite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let models: Vec<_> = self.entries.iter().map(|e| e.meta.name).collect();
        f.debug_struct("AdminSite")
            .field("prefix", &self.prefix)
            .field("title", &self.title)
            .field("models", &models)
            .finish_non_exhaustive()
    }
}

impl Default for AdminSite {
    fn default() -> Self {
        AdminSite::new()
    }
}

/// One registered model: its labels, its options and its operations.
pub(crate) struct ModelEntry {
    pub app_label: String,
    /// The lowercase model name used in URLs and permission codenames (`article`).
    pub model_name: String,
    pub meta: &'static ModelMeta,
    pub config: Config,
    pub ops: Arc<dyn ModelOps>,
}

/// A registration's options, by name (checked against the model when the site is installed).
#[derive(Debug, Clone, Default)]
pub(crate) struct Config {
    pub list_display: Vec<String>,
    pub computed: Vec<(String, String)>,
    pub search_fields: Vec<String>,
    pub list_filter: Vec<String>,
    pub readonly_fields: Vec<String>,
    pub exclude: Vec<String>,
    pub fieldsets: Vec<(Option<String>, Vec<String>)>,
    pub ordering: Vec<String>,
    pub per_page: u64,
    pub title_field: Option<String>,
    /// Bulk actions: (name, label).
    pub actions: Vec<(String, String)>,
    /// Foreign keys to tables with more rows than this get a search-as-you-type input.
    pub autocomplete_over: u64,
    /// Text fields that may be left empty (stored as `""`).
    pub optional: Vec<String>,
}

impl AdminSite {
    /// A site at `/admin/` with the auth app's users and groups.
    pub fn new() -> Self {
        AdminSite {
            prefix: "/admin".into(),
            title: "Quiver administration".into(),
            entries: Vec::new(),
            template_dir: None,
            auth_models: true,
            templates: None,
        }
    }

    /// Moves the site (default `/admin`).
    pub fn prefix(mut self, prefix: &str) -> Self {
        self.prefix = format!("/{}", prefix.trim_matches('/'));
        self
    }

    /// The site's heading and page titles (default "Quiver administration").
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }

    /// A folder whose `admin/<page>.html` files replace the built-in templates of the same
    /// name (`admin/base.html`, `admin/change_list.html`, ...). Read when the site is installed.
    pub fn templates(mut self, dir: impl Into<PathBuf>) -> Self {
        self.template_dir = Some(dir.into());
        self
    }

    /// Leaves the auth app's users and groups out of the site.
    pub fn without_auth_models(mut self) -> Self {
        self.auth_models = false;
        self
    }

    /// The site's root URL (`/admin/`).
    pub fn url(&self) -> String {
        format!("{}/", self.prefix)
    }

    /// Registers `M` with the default options.
    pub fn model<M: Model>(self) -> Self {
        self.register::<M>(|admin| admin)
    }

    /// Registers `M`, with options set by `configure` (see [`ModelAdmin`]).
    ///
    /// ```
    /// use quiver_admin::AdminSite;
    /// use quiver_orm::prelude::*;
    ///
    /// #[derive(Model, Debug)]
    /// #[model(table = "blog_article")]
    /// pub struct Article {
    ///     pub id: Auto<i64>,
    ///     #[field(max_length = 200)]
    ///     pub title: String,
    ///     pub body: String,
    /// }
    ///
    /// let site = AdminSite::new().register::<Article>(|article| {
    ///     article
    ///         .list_display(["title"])
    ///         .column("words", "Words", |a: &Article| a.body.split_whitespace().count().to_string())
    ///         .search_fields(["title", "body"])
    /// });
    /// # let _ = site;
    /// ```
    pub fn register<M: Model>(
        mut self,
        configure: impl FnOnce(ModelAdmin<M>) -> ModelAdmin<M>,
    ) -> Self {
        let admin = configure(ModelAdmin::new());
        let meta = M::meta();
        let entry = ModelEntry {
            app_label: admin.app_label.unwrap_or_else(|| default_app_label(meta)),
            model_name: meta.name.to_lowercase(),
            meta,
            config: admin.config,
            ops: Arc::new(Ops::<M> {
                computed: admin.computed,
                actions: admin.actions,
                marker: PhantomData,
            }),
        };
        self.entries.retain(|e| e.meta.table != meta.table);
        self.entries.push(entry);
        self
    }

    pub(crate) fn entry(&self, app: &str, model: &str) -> Option<&ModelEntry> {
        self.entries.iter().find(|e| e.app_label == app && e.model_name == model)
    }

    pub(crate) fn entry_for(&self, meta: &ModelMeta) -> Option<&ModelEntry> {
        self.entries.iter().find(|e| e.meta.table == meta.table)
    }

    /// Adds the auth models, checks every registration and loads the templates.
    fn finish(mut self) -> Self {
        if self.auth_models {
            let mut site = std::mem::take(&mut self.entries);
            let auth = AdminSite { entries: Vec::new(), ..AdminSite::new() }
                .register::<quiver_auth::User>(|user| {
                    user.app_label("auth")
                        .list_display(["username", "email", "first_name", "last_name", "is_staff"])
                        .search_fields(["username", "first_name", "last_name", "email"])
                        .list_filter(["is_staff", "is_superuser", "is_active"])
                        .exclude(["password"])
                        .optional(["email", "first_name", "last_name"])
                        .readonly_fields(["last_login", "date_joined"])
                        .fieldset(None, ["username", "email", "first_name", "last_name"])
                        .fieldset(
                            Some("Permissions"),
                            ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"],
                        )
                        .fieldset(Some("Important dates"), ["last_login", "date_joined"])
                })
                .register::<quiver_auth::Group>(|group| {
                    group.app_label("auth").search_fields(["name"]).exclude(["permissions"])
                });
            for entry in auth.entries {
                if !site.iter().any(|e| e.meta.table == entry.meta.table) {
                    site.push(entry);
                }
            }
            self.entries = site;
        }
        for entry in &self.entries {
            if let Err(problem) = crate::changelist::check_config(entry) {
                panic!("admin registration of {}: {problem}", entry.meta.name);
            }
        }
        self.templates = Some(Templates::load(self.template_dir.as_deref()).unwrap_or_else(|e| {
            panic!("admin templates: {e}");
        }));
        self
    }
}

/// The table's prefix: `blog_article` → `blog`; a table without one → `main`.
fn default_app_label(meta: &ModelMeta) -> String {
    match meta.table.split_once('_') {
        Some((prefix, _)) if !prefix.is_empty() => prefix.to_owned(),
        _ => "main".to_owned(),
    }
}

/// How the admin shows one model: its list columns, search, filters, forms and actions.
/// Names are checked when the site is installed: a misspelt field stops the app at start-up
/// with a message naming it.
///
/// ```
/// use quiver_admin::AdminSite;
/// use quiver_orm::prelude::*;
///
/// #[derive(Model, Debug)]
/// #[model(table = "blog_author")]
/// pub struct Author { pub id: Auto<i64>, #[field(max_length = 100)] pub name: String }
///
/// #[derive(Model, Debug)]
/// #[model(table = "blog_article")]
/// pub struct Article {
///     pub id: Auto<i64>,
///     #[field(max_length = 200)]
///     pub title: String,
///     pub author: ForeignKey<Author>,
///     pub published: bool,
/// }
///
/// async fn publish(db: Db, articles: Vec<Article>) -> quiver_orm::Result<String> {
///     let ids: Vec<i64> = articles.iter().map(|a| a.id.value()).collect();
///     let n = Article::objects().filter(Article::ID.in_(ids)).update().set(Article::PUBLISHED, true).execute(&db).await?;
///     Ok(format!("{n} articles published."))
/// }
///
/// let site = AdminSite::new().model::<Author>().register::<Article>(|a| {
///     a.list_display(["title", "author", "author__name", "published"])
///         .search_fields(["title", "author__name"])
///         .list_filter(["published", "author"])
///         .ordering(["-id"])
///         .action("publish", "Publish selected articles", publish)
/// });
/// # let _ = site;
/// ```
pub struct ModelAdmin<M> {
    config: Config,
    app_label: Option<String>,
    computed: Vec<ComputedFn<M>>,
    actions: Vec<ActionFn<M>>,
}

impl<M: Model> ModelAdmin<M> {
    fn new() -> Self {
        ModelAdmin {
            config: Config { per_page: 100, autocomplete_over: 100, ..Config::default() },
            app_label: None,
            computed: Vec::new(),
            actions: Vec::new(),
        }
    }

    /// The app label used in URLs and permission names (`blog` in `blog.change_article`).
    /// Default: the table's prefix (`blog_article` → `blog`), else `main`.
    pub fn app_label(mut self, label: &str) -> Self {
        self.app_label = Some(label.to_owned());
        self
    }

    /// The change list's columns: field names, related paths (`author__name`) and names given
    /// to [`ModelAdmin::column`]. Default: the object's title.
    pub fn list_display<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.config.list_display = names.into_iter().map(Into::into).collect();
        self
    }

    /// A computed column named `name` (put it in `list_display`; appended when absent), its
    /// heading `label`, its text computed from the instance. Not sortable.
    pub fn column(
        mut self,
        name: &str,
        label: &str,
        compute: impl Fn(&M) -> String + Send + Sync + 'static,
    ) -> Self {
        self.config.computed.push((name.to_owned(), label.to_owned()));
        self.computed.push(Arc::new(compute));
        self
    }

    /// Fields the search box looks in (case-insensitive contains; `^name` starts with,
    /// `=name` exact), related paths allowed. Every word must match one of them.
    pub fn search_fields<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.config.search_fields = names.into_iter().map(Into::into).collect();
        self
    }

    /// Fields offered in the filter sidebar: booleans, choices, foreign keys and dates.
    pub fn list_filter<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.config.list_filter = names.into_iter().map(Into::into).collect();
        self
    }

    /// Fields shown on the change form but not editable.
    pub fn readonly_fields<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.config.readonly_fields = names.into_iter().map(Into::into).collect();
        self
    }

    /// Fields left out of the forms.
    pub fn exclude<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.config.exclude = names.into_iter().map(Into::into).collect();
        self
    }

    /// A group of fields on the change form, with an optional heading; with fieldsets only
    /// the fields named in them are shown.
    pub fn fieldset<S: Into<String>>(
        mut self,
        name: Option<&str>,
        fields: impl IntoIterator<Item = S>,
    ) -> Self {
        let fields = fields.into_iter().map(Into::into).collect();
        self.config.fieldsets.push((name.map(str::to_owned), fields));
        self
    }

    /// The change list's default order (`["-created_at"]`); default: the model's ordering.
    pub fn ordering<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.config.ordering = names.into_iter().map(Into::into).collect();
        self
    }

    /// Rows per change-list page (default 100).
    pub fn list_per_page(mut self, n: u64) -> Self {
        self.config.per_page = n.max(1);
        self
    }

    /// The field that names an object in lists, links and messages (default: `name`,
    /// `title`, `username`, then the first short text field).
    pub fn title_field(mut self, name: &str) -> Self {
        self.config.title_field = Some(name.to_owned());
        self
    }

    /// Text fields that may be left empty on the forms (stored as `""`, Django's
    /// `blank=True`); other required text fields must be filled.
    pub fn optional<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.config.optional = names.into_iter().map(Into::into).collect();
        self
    }

    /// Foreign keys to models with more rows than `n` get a search-as-you-type input instead
    /// of a select (default 100; the target must be registered).
    pub fn autocomplete_over(mut self, n: u64) -> Self {
        self.config.autocomplete_over = n;
        self
    }

    /// A bulk action on the change list: `run` gets the selected instances after the user
    /// confirms, and returns the message shown. Needs the `change` permission.
    pub fn action<F, Fut>(mut self, name: &str, label: &str, run: F) -> Self
    where
        F: Fn(Db, Vec<M>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = quiver_orm::Result<String>> + Send + 'static,
    {
        self.config.actions.push((name.to_owned(), label.to_owned()));
        self.actions.push(Arc::new(move |db, items| Box::pin(run(db, items))));
        self
    }
}

/// The admin site's state in the app.
pub(crate) struct SiteState(pub Arc<AdminSite>);

/// Installs an [`AdminSite`] on an [`App`]; the app must also have the database (`state(db)`)
/// and the auth app (`auth(...)`).
pub trait AdminAppExt {
    /// Serves `site` at its prefix (`/admin/`): its pages are left out of the OpenAPI
    /// document. Panics at start-up when a registration names a field the model lacks.
    fn admin(self, site: AdminSite) -> Self;
}

impl AdminAppExt for App {
    fn admin(self, site: AdminSite) -> Self {
        let site = Arc::new(site.finish());
        let routes = crate::views::routes(&site.prefix);
        self.state(SiteState(site)).routes(routes)
    }
}
