//! `ForeignKey<T>` and `OneToOne<T>`: a column holding the key of another row.

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
