//! `ManyToMany<T>`: links through a join table.

use sea_query::Value;

use crate::error::{Error, Result};
use crate::executor::Executor;
use crate::model::Model;
use crate::value::FieldType;

/// A many-to-many relation (Django's `ManyToManyField`): not a column but a join table,
/// automatic (`<table>_<field>`) or an explicit model named with `#[field(through = Model)]`.
///
/// Read it with [`ManyToMany::query`], change it with `add`/`remove`/`set`/`clear`, or load
/// it for many rows at once with `prefetch_related`.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use quiver_orm::prelude::*;
///
/// #[derive(Model, Debug, Clone)]
/// pub struct Tag {
///     pub id: Auto<i64>,
///     pub name: String,
/// }
///
/// #[derive(Model, Debug)]
/// pub struct Photo {
///     pub id: Auto<i64>,
///     pub tags: ManyToMany<Tag>,
/// }
///
/// let db = Db::connect("sqlite::memory:").await?;
/// quiver_orm::schema::create_tables(&db, &[Tag::meta(), Photo::meta()]).await?;
/// let mut cat = Tag { id: Auto::new(), name: "cat".into() };
/// cat.insert(&db).await?;
/// let mut photo = Photo { id: Auto::new(), tags: ManyToMany::new() };
/// photo.insert(&db).await?;
/// photo.tags.add(&db, [&cat]).await?;
///
/// let photos = Photo::objects().prefetch_related(Photo::TAGS).all(&db).await?;
/// assert_eq!(photos[0].tags.loaded().unwrap()[0].name, "cat");
/// assert_eq!(photo.tags.query().count(&db).await?, 1);
/// # Ok::<(), quiver_orm::Error>(())
/// # }).unwrap();
/// ```
pub struct ManyToMany<T: Model> {
    binding: Option<(Value, &'static ManyToManyMeta)>,
    loaded: Option<Vec<T>>,
}

/// The join table of a many-to-many field.
#[derive(Debug)]
pub struct ManyToManyMeta {
    /// The field's name on the owning model.
    pub name: &'static str,
    /// The owning model.
    pub owner: fn() -> &'static crate::ModelMeta,
    /// The related model.
    pub target: fn() -> &'static crate::ModelMeta,
    /// An explicit through model, if declared.
    pub through: Option<fn() -> &'static crate::ModelMeta>,
    /// The automatic join table's name (unused with an explicit through model).
    pub table: &'static str,
    /// The automatic join table's column pointing at the owner.
    pub owner_column: &'static str,
    /// The automatic join table's column pointing at the target.
    pub target_column: &'static str,
}

impl ManyToManyMeta {
    /// `(table, owner column, target column)` of the join table.
    pub fn join_table(&self) -> Result<(&'static str, &'static str, &'static str)> {
        let Some(through) = self.through else {
            return Ok((self.table, self.owner_column, self.target_column));
        };
        let through = through();
        let (owner, target) = ((self.owner)(), (self.target)());
        let column_to = |meta: &'static crate::ModelMeta, skip: Option<&str>| {
            through
                .fields
                .iter()
                .find(|f| {
                    f.relation.is_some_and(|r| (r.model)().table == meta.table)
                        && Some(f.column) != skip
                })
                .map(|f| f.column)
        };
        let owner_column = column_to(owner, None);
        let target_column = column_to(target, owner_column);
        match (owner_column, target_column) {
            (Some(o), Some(t)) => Ok((through.table, o, t)),
            _ => Err(Error::invalid(format!(
                "through model {} needs a ForeignKey to {} and one to {}",
                through.name, owner.name, target.name
            ))),
        }
    }
}

impl ManyToManyMeta {
    /// The keys of the targets linked to the owner row `owner`, as JSON (in link order).
    /// The type-erased form of [`ManyToMany::query`] for code that only has metadata, such
    /// as the admin's forms.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use quiver_orm::prelude::*;
    ///
    /// #[derive(Model, Debug, Clone)]
    /// pub struct Tag { pub id: Auto<i64> }
    ///
    /// #[derive(Model, Debug)]
    /// pub struct Photo { pub id: Auto<i64>, pub tags: ManyToMany<Tag> }
    ///
    /// let db = Db::connect("sqlite::memory:").await?;
    /// quiver_orm::schema::create_tables(&db, &[Tag::meta(), Photo::meta()]).await?;
    /// let mut tag = Tag { id: Auto::new() };
    /// tag.insert(&db).await?;
    /// let mut photo = Photo { id: Auto::new(), tags: ManyToMany::new() };
    /// photo.insert(&db).await?;
    ///
    /// let tags = &Photo::meta().many_to_many[0];
    /// tags.set_links(&db, 1i64.into(), vec![1i64.into()]).await?;
    /// assert_eq!(tags.linked(&db, 1i64.into()).await?, vec![serde_json::json!(1)]);
    /// # Ok::<(), quiver_orm::Error>(())
    /// # }).unwrap();
    /// ```
    pub async fn linked(&self, db: &impl Executor, owner: Value) -> Result<Vec<serde_json::Value>> {
        let (table, owner_column, target_column) = self.join_table()?;
        let target = (self.target)();
        let mut select = sea_query::Query::select();
        select
            .column(target_column)
            .from(table)
            .and_where(sea_query::ExprTrait::eq(sea_query::Expr::col(owner_column), owner));
        let statement = crate::executor::Statement::new(db.backend(), &select, false);
        let column_type = target.pk_field().column_type;
        crate::executor::fetch(db, statement, |row| {
            crate::query::json_column(row, 0, column_type, target.name)
        })
        .await
    }

    /// Makes `targets` (keys of the related model) the exact set of links of the owner row
    /// `owner`, in one transaction (the type-erased [`ManyToMany::set`]).
    pub async fn set_links(
        &self,
        db: &impl Executor,
        owner: Value,
        targets: Vec<Value>,
    ) -> Result<()> {
        use sea_query::ExprTrait;
        let (table, owner_column, target_column) = self.join_table()?;
        crate::instance::atomic_on(db, |tx| async move {
            let mut delete = sea_query::Query::delete();
            delete
                .from_table(table)
                .and_where(sea_query::Expr::col(owner_column).eq(owner.clone()));
            let statement = crate::executor::Statement::new(tx.backend(), &delete, true);
            crate::executor::execute(&tx, statement).await?;
            if targets.is_empty() {
                return Ok(());
            }
            let mut insert = sea_query::Query::insert();
            insert.into_table(table).columns([owner_column, target_column]);
            let mut seen = Vec::new();
            for key in targets {
                let text = format!("{key:?}");
                if seen.contains(&text) {
                    continue;
                }
                seen.push(text);
                insert
                    .values([sea_query::Expr::val(owner.clone()), sea_query::Expr::val(key)])
                    .map_err(|e| Error::invalid(e.to_string()))?;
            }
            let statement = crate::executor::Statement::new(tx.backend(), &insert, true);
            crate::executor::execute(&tx, statement).await.map(drop)
        })
        .await
    }
}

impl<T: Model> Default for ManyToMany<T> {
    fn default() -> Self {
        ManyToMany::new()
    }
}

impl<T: Model> ManyToMany<T> {
    /// An empty, unbound set (for a new instance; it is bound when the instance is saved).
    pub fn new() -> Self {
        ManyToMany { binding: None, loaded: None }
    }

    #[doc(hidden)]
    pub fn bind(&mut self, owner: Value, meta: &'static ManyToManyMeta) {
        self.binding = Some((owner, meta));
    }

    /// The related instances, if loaded with `prefetch_related`.
    pub fn loaded(&self) -> Option<&[T]> {
        self.loaded.as_deref()
    }

    #[doc(hidden)]
    pub fn set_loaded(&mut self, items: Vec<T>) {
        self.loaded = Some(items);
    }

    fn bound(&self) -> Result<(&Value, &'static ManyToManyMeta)> {
        match &self.binding {
            Some((owner, meta)) => Ok((owner, meta)),
            None => Err(Error::invalid(format!(
                "these {} links belong to an unsaved instance: save it first (it has no key yet)",
                T::meta().name
            ))),
        }
    }

    /// The related rows, as a query to refine.
    pub fn query(&self) -> crate::QuerySet<T> {
        let mut query = T::objects();
        match self.bound().and_then(|(owner, meta)| Ok((owner, meta.join_table()?))) {
            Ok((owner, (table, owner_column, target_column))) => {
                let pk = T::meta().pk_field().name;
                query.filters.push(crate::Q(crate::expr::QNode::InSubquery {
                    path: vec![std::borrow::Cow::Borrowed(pk)],
                    table,
                    select: target_column,
                    key_column: owner_column,
                    keys: vec![owner.clone()],
                }));
            }
            Err(error) => query.error = Some(error.to_string()),
        }
        query
    }

    /// Links `items` (saved instances); links that exist already are left alone.
    pub async fn add<'a>(
        &self,
        db: &impl Executor,
        items: impl IntoIterator<Item = &'a T>,
    ) -> Result<()>
    where
        T: 'a,
    {
        let (owner, meta) = self.bound()?;
        let (table, owner_column, target_column) = meta.join_table()?;
        let keys = keys_of(items)?;
        let mut seen = self.linked_keys(db).await?;
        let mut new: Vec<Value> = Vec::new();
        for key in keys {
            let text = format!("{key:?}");
            if !seen.contains(&text) {
                seen.push(text);
                new.push(key);
            }
        }
        if new.is_empty() {
            return Ok(());
        }
        let mut insert = sea_query::Query::insert();
        insert.into_table(table).columns([owner_column, target_column]);
        for key in new {
            insert
                .values([sea_query::Expr::val(owner.clone()), sea_query::Expr::val(key)])
                .map_err(|e| Error::invalid(e.to_string()))?;
        }
        let statement = crate::executor::Statement::new(db.backend(), &insert, true);
        crate::executor::execute(db, statement).await.map(drop)
    }

    /// Unlinks `items`.
    pub async fn remove<'a>(
        &self,
        db: &impl Executor,
        items: impl IntoIterator<Item = &'a T>,
    ) -> Result<u64>
    where
        T: 'a,
    {
        let keys = keys_of(items)?;
        self.delete_links(db, Some(keys)).await
    }

    /// Unlinks everything.
    pub async fn clear(&self, db: &impl Executor) -> Result<u64> {
        self.delete_links(db, None).await
    }

    /// Makes `items` the exact set of links.
    pub async fn set<'a>(
        &self,
        db: &impl Executor,
        items: impl IntoIterator<Item = &'a T>,
    ) -> Result<()>
    where
        T: 'a,
    {
        let items: Vec<&T> = items.into_iter().collect();
        // All or nothing: a failed add must not leave the links cleared.
        crate::instance::atomic_on(db, |tx| async move {
            self.clear(&tx).await?;
            self.add(&tx, items).await
        })
        .await
    }

    async fn linked_keys(&self, db: &impl Executor) -> Result<Vec<String>> {
        let (owner, meta) = self.bound()?;
        let (table, owner_column, target_column) = meta.join_table()?;
        let mut select = sea_query::Query::select();
        select
            .column(target_column)
            .from(table)
            .and_where(sea_query::ExprTrait::eq(sea_query::Expr::col(owner_column), owner.clone()));
        let statement = crate::executor::Statement::new(db.backend(), &select, false);
        crate::executor::fetch(db, statement, |row| {
            let key = T::Pk::decode(row, 0)
                .map_err(|e| Error::decode(T::meta().name, target_column, e))?;
            Ok(format!("{:?}", key.to_value()))
        })
        .await
    }

    async fn delete_links(&self, db: &impl Executor, keys: Option<Vec<Value>>) -> Result<u64> {
        use sea_query::ExprTrait;
        let (owner, meta) = self.bound()?;
        let (table, owner_column, target_column) = meta.join_table()?;
        let mut delete = sea_query::Query::delete();
        delete.from_table(table).and_where(sea_query::Expr::col(owner_column).eq(owner.clone()));
        if let Some(keys) = keys {
            if keys.is_empty() {
                return Ok(0);
            }
            delete.and_where(sea_query::Expr::col(target_column).is_in(keys));
        }
        let statement = crate::executor::Statement::new(db.backend(), &delete, true);
        Ok(crate::executor::execute(db, statement).await?.0)
    }
}

fn keys_of<'a, T: Model>(items: impl IntoIterator<Item = &'a T>) -> Result<Vec<Value>> {
    items
        .into_iter()
        .map(|item| {
            item.pk().map(|pk| pk.to_value()).ok_or_else(|| {
                Error::invalid(format!("save the {} before linking it", T::meta().name))
            })
        })
        .collect()
}

impl<T: Model> std::fmt::Debug for ManyToMany<T>
where
    T: std::fmt::Debug,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.loaded {
            Some(items) => f.debug_list().entries(items).finish(),
            None => f.write_str("ManyToMany(<not loaded>)"),
        }
    }
}

impl<T: Model + Clone> Clone for ManyToMany<T> {
    fn clone(&self) -> Self {
        ManyToMany { binding: self.binding.clone(), loaded: self.loaded.clone() }
    }
}

/// Serializes as the list of related keys when loaded, `null` otherwise.
impl<T: Model> serde::Serialize for ManyToMany<T>
where
    T::Pk: serde::Serialize,
{
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        match &self.loaded {
            Some(items) => serializer.collect_seq(items.iter().filter_map(|item| item.pk())),
            None => serializer.serialize_none(),
        }
    }
}

impl<T: Model> schemars::JsonSchema for ManyToMany<T>
where
    T::Pk: schemars::JsonSchema,
{
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("ManyToMany_{}", T::Pk::schema_name()).into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut schema = <Option<Vec<T::Pk>>>::json_schema(generator);
        schema.insert(
            "description".into(),
            format!("Keys of the related {} rows.", T::meta().name).into(),
        );
        schema.insert("readOnly".into(), true.into());
        schema
    }
    fn inline_schema() -> bool {
        true
    }
}
