//! `Reverse<T>`: the rows of another model whose foreign key points here.

use sea_query::Value;

use crate::error::{Error, Result};
use crate::model::Model;

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
