//! A small catalogue shop on Quiver: the app to run first and to copy from.
//!
//! - `models`: categories, tags, products (with a picture) and reviews; the users are the auth
//!   app's. The migration in `migrations/` is generated from them and built into the binary.
//! - `api`: the JSON API under `/api/` (products with filters, search, ordering and pages;
//!   staff-only writes; picture uploads; reviews), documented at `/docs`.
//! - `pages`: the server-rendered shop at `/` (templates in `templates/shop/`, CSS in
//!   `static/`), with login, logout and a review form.
//! - the admin at `/admin/` for every model, and `seed` for the demo data of the first start.
//!
//! `main.rs` hands [`apps`], [`app`] and [`seed()`] to `quiver::Project`, which runs the command
//! line; tests call them directly.

pub mod api;
pub mod catalogue;
pub mod models;
pub mod pages;
pub mod seed;

use std::path::{Path, PathBuf};

use quiver::admin::AdminSite;
use quiver::prelude::*;

use crate::models::{Category, Product, Review, Tag};

pub use seed::seed;

/// The migrations of the shop's models, built into the binary.
pub const MIGRATIONS: &[(&str, &str)] =
    &[("0001_initial", include_str!("../migrations/0001_initial.toml"))];

/// The project's apps: auth, the admin's history, and the shop (for `migrate`).
pub fn apps() -> Vec<quiver::manage::App> {
    vec![
        quiver::manage::App::auth(),
        quiver::manage::App::admin(),
        quiver::manage::App::embedded("shop", MIGRATIONS, models::models()),
    ]
}

/// Applies every migration (auth, admin, shop) to `db`, as `migrate` does.
pub async fn migrate(db: &Db) -> quiver::orm::Result<()> {
    quiver::manage::migrate_apps(db, &apps()).await.map(drop)
}

/// Where uploaded pictures are kept (`media/` in the working directory by default) and the
/// URL they are served under (`/media/`).
#[derive(Debug, Clone)]
pub struct Media {
    dir: PathBuf,
    url: String,
}

impl Default for Media {
    fn default() -> Self {
        Media::new("media")
    }
}

impl Media {
    /// Files under `dir`, served at `/media/`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Media { dir: dir.into(), url: "/media/".into() }
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The URL prefix (`/media/`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The URL of the file stored at `path` (relative to the folder).
    pub fn url_of(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// Stores `bytes` at `path` (relative to the folder), making the folders it needs.
    pub async fn save(&self, path: &str, bytes: &[u8]) -> std::io::Result<()> {
        let target = self.dir.join(path);
        if let Some(parent) = target.parent() {
            quiver::deps::tokio::fs::create_dir_all(parent).await?;
        }
        quiver::deps::tokio::fs::write(target, bytes).await
    }

    /// Deletes the file at `path`; a file already gone is not an error (logged otherwise). A
    /// path that would leave the folder (`../x`, `/etc/x`: the column is editable in the admin)
    /// is left alone.
    pub async fn remove(&self, path: &str) {
        let inside = Path::new(path)
            .components()
            .all(|part| matches!(part, std::path::Component::Normal(_)));
        if !inside {
            quiver::deps::tracing::warn!(path, "not deleting a media path outside the folder");
            return;
        }
        if let Err(error) = quiver::deps::tokio::fs::remove_file(self.dir.join(path)).await
            && error.kind() != std::io::ErrorKind::NotFound
        {
            quiver::deps::tracing::warn!(%error, path, "could not delete a media file");
        }
    }
}

/// The auth app as the project configured it, else the default on the settings' secret key.
pub fn auth(ctx: &ProjectContext) -> Auth {
    ctx.auth.clone().unwrap_or_else(|| Auth::new(&ctx.db, ctx.settings.secret_key.expose()))
}

/// The whole app: the API, the pages, the admin and the auth routes, with pictures in
/// `media/` of the working directory.
pub fn app(ctx: &ProjectContext) -> App {
    app_with_media(ctx, Media::default())
}

/// [`app`] with pictures kept in `media` (tests use a temporary folder).
pub fn app_with_media(ctx: &ProjectContext, media: Media) -> App {
    let pages = pages::pages(&media, ctx.settings.debug);
    App::new()
        .title("Showcase shop")
        .description(
            "A small catalogue shop: products with categories, tags, pictures and reviews. \
             Staff write products with a bearer token from `POST /auth/token` \
             (the **Authorize** button) or a session.",
        )
        .tag_description("products", "The catalogue: browse, search, and (staff) edit")
        .tag_description("reviews", "What customers think")
        .tag_description("categories", "Shelves, for menus and filters")
        .tag_description("tags", "Labels products share")
        .state(ctx.db.clone())
        .state(media)
        .auth(auth(ctx))
        .admin(admin_site())
        .routes(api::routes())
        .pages(pages)
        .routes(pages::routes())
}

/// The admin: every model of the shop, with lists, search, filters and one bulk action.
pub fn admin_site() -> AdminSite {
    AdminSite::new()
        .title("Showcase shop administration")
        .register::<Category>(|c| c.list_display(["name", "slug"]).search_fields(["name"]))
        .register::<Tag>(|t| t.list_display(["name", "slug"]).search_fields(["name"]))
        .register::<Product>(|p| {
            p.list_display(["name", "category", "price", "stock", "created_at"])
                .search_fields(["name", "description", "category__name"])
                .list_filter(["category", "created_at"])
                .optional(["description"])
                .readonly_fields(["created_at"])
                .action("mark_sold_out", "Mark selected products as sold out", mark_sold_out)
        })
        .register::<Review>(|r| {
            r.list_display(["product", "author", "rating", "created_at"])
                .search_fields(["body", "product__name", "author__username"])
                .list_filter(["product", "created_at"])
                .readonly_fields(["created_at"])
        })
}

/// The admin's bulk action: stock 0 for the selected products.
async fn mark_sold_out(db: Db, products: Vec<Product>) -> quiver::orm::Result<String> {
    let ids: Vec<i64> = products.iter().map(|p| p.id.value()).collect();
    let n = Product::objects()
        .filter(Product::ID.in_(ids))
        .update()
        .set(Product::STOCK, 0)
        .execute(&db)
        .await?;
    Ok(format!("{n} products marked as sold out."))
}
