//! The `Model` trait and the metadata `#[derive(Model)]` writes for each model.

use std::any::Any;
use std::hash::Hash;
use std::sync::Arc;

use sea_query::Value;

use crate::error::{Error, Result};
use crate::executor::Executor;
use crate::expr::Q;
use crate::query::QuerySet;
use crate::row::Row;
use crate::value::{ColumnType, FieldType};

/// A database table declared as a Rust struct. Derive it: `#[derive(Model)]`.
///
/// ```
/// use quiver_orm::prelude::*;
///
/// /// A published article.
/// #[derive(Model, Debug, Clone)]
/// #[model(table = "blog_article", ordering = ["-id"])]
/// pub struct Article {
///     pub id: Auto<i64>,
///     #[field(max_length = 200, unique)]
///     pub title: String,
///     /// Shown on the front page when true.
///     #[field(default = false)]
///     pub featured: bool,
/// }
///
/// assert_eq!(Article::meta().table, "blog_article");
/// assert_eq!(Article::meta().field("title").unwrap().max_length, Some(200));
/// let _query = Article::objects().filter(Article::TITLE.icontains("rust"));
/// ```
///
/// Struct attributes (`#[model(...)]`): `table = "..."` (default: the snake_case struct name),
/// `ordering = ["-created_at", "id"]`, `unique_together = [["a", "b"]]`,
/// `index_together = [["a", "b"]]`, `check(name = "...", sql = "...")`,
/// `verbose_name = "..."`, `verbose_name_plural = "..."`.
///
/// Field attributes (`#[field(...)]`): `primary_key`, `unique`, `index`, `max_length = N`,
/// `max_digits = N`, `decimal_places = N`, `default = <expr>`, `db_column = "..."`,
/// `auto_now`, `auto_now_add`, `help_text = "..."` (else the doc comment),
/// `on_delete = cascade|protect|restrict|set_null|set_default|do_nothing` (relations),
/// `related_name = "..."`, `skip` (a plain struct field that is not a column).
pub trait Model: Sized + Send + Sync + Unpin + 'static {
    /// The primary key's type (`i64` for `Auto<i64>`).
    type Pk: FieldType + Clone + Eq + Hash + std::fmt::Debug;

    /// The model's table, fields and options.
    fn meta() -> &'static ModelMeta;

    /// Reads one instance from `row`, its columns in field order starting at `offset`.
    fn from_row(row: &Row<'_>, offset: usize) -> Result<Self>;

    /// The column values in field order (relations give their key).
    fn to_values(&self) -> Vec<Value>;

    /// The primary key, `None` for an `Auto` key not yet saved.
    fn pk(&self) -> Option<Self::Pk>;

    /// Sets the primary key (after an insert filled an `Auto` key).
    fn set_pk(&mut self, pk: Self::Pk);

    /// Sets an `Auto` key from the integer a backend reported (MySQL's last insert id).
    #[doc(hidden)]
    fn set_auto_pk(&mut self, id: i64);

    /// Called by `save` before writing: fills `auto_now`/`auto_now_add` fields.
    fn pre_save(&mut self, adding: bool);

    /// Field checks shared with the API layer: max lengths, NULLs. [`Model::full_clean`]
    /// runs them.
    fn check_fields(&self) -> Vec<crate::error::validator_errors::FieldError>;

    /// Loads a related instance (and the relations below it) from the columns of `row`
    /// (`select_related`). Returns false when it names no relation of this model.
    #[doc(hidden)]
    fn load_related(&mut self, loaded: &crate::relations::Loaded, row: &Row<'_>) -> Result<bool>;

    /// The key stored in relation field `field`, if set.
    #[doc(hidden)]
    fn related_key(&self, field: &str) -> Option<Value>;

    /// Stores a fetched related instance into relation field `field` (`prefetch_related`).
    #[doc(hidden)]
    fn set_related(&mut self, field: &str, instance: Arc<dyn Any + Send + Sync>) -> bool;

    /// Binds `ManyToMany`/`Reverse` fields to this instance's key.
    #[doc(hidden)]
    fn bind_relation_sets(&mut self);

    /// Takes the column values of `fresh`, keeping `skip` fields (`refresh_from_db`).
    #[doc(hidden)]
    fn refresh_from(&mut self, fresh: Self);

    /// Loads relation `field` for all `rows` (`prefetch_related`).
    #[doc(hidden)]
    fn prefetch<'a, E: Executor>(
        rows: &'a mut [Self],
        field: &'a str,
        executor: &'a E,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<()>> + Send + 'a>>;

    /// A lazy query over all rows of this model.
    fn objects() -> QuerySet<Self> {
        QuerySet::new()
    }

    /// `INSERT`s this instance; an unset `Auto` key is filled from the database.
    fn insert(&mut self, db: &impl Executor) -> impl Future<Output = Result<()>> + Send {
        crate::instance::insert(self, db)
    }

    /// Saves this instance: `INSERT` when it has no key yet, else `UPDATE` (and `INSERT` when
    /// no row has its key). Fills `auto_now`/`auto_now_add` fields.
    fn save(&mut self, db: &impl Executor) -> impl Future<Output = Result<()>> + Send {
        crate::instance::save(self, db)
    }

    /// Deletes this instance's row (relations act as their `on_delete` says); returns the
    /// number of rows deleted (0 when it was already gone).
    fn delete(&self, db: &impl Executor) -> impl Future<Output = Result<u64>> + Send {
        crate::instance::delete(self, db)
    }

    /// Reloads every column from the database (fields marked `skip` keep their values;
    /// loaded relations are dropped, as in Django).
    fn refresh_from_db(&mut self, db: &impl Executor) -> impl Future<Output = Result<()>> + Send {
        crate::instance::refresh(self, db)
    }

    /// Inserts many instances in as few statements as possible; returns them with their keys
    /// (except on MySQL, which does not report them for multi-row inserts).
    fn bulk_create(
        db: &impl Executor,
        instances: Vec<Self>,
    ) -> impl Future<Output = Result<Vec<Self>>> + Send {
        crate::instance::bulk_create(instances, db)
    }

    /// Writes the named fields of many saved instances in one statement per batch
    /// (`CASE pk WHEN ...`); returns the number of rows changed.
    fn bulk_update<'a>(
        db: &'a impl Executor,
        instances: &'a [Self],
        fields: &'a [&'a str],
    ) -> impl Future<Output = Result<u64>> + Send + 'a {
        crate::instance::bulk_update(instances, fields, db)
    }

    /// The row matching `q`, or a new one made by `create` and inserted; `true` when created.
    fn get_or_create(
        db: &impl Executor,
        q: Q,
        create: impl FnOnce() -> Self + Send,
    ) -> impl Future<Output = Result<(Self, bool)>> + Send {
        crate::instance::get_or_create(db, q, create)
    }

    /// The row matching `q` changed by `update` and saved, or a new one made by `create`;
    /// `true` when created. Run it in a transaction to lock the row while updating.
    fn update_or_create(
        db: &impl Executor,
        q: Q,
        update: impl FnOnce(&mut Self) + Send,
        create: impl FnOnce() -> Self + Send,
    ) -> impl Future<Output = Result<(Self, bool)>> + Send {
        crate::instance::update_or_create(db, q, update, create)
    }

    /// Inserts a row from `(field name, value)` pairs and returns it as read back from the
    /// database, for code that only has names and values (the admin's add form). Fields not
    /// given take their default, `NULL` when nullable, or now for `auto_now`/`auto_now_add`;
    /// an unknown name, or a required field left out, is an error naming it.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use quiver_orm::prelude::*;
    ///
    /// #[derive(Model, Debug)]
    /// pub struct Post {
    ///     pub id: Auto<i64>,
    ///     pub title: String,
    ///     #[field(default = 0)]
    ///     pub views: i64,
    /// }
    ///
    /// let db = Db::connect("sqlite::memory:").await?;
    /// quiver_orm::schema::create_tables(&db, &[Post::meta()]).await?;
    /// let post = Post::create_from_values(&db, vec![("title".into(), "Hi".into())]).await?;
    /// assert_eq!((post.id.value(), post.title.as_str(), post.views), (1, "Hi", 0));
    /// let error = Post::create_from_values(&db, vec![]).await.unwrap_err();
    /// assert!(error.to_string().contains("title"));
    /// # Ok::<(), quiver_orm::Error>(())
    /// # }).unwrap();
    /// ```
    fn create_from_values(
        db: &impl Executor,
        values: Vec<(String, Value)>,
    ) -> impl Future<Output = Result<Self>> + Send {
        crate::instance::create_from_values(db, values)
    }

    /// Instances from hand-written SQL that selects this model's columns in field order.
    /// Values are bound to the placeholders, never spliced into the text.
    fn raw(
        db: &impl Executor,
        sql: &str,
        values: impl IntoIterator<Item = Value>,
    ) -> impl Future<Output = Result<Vec<Self>>> + Send {
        crate::instance::raw(db, sql, values.into_iter().collect())
    }

    /// Runs the field checks and returns every problem at once, in field order: the
    /// constraints of validator's `#[validate(...)]` when the model also derives `Validate`
    /// (the same ones the API checks), then the columns' own limits (max length, decimal
    /// digits).
    ///
    /// ```
    /// use quiver_orm::prelude::*;
    ///
    /// #[derive(Model, Debug)]
    /// pub struct Tag {
    ///     pub id: Auto<i64>,
    ///     #[field(max_length = 3)]
    ///     pub name: String,
    /// }
    ///
    /// let tag = Tag { id: Auto::new(), name: "toolong".into() };
    /// let error = tag.full_clean().unwrap_err();
    /// assert_eq!(error.to_string(), "invalid field values: name: ensure this value has at most 3 characters (it has 7)");
    /// ```
    fn full_clean(&self) -> Result<()> {
        let errors = self.check_fields();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(Error::new(crate::ErrorKind::Validation(errors)))
        }
    }
}

/// What `#[derive(Model)]` knows about a model, for the query compiler, the schema and
/// migration writers and the admin.
#[derive(Debug)]
pub struct ModelMeta {
    /// The struct's name.
    pub name: &'static str,
    /// The table.
    pub table: &'static str,
    /// The columns, in declaration order.
    pub fields: &'static [FieldMeta],
    /// Index of the primary key in `fields`.
    pub pk: usize,
    /// Default ordering, Django-style (`"-created_at"`).
    pub ordering: &'static [&'static str],
    /// Composite unique constraints, by field name.
    pub unique_together: &'static [&'static [&'static str]],
    /// Composite indexes, by field name.
    pub index_together: &'static [&'static [&'static str]],
    /// Check constraints: `(name, SQL expression)`, written by the developer.
    pub checks: &'static [(&'static str, &'static str)],
    /// Human name.
    pub verbose_name: &'static str,
    /// Human plural name.
    pub verbose_name_plural: &'static str,
    /// Many-to-many fields (join tables).
    pub many_to_many: &'static [crate::relations::ManyToManyMeta],
    /// Reverse relations declared on this model.
    pub reverse: &'static [crate::relations::ReverseMeta],
    /// The struct's doc comment.
    pub doc: &'static str,
    /// The model's previous name, for the migration autodetector.
    pub renamed_from: Option<&'static str>,
}

impl ModelMeta {
    /// The field named `name`.
    pub fn field(&self, name: &str) -> Option<&'static FieldMeta> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The primary key field.
    pub fn pk_field(&self) -> &'static FieldMeta {
        &self.fields[self.pk]
    }

    /// The field named `name`, or the error naming the model and the unknown field.
    pub fn field_or_err(&self, name: &str) -> Result<&'static FieldMeta> {
        self.field(name).ok_or_else(|| Error::unknown_field(self.name, name))
    }
}

/// One column of a model.
#[derive(Debug)]
pub struct FieldMeta {
    /// The Rust field's name.
    pub name: &'static str,
    /// The column (`author_id` for a relation `author`).
    pub column: &'static str,
    /// The portable column type.
    pub column_type: ColumnType,
    /// Accepts NULL.
    pub nullable: bool,
    /// Is the primary key.
    pub primary_key: bool,
    /// Filled by the database on insert (`Auto<_>`).
    pub auto_increment: bool,
    /// Unique constraint.
    pub unique: bool,
    /// Plain index.
    pub index: bool,
    /// `VARCHAR(n)` and a length check.
    pub max_length: Option<u32>,
    /// Decimal precision.
    pub max_digits: Option<u8>,
    /// Decimal scale.
    pub decimal_places: Option<u8>,
    /// The default, as a bound value.
    pub default: Option<fn() -> Value>,
    /// The default is a literal, so it is also written into the DDL.
    pub db_default: bool,
    /// Set to now on every save.
    pub auto_now: bool,
    /// Set to now on insert.
    pub auto_now_add: bool,
    /// Help text (the doc comment unless given).
    pub help_text: &'static str,
    /// Stored choices `(value, label)` for enum fields.
    pub choices: &'static [(&'static str, &'static str)],
    /// Set for `ForeignKey`/`OneToOne`.
    pub relation: Option<RelationMeta>,
    /// The field's previous name, for the migration autodetector.
    pub renamed_from: Option<&'static str>,
}

impl FieldMeta {
    /// The value an `auto_now`/`auto_now_add` field takes now, in the column's type (UTC).
    ///
    /// ```
    /// use quiver_orm::{ColumnType, FieldMeta};
    ///
    /// let field = FieldMeta { column_type: ColumnType::Date, ..FieldMeta::EMPTY };
    /// assert!(matches!(field.now_value(), sea_query::Value::ChronoDate(Some(_))));
    /// ```
    pub fn now_value(&self) -> Value {
        use crate::value::FieldType;
        let now = chrono::Utc::now();
        match self.column_type {
            ColumnType::Date => now.date_naive().to_value(),
            ColumnType::Time => now.time().to_value(),
            ColumnType::DateTime => now.naive_utc().to_value(),
            _ => now.to_value(),
        }
    }

    /// A field with every option off, to fill the rest of a literal from.
    pub const EMPTY: FieldMeta = FieldMeta {
        name: "",
        column: "",
        column_type: ColumnType::BigInt,
        nullable: false,
        primary_key: false,
        auto_increment: false,
        unique: false,
        index: false,
        max_length: None,
        max_digits: None,
        decimal_places: None,
        default: None,
        db_default: false,
        auto_now: false,
        auto_now_add: false,
        help_text: "",
        choices: &[],
        relation: None,
        renamed_from: None,
    };
}

/// The target and delete behaviour of a relation field.
#[derive(Debug, Clone, Copy)]
pub struct RelationMeta {
    /// The related model's metadata.
    pub model: fn() -> &'static ModelMeta,
    /// What deleting the related row does to this one.
    pub on_delete: OnDelete,
    /// `OneToOne` (a unique foreign key).
    pub one_to_one: bool,
    /// Name of the reverse accessor on the target (`articles`).
    pub related_name: &'static str,
}

/// What happens to rows that point at a deleted row. Enforced by the database's foreign key
/// (SQLite runs with `foreign_keys = ON`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnDelete {
    /// Delete the pointing rows too.
    Cascade,
    /// Refuse the delete ([`crate::ErrorKind::ForeignKeyViolation`]).
    Protect,
    /// Refuse the delete, checked at the end of the statement.
    Restrict,
    /// Set the key to NULL (the field must be `Option<_>`).
    SetNull,
    /// Set the key to the field's default.
    SetDefault,
    /// No action on delete (the foreign key still refuses dangling rows).
    DoNothing,
}

/// A primary key the database fills on insert (auto-increment).
///
/// ```
/// use quiver_orm::Auto;
///
/// let unsaved: Auto<i64> = Auto::new();
/// assert_eq!(unsaved.get(), None);
/// let saved = Auto::from(7);
/// assert_eq!(saved.get(), Some(7));
/// assert_eq!(serde_json::to_string(&saved).unwrap(), "7");
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Auto<T>(Option<T>);

impl<T> Auto<T> {
    /// An unsaved key.
    pub const fn new() -> Self {
        Auto(None)
    }

    /// The key, once saved.
    pub fn get(&self) -> Option<T>
    where
        T: Copy,
    {
        self.0
    }

    /// The key; panics with a clear message on an unsaved instance. Instances read from the
    /// database always have one.
    pub fn value(&self) -> T
    where
        T: Copy,
    {
        self.0.expect("this instance has not been saved yet, so it has no primary key")
    }

    /// The key, once saved, by reference.
    pub fn key(&self) -> Option<&T> {
        self.0.as_ref()
    }

    /// True once saved.
    pub fn is_set(&self) -> bool {
        self.0.is_some()
    }
}

impl<T> From<T> for Auto<T> {
    fn from(value: T) -> Self {
        Auto(Some(value))
    }
}

impl<T: PartialEq> PartialEq<T> for Auto<T> {
    fn eq(&self, other: &T) -> bool {
        self.0.as_ref() == Some(other)
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Auto<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some(value) => value.fmt(f),
            None => f.write_str("<unsaved>"),
        }
    }
}

impl<T: std::fmt::Display> std::fmt::Display for Auto<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some(value) => value.fmt(f),
            None => f.write_str("<unsaved>"),
        }
    }
}

impl<T: FieldType + Copy> FieldType for Auto<T> {
    const COLUMN: ColumnType = T::COLUMN;
    type Lookup = T::Lookup;
    fn to_value(&self) -> Value {
        match &self.0 {
            Some(value) => value.to_value(),
            None => T::null_value(),
        }
    }
    fn null_value() -> Value {
        T::null_value()
    }
    fn decode_opt(row: &Row<'_>, index: usize) -> Result<Option<Self>, crate::DecodeError> {
        Ok(T::decode_opt(row, index)?.map(|v| Auto(Some(v))))
    }
}

impl<T: serde::Serialize> serde::Serialize for Auto<T> {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Auto<T> {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        Option::<T>::deserialize(deserializer).map(Auto)
    }
}

impl<T: schemars::JsonSchema> schemars::JsonSchema for Auto<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        T::schema_name()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut schema = T::json_schema(generator);
        // Assigned by the database: clients read it and never need to send it.
        schema.insert("readOnly".into(), true.into());
        schema
    }
    fn inline_schema() -> bool {
        true
    }
    // Optional in request bodies, like `Option<T>` (schemars' hook for that is this method).
    fn _schemars_private_is_option() -> bool {
        true
    }
}
