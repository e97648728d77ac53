//! Relation fields: `ForeignKey<T>` and `OneToOne<T>`.

use std::any::Any;
use std::sync::Arc;

use sea_query::Value;

use crate::error::{Error, Result};
use crate::executor::Executor;
use crate::model::Model;
use crate::row::{DecodeError, Row};
use crate::value::{ColumnType, FieldType};

/// A many-to-one relation: the column holds the key of a `T` row (`author_id`).
///
/// The related instance is loaded on demand: [`ForeignKey::get`] returns it when the query
/// used `select_related` or `prefetch_related`, [`ForeignKey::fetch`] reads it.
/// It serializes as the key alone.
///
/// ```
/// use quiver_orm::prelude::*;
///
/// #[derive(Model, Debug, Clone)]
/// pub struct Author {
///     pub id: Auto<i64>,
///     pub name: String,
/// }
///
/// #[derive(Model, Debug, Clone)]
/// pub struct Book {
///     pub id: Auto<i64>,
///     #[field(on_delete = cascade, related_name = "books")]
///     pub author: ForeignKey<Author>,
/// }
///
/// let book = Book { id: Auto::new(), author: ForeignKey::new(3) };
/// assert_eq!(*book.author.id(), 3);
/// assert!(book.author.get().is_none()); // not loaded
/// assert_eq!(Book::meta().field("author").unwrap().column, "author_id");
/// ```
pub struct ForeignKey<T: Model> {
    id: T::Pk,
    instance: Option<Arc<T>>,
}

/// A one-to-one relation: a foreign key with a unique constraint (Django's `OneToOneField`).
pub type OneToOne<T> = ForeignKey<T>;

impl<T: Model> ForeignKey<T> {
    /// Points at the row with key `id`.
    pub fn new(id: impl Into<T::Pk>) -> Self {
        ForeignKey { id: id.into(), instance: None }
    }

    /// Points at a saved instance (and keeps it, so `get` returns it).
    ///
    /// Errors when `instance` has not been saved.
    pub fn to(instance: T) -> Result<Self> {
        let id = instance.pk().ok_or_else(|| {
            Error::invalid(format!(
                "this {} has not been saved, so nothing can point at it",
                T::meta().name
            ))
        })?;
        Ok(ForeignKey { id, instance: Some(Arc::new(instance)) })
    }

    /// The related row's key.
    pub fn id(&self) -> &T::Pk {
        &self.id
    }

    /// The related instance, if the query loaded it (`select_related`/`prefetch_related`).
    pub fn get(&self) -> Option<&T> {
        self.instance.as_deref()
    }

    /// Reads the related instance (one query), whether or not it was loaded.
    pub async fn fetch(&self, db: &impl Executor) -> Result<T> {
        let pk = T::meta().pk_field().name;
        T::objects().filter_path(pk, self.id.to_value()).get(db).await
    }

    /// Reads the related instance unless already loaded, keeps it and returns it.
    pub async fn load(&mut self, db: &impl Executor) -> Result<&T> {
        if self.instance.is_none() {
            self.instance = Some(Arc::new(self.fetch(db).await?));
        }
        Ok(self.instance.as_deref().expect("just loaded"))
    }
}

impl<T: Model> Clone for ForeignKey<T> {
    fn clone(&self) -> Self {
        ForeignKey { id: self.id.clone(), instance: self.instance.clone() }
    }
}

impl<T: Model> PartialEq for ForeignKey<T> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl<T: Model> Eq for ForeignKey<T> {}

impl<T: Model> std::hash::Hash for ForeignKey<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

impl<T: Model> std::fmt::Debug for ForeignKey<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ForeignKey<{}>({:?})", T::meta().name, self.id)
    }
}

impl<T: Model> FieldType for ForeignKey<T> {
    const COLUMN: ColumnType = <T::Pk as FieldType>::COLUMN;
    type Lookup = <T::Pk as FieldType>::Lookup;
    fn to_value(&self) -> Value {
        self.id.to_value()
    }
    fn null_value() -> Value {
        T::Pk::null_value()
    }
    fn decode_opt(row: &Row<'_>, index: usize) -> Result<Option<Self>, DecodeError> {
        Ok(T::Pk::decode_opt(row, index)?.map(|id| ForeignKey { id, instance: None }))
    }
}

impl<T: Model> serde::Serialize for ForeignKey<T>
where
    T::Pk: serde::Serialize,
{
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        self.id.serialize(serializer)
    }
}

impl<'de, T: Model> serde::Deserialize<'de> for ForeignKey<T>
where
    T::Pk: serde::Deserialize<'de>,
{
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        T::Pk::deserialize(deserializer).map(|id| ForeignKey { id, instance: None })
    }
}

impl<T: Model> schemars::JsonSchema for ForeignKey<T>
where
    T::Pk: schemars::JsonSchema,
{
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::Pk::schema_name()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut schema = T::Pk::json_schema(generator);
        schema.insert("description".into(), format!("The key of a {}.", T::meta().name).into());
        schema
    }
    fn inline_schema() -> bool {
        true
    }
}

/// One relation to read from the joined columns of a row (`select_related`): its field name,
/// where its columns start, and the relations below it.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The relation field's name on its parent model.
    pub name: &'static str,
    /// The first column of the related model in the row.
    pub offset: usize,
    /// Relations of the related model to load too.
    pub children: Vec<Loaded>,
}

impl Loaded {
    /// Builds the tree under `prefix` from `(path, offset)` pairs.
    pub(crate) fn tree(
        flat: &[(Vec<&'static str>, usize)],
        prefix: &[&'static str],
    ) -> Vec<Loaded> {
        flat.iter()
            .filter(|(path, _)| path.len() == prefix.len() + 1 && path.starts_with(prefix))
            .map(|(path, offset)| Loaded {
                name: path[prefix.len()],
                offset: *offset,
                children: Loaded::tree(flat, path),
            })
            .collect()
    }
}

/// What the derive calls on relation fields; implemented for `ForeignKey<T>` and
/// `Option<ForeignKey<T>>`.
#[doc(hidden)]
pub trait RelationField: Send + Sync {
    /// The related model.
    type Target: Model;
    /// The stored key, `None` for a NULL key.
    fn key_value(&self) -> Option<Value>;
    /// The stored key, typed.
    fn key(&self) -> Option<&<Self::Target as Model>::Pk>;
    /// Reads the related instance (and its own loaded relations) from a joined row.
    fn load_from_row(&mut self, loaded: &Loaded, row: &Row<'_>) -> Result<()>;
    /// Stores a fetched instance; false when it is not a `Target`.
    fn set_instance(&mut self, instance: Arc<dyn Any + Send + Sync>) -> bool;
}

impl<T: Model> RelationField for ForeignKey<T> {
    type Target = T;
    fn key_value(&self) -> Option<Value> {
        Some(self.id.to_value())
    }
    fn key(&self) -> Option<&T::Pk> {
        Some(&self.id)
    }
    fn load_from_row(&mut self, loaded: &Loaded, row: &Row<'_>) -> Result<()> {
        let mut instance = T::from_row(row, loaded.offset)?;
        for child in &loaded.children {
            instance.load_related(child, row)?;
        }
        self.instance = Some(Arc::new(instance));
        Ok(())
    }
    fn set_instance(&mut self, instance: Arc<dyn Any + Send + Sync>) -> bool {
        match instance.downcast::<T>() {
            Ok(instance) => {
                self.instance = Some(instance);
                true
            }
            Err(_) => false,
        }
    }
}

impl<T: Model> RelationField for Option<ForeignKey<T>> {
    type Target = T;
    fn key_value(&self) -> Option<Value> {
        self.as_ref().map(|fk| fk.id.to_value())
    }
    fn key(&self) -> Option<&T::Pk> {
        self.as_ref().map(|fk| &fk.id)
    }
    fn load_from_row(&mut self, loaded: &Loaded, row: &Row<'_>) -> Result<()> {
        match self {
            Some(fk) => fk.load_from_row(loaded, row),
            None => Ok(()),
        }
    }
    fn set_instance(&mut self, instance: Arc<dyn Any + Send + Sync>) -> bool {
        match self {
            Some(fk) => fk.set_instance(instance),
            None => false,
        }
    }
}

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

/// The rows of another model whose foreign key points at this one (Django's reverse
/// accessor, `author.articles`). Declare it as a field; `#[field(via = "author")]` names the
/// foreign key when the other model has several pointing here.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use quiver_orm::prelude::*;
///
/// #[derive(Model, Debug)]
/// pub struct Author {
///     pub id: Auto<i64>,
///     pub name: String,
///     pub books: Reverse<Book>,
/// }
///
/// #[derive(Model, Debug)]
/// pub struct Book {
///     pub id: Auto<i64>,
///     pub author: ForeignKey<Author>,
/// }
///
/// let db = Db::connect("sqlite::memory:").await?;
/// quiver_orm::schema::create_tables(&db, &[Author::meta(), Book::meta()]).await?;
/// let mut ada = Author { id: Auto::new(), name: "Ada".into(), books: Reverse::new() };
/// ada.insert(&db).await?;
/// Book { id: Auto::new(), author: ForeignKey::new(ada.id.value()) }.insert(&db).await?;
///
/// assert_eq!(ada.books.query().count(&db).await?, 1);
/// let authors = Author::objects().prefetch_related(Author::BOOKS).all(&db).await?;
/// assert_eq!(authors[0].books.loaded().unwrap().len(), 1);
/// # Ok::<(), quiver_orm::Error>(())
/// # }).unwrap();
/// ```
pub struct Reverse<T: Model> {
    binding: Option<(Value, &'static ReverseMeta)>,
    loaded: Option<Vec<T>>,
}

/// Where a reverse relation points.
#[derive(Debug)]
pub struct ReverseMeta {
    /// The field's name on the owning model.
    pub name: &'static str,
    /// The owning model.
    pub owner: fn() -> &'static crate::ModelMeta,
    /// The model holding the foreign key.
    pub source: fn() -> &'static crate::ModelMeta,
    /// The foreign key's field name on the source model (`""`: the only one pointing here).
    pub via: &'static str,
}

impl ReverseMeta {
    /// The foreign key field on the source model.
    pub fn via_field(&self) -> Result<&'static crate::FieldMeta> {
        let source = (self.source)();
        let owner = (self.owner)();
        if !self.via.is_empty() {
            return source.field_or_err(self.via);
        }
        let mut candidates = source
            .fields
            .iter()
            .filter(|f| f.relation.is_some_and(|r| (r.model)().table == owner.table));
        match (candidates.next(), candidates.next()) {
            (Some(field), None) => Ok(field),
            (None, _) => {
                Err(Error::invalid(format!("{} has no ForeignKey to {}", source.name, owner.name)))
            }
            (Some(_), Some(_)) => Err(Error::invalid(format!(
                "{} has several ForeignKeys to {}: name one with #[field(via = \"...\")] on {}.{}",
                source.name, owner.name, owner.name, self.name
            ))),
        }
    }
}

impl<T: Model> Default for Reverse<T> {
    fn default() -> Self {
        Reverse::new()
    }
}

impl<T: Model> Reverse<T> {
    /// An unbound set (for a new instance; bound when the instance is saved).
    pub fn new() -> Self {
        Reverse { binding: None, loaded: None }
    }

    #[doc(hidden)]
    pub fn bind(&mut self, owner: Value, meta: &'static ReverseMeta) {
        self.binding = Some((owner, meta));
    }

    #[doc(hidden)]
    pub fn set_loaded(&mut self, items: Vec<T>) {
        self.loaded = Some(items);
    }

    /// The related instances, if loaded with `prefetch_related`.
    pub fn loaded(&self) -> Option<&[T]> {
        self.loaded.as_deref()
    }

    /// The related rows, as a query to refine.
    pub fn query(&self) -> crate::QuerySet<T> {
        let query = T::objects();
        let Some((owner, meta)) = &self.binding else {
            let mut query = query;
            query.error = Some(format!("save the owner before reading its {}", T::meta().name));
            return query;
        };
        match meta.via_field() {
            Ok(field) => query.filter_path(field.name, owner.clone()),
            Err(error) => {
                let mut query = query;
                query.error = Some(error.to_string());
                query
            }
        }
    }
}

impl<T: Model + std::fmt::Debug> std::fmt::Debug for Reverse<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.loaded {
            Some(items) => f.debug_list().entries(items).finish(),
            None => f.write_str("Reverse(<not loaded>)"),
        }
    }
}

impl<T: Model + Clone> Clone for Reverse<T> {
    fn clone(&self) -> Self {
        Reverse { binding: self.binding.clone(), loaded: self.loaded.clone() }
    }
}

/// Relation fields `prefetch_related` accepts.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be prefetched",
    note = "prefetch_related takes a ForeignKey, OneToOne, ManyToMany or Reverse field"
)]
pub trait Prefetch {}
impl<T: Model> Prefetch for ForeignKey<T> {}
impl<T: Model> Prefetch for Option<ForeignKey<T>> {}
impl<T: Model> Prefetch for ManyToMany<T> {}
impl<T: Model> Prefetch for Reverse<T> {}

/// Loads relation `name` for every row: one query for all of them.
pub(crate) async fn prefetch<M: Model>(
    executor: &impl Executor,
    rows: &mut [M],
    name: &str,
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    M::prefetch(rows, name, executor).await
}

/// `prefetch_related` of a foreign key: `SELECT ... WHERE pk IN (keys)`.
#[doc(hidden)]
pub async fn prefetch_foreign_key<M, R, E>(
    rows: &mut [M],
    field: fn(&mut M) -> &mut R,
    executor: &E,
) -> Result<()>
where
    M: Model,
    R: RelationField,
    E: Executor,
{
    use std::collections::HashMap;
    let mut keys: Vec<<R::Target as Model>::Pk> = Vec::new();
    for row in rows.iter_mut() {
        if let Some(key) = field(row).key()
            && !keys.contains(key)
        {
            keys.push(key.clone());
        }
    }
    if keys.is_empty() {
        return Ok(());
    }
    let pk = R::Target::meta().pk_field().name;
    let mut found: HashMap<<R::Target as Model>::Pk, Arc<R::Target>> = HashMap::new();
    for chunk in keys.chunks(10_000) {
        let query = R::Target::objects()
            .filter(crate::Q::path_in(format!("{pk}__in"), chunk.iter().map(|k| k.to_value())));
        for item in query.unordered().all(executor).await? {
            if let Some(key) = item.pk() {
                found.insert(key, Arc::new(item));
            }
        }
    }
    for row in rows.iter_mut() {
        let relation = field(row);
        if let Some(item) = relation.key().and_then(|key| found.get(key)) {
            relation.set_instance(item.clone() as Arc<dyn Any + Send + Sync>);
        }
    }
    Ok(())
}

/// `prefetch_related` of a many-to-many field: one query joining the join table.
#[doc(hidden)]
pub async fn prefetch_many_to_many<M, T, E>(
    rows: &mut [M],
    field: fn(&mut M) -> &mut ManyToMany<T>,
    meta: &'static ManyToManyMeta,
    executor: &E,
) -> Result<()>
where
    M: Model,
    T: Model,
    E: Executor,
{
    use sea_query::{Alias, Expr, ExprTrait, JoinType, Query};
    use std::collections::HashMap;
    let (table, owner_column, target_column) = meta.join_table()?;
    let keys: Vec<M::Pk> = rows.iter().filter_map(|r| r.pk()).collect();
    let target = T::meta();
    let mut grouped: HashMap<M::Pk, Vec<T>> = HashMap::new();
    for chunk in keys.chunks(10_000) {
        let mut select = Query::select();
        select.from(target.table);
        for f in target.fields {
            select.column((Alias::new(target.table), f.column));
        }
        select.column((Alias::new("m2m"), owner_column));
        select.join_as(
            JoinType::InnerJoin,
            table,
            Alias::new("m2m"),
            Expr::col((Alias::new("m2m"), target_column))
                .equals((Alias::new(target.table), target.pk_field().column)),
        );
        select.and_where(
            Expr::col((Alias::new("m2m"), owner_column)).is_in(chunk.iter().map(|k| k.to_value())),
        );
        let n = target.fields.len();
        let statement = crate::executor::Statement::new(executor.backend(), &select, false);
        let pairs = crate::executor::fetch(executor, statement, |row| {
            let item = T::from_row(row, 0)?;
            let owner = M::Pk::decode(row, n)
                .map_err(|e| Error::decode(M::meta().name, owner_column, e))?;
            Ok((owner, item))
        })
        .await?;
        for (owner, item) in pairs {
            grouped.entry(owner).or_default().push(item);
        }
    }
    for row in rows.iter_mut() {
        let items = row.pk().and_then(|k| grouped.remove(&k)).unwrap_or_default();
        field(row).set_loaded(items);
    }
    Ok(())
}

/// `prefetch_related` of a reverse relation: `SELECT ... WHERE fk IN (keys)`.
#[doc(hidden)]
pub async fn prefetch_reverse<M, T, E>(
    rows: &mut [M],
    field: fn(&mut M) -> &mut Reverse<T>,
    meta: &'static ReverseMeta,
    executor: &E,
) -> Result<()>
where
    M: Model,
    T: Model,
    E: Executor,
{
    use std::collections::HashMap;
    let via = meta.via_field()?;
    let keys: Vec<M::Pk> = rows.iter().filter_map(|r| r.pk()).collect();
    let mut grouped: HashMap<String, Vec<T>> = HashMap::new();
    for chunk in keys.chunks(10_000) {
        let values: Vec<Value> = chunk.iter().map(|k| k.to_value()).collect();
        let items = T::objects()
            .filter(crate::Q::path_in(format!("{}__in", via.name), values))
            .all(executor)
            .await?;
        for item in items {
            if let Some(key) = item.related_key(via.name) {
                grouped.entry(format!("{key:?}")).or_default().push(item);
            }
        }
    }
    for row in rows.iter_mut() {
        let key = row.pk().map(|k| format!("{:?}", k.to_value()));
        let items = key.and_then(|k| grouped.remove(&k)).unwrap_or_default();
        field(row).set_loaded(items);
    }
    Ok(())
}
