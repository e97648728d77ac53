//! Permissions: `add_`, `change_`, `delete_` and `view_` for every model, custom ones, given to
//! users directly or through groups; superusers have them all.

use std::any::Any;
use std::collections::HashSet;

use quiver_orm::{Db, Model, ModelMeta};

use crate::config::Auth;
use crate::models::{Group, Permission, User};

/// Creates the missing default permissions of `models` (labelled `app_label`) and the custom
/// `custom` ones (`(app_label, codename, name)`); how many were created. `migrate` runs it for
/// every app, with the custom permissions declared on [`Auth::custom_permission`].
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use quiver_auth::{Auth, Permission};
/// use quiver_orm::prelude::*;
///
/// let db = Db::connect("sqlite::memory:").await.unwrap();
/// quiver_orm::schema::create_tables(&db, &quiver_auth::models()).await.unwrap();
/// let auth = Auth::new(&db, [0u8; 32]).custom_permission("auth", "export_user", "Can export users");
/// let made = auth.sync_permissions(&[("auth", quiver_auth::models())]).await.unwrap();
/// assert_eq!(made, 6 * 4 + 1);
/// assert_eq!(auth.sync_permissions(&[("auth", quiver_auth::models())]).await.unwrap(), 0);
/// assert!(Permission::objects().filter(Permission::CODENAME.eq("view_user")).exists(&db).await.unwrap());
/// # });
/// ```
pub async fn sync_permissions(
    db: &Db,
    apps: &[(&str, Vec<&'static ModelMeta>)],
    custom: &[(String, String, String)],
) -> quiver_orm::Result<u64> {
    let mut wanted: Vec<(String, String, String)> = Vec::new();
    for (label, models) in apps {
        for meta in models {
            let model = meta.name.to_lowercase();
            for action in ["add", "change", "delete", "view"] {
                wanted.push((
                    (*label).to_owned(),
                    format!("{action}_{model}"),
                    format!("Can {action} {}", meta.verbose_name),
                ));
            }
        }
    }
    wanted.extend(custom.iter().cloned());
    let existing: HashSet<(String, String)> = Permission::objects()
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.app_label, p.codename))
        .collect();
    let mut made = 0;
    let mut seen = HashSet::new();
    for (app_label, codename, name) in wanted {
        let key = (app_label.clone(), codename.clone());
        if existing.contains(&key) || !seen.insert(key) {
            continue;
        }
        Permission { id: Default::default(), app_label, codename, name }.insert(db).await?;
        made += 1;
    }
    Ok(made)
}

/// Inactive users have no permission and active superusers every one; `None` when the user's
/// permissions must be read.
pub(crate) fn decided_by_flags(user: &User) -> Option<bool> {
    if !user.is_active {
        Some(false)
    } else if user.is_superuser {
        Some(true)
    } else {
        None
    }
}

/// Every permission `user` has, as `app_label.codename` (directly and through groups).
pub async fn user_permissions(db: &Db, user: &User) -> quiver_orm::Result<HashSet<String>> {
    let mut names: HashSet<String> =
        user.user_permissions.query().all(db).await?.iter().map(Permission::full_name).collect();
    let groups = user.groups.query().prefetch_related(Group::PERMISSIONS).all(db).await?;
    for group in groups {
        names.extend(
            group.permissions.loaded().unwrap_or_default().iter().map(Permission::full_name),
        );
    }
    Ok(names)
}

impl Auth {
    /// [`sync_permissions`] with this app's custom permissions.
    pub async fn sync_permissions(
        &self,
        apps: &[(&str, Vec<&'static ModelMeta>)],
    ) -> quiver_orm::Result<u64> {
        sync_permissions(&self.db, apps, &self.custom_permissions).await
    }

    /// Whether `user` has permission `perm` (`"blog.change_article"`): active superusers have
    /// all; inactive users none.
    pub async fn has_perm(&self, user: &User, perm: &str) -> quiver_orm::Result<bool> {
        if let Some(decided) = decided_by_flags(user) {
            return Ok(decided);
        }
        Ok(user_permissions(&self.db, user).await?.contains(perm))
    }

    /// Whether `user` may do `perm` to `object`: the model-wide permission, or else a rule
    /// added with [`Auth::object_permission`] that grants it (a rule that denies wins).
    pub async fn has_object_perm(
        &self,
        user: &User,
        perm: &str,
        object: &(dyn Any + Send + Sync),
    ) -> quiver_orm::Result<bool> {
        if self.has_perm(user, perm).await? {
            return Ok(true);
        }
        if !user.is_active {
            return Ok(false);
        }
        let answers: Vec<Option<bool>> =
            self.object_rules.iter().map(|rule| rule(user, perm, object)).collect();
        Ok(!answers.contains(&Some(false)) && answers.contains(&Some(true)))
    }

    /// Gives `user` permission `perm` (`app_label.codename`, which must exist).
    pub async fn grant(&self, user: &User, perm: &str) -> quiver_orm::Result<()> {
        let permission = find(&self.db, perm).await?;
        user.user_permissions.add(&self.db, [&permission]).await
    }

    /// Gives `group` permission `perm`.
    pub async fn grant_group(&self, group: &Group, perm: &str) -> quiver_orm::Result<()> {
        let permission = find(&self.db, perm).await?;
        group.permissions.add(&self.db, [&permission]).await
    }
}

async fn find(db: &Db, perm: &str) -> quiver_orm::Result<Permission> {
    let (app_label, codename) = perm.split_once('.').ok_or_else(|| {
        quiver_orm::Error::new(quiver_orm::ErrorKind::InvalidValue {
            field: "permission".into(),
            message: format!("{perm:?} is not a permission name: write app_label.codename"),
        })
    })?;
    Permission::objects()
        .filter(Permission::APP_LABEL.eq(app_label))
        .filter(Permission::CODENAME.eq(codename))
        .get(db)
        .await
}
