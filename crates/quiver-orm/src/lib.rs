//! # Quiver's ORM
//!
//! Models declared once as Rust structs (`#[derive(Model)]`), a lazy, chainable
//! [`QuerySet`], typed lookups that always bind their values, relations with
//! `select_related`/`prefetch_related`, async transactions with savepoints, and three
//! backends chosen by URL: SQLite (embedded), PostgreSQL, MySQL/MariaDB. It knows nothing of
//! HTTP; the `quiver` crate wires it into apps.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use quiver_orm::prelude::*;
//!
//! #[derive(Model, Debug, Clone)]
//! pub struct Author {
//!     pub id: Auto<i64>,
//!     #[field(max_length = 50, unique)]
//!     pub name: String,
//! }
//!
//! #[derive(Model, Debug, Clone)]
//! #[model(ordering = ["-views"])]
//! pub struct Article {
//!     pub id: Auto<i64>,
//!     #[field(max_length = 200)]
//!     pub title: String,
//!     pub views: i64,
//!     #[field(on_delete = cascade)]
//!     pub author: ForeignKey<Author>,
//! }
//!
//! let db = Db::connect("sqlite::memory:").await?;
//! quiver_orm::schema::create_tables(&db, &[Author::meta(), Article::meta()]).await?;
//!
//! let mut ada = Author { id: Auto::new(), name: "ada".into() };
//! ada.insert(&db).await?;
//! for (title, views) in [("Notes", 120), ("Engines", 80)] {
//!     let author = ForeignKey::new(ada.id.value());
//!     Article { id: Auto::new(), title: title.into(), views, author }.insert(&db).await?;
//! }
//!
//! let articles = Article::objects()
//!     .filter(Article::AUTHOR.then(Author::NAME).eq("ada"))
//!     .select_related(Article::AUTHOR)
//!     .all(&db)
//!     .await?;
//! assert_eq!(articles[0].title, "Notes"); // default ordering: most viewed first
//! assert_eq!(articles[0].author.get().unwrap().name, "ada"); // loaded by the JOIN
//!
//! db.atomic(|tx| async move {
//!     Article::objects().update().set_expr(Article::VIEWS, F(Article::VIEWS) + 1).execute(&tx).await?;
//!     Ok::<_, quiver_orm::Error>(())
//! })
//! .await?;
//! let total = Article::objects().aggregate(&db, [Sum(Article::VIEWS)]).await?;
//! assert_eq!(total["views__sum"], 202);
//! # Ok::<(), quiver_orm::Error>(())
//! # }).unwrap();
//! ```

// The derive names the crate `::quiver_orm`, from inside it too.
extern crate self as quiver_orm;

pub mod backend;
mod db;
mod error;
mod executor;
mod expr;
mod field;
mod instance;
pub mod migrations;
mod model;
mod query;
mod relations;
mod row;
pub mod schema;
pub mod testing;
mod transaction;
mod value;

pub use backend::{Backend, Features};
pub use db::{Databases, Db, PoolOptions, PoolStatus};
pub use error::{Error, ErrorKind, Result, validator_errors};
pub use executor::{Executor, Target};
pub use expr::{
    Aggregate, Avg, Count, DatePart, Expr, F, Max, Min, Nulls, Op, OrderBy, Q, Sum, count,
};
pub use field::{DateField, Field};
pub use model::{Auto, FieldMeta, Model, ModelMeta, OnDelete, RelationMeta};
pub use query::{Annotated, QuerySet, RelatedAggregate, Update};
pub use relations::{
    ForeignKey, Loaded, ManyToMany, ManyToManyMeta, OneToOne, Prefetch, RelationField, Reverse,
    ReverseMeta, prefetch_foreign_key, prefetch_many_to_many, prefetch_reverse,
};
pub use row::{DecodeError, Row};
pub use transaction::Transaction;
pub use value::{Choices, ColumnType, FieldType};

/// `#[derive(Model)]`; see [`Model`] for the attributes.
pub use quiver_macros::Model;

/// Everything a module defining or querying models needs.
pub mod prelude {
    pub use crate::{
        Auto, Avg, Count, Db, Executor, F, FieldType, ForeignKey, ManyToMany, Max, Min, Model,
        OneToOne, Q, QuerySet, Reverse, Sum, Transaction, count,
    };
}

/// Paths the derive's generated code uses; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use sea_query::Value;

    /// `meta_of::<T>` as a `fn() -> &'static ModelMeta` pointer.
    pub fn meta_of<T: crate::Model>() -> &'static crate::ModelMeta {
        T::meta()
    }

    /// The related model's metadata of a relation field type.
    pub fn relation_meta<R: crate::RelationField>() -> &'static crate::ModelMeta {
        <R::Target as crate::Model>::meta()
    }

    /// Checks a field value against the field's max length and decimal digits.
    pub fn check_field<T: crate::FieldType>(
        value: &T,
        field: &'static crate::FieldMeta,
        errors: &mut Vec<crate::validator_errors::FieldError>,
    ) {
        if let Value::Decimal(Some(decimal)) = value.to_value() {
            let places = u32::from(field.decimal_places.unwrap_or(4));
            let digits = u32::from(field.max_digits.unwrap_or(19));
            let normal = decimal.normalize();
            let scale = normal.scale();
            let whole_digits =
                normal.trunc().abs().to_string().trim_start_matches('0').len() as u32;
            if scale > places {
                errors.push(crate::validator_errors::FieldError {
                    field: field.name,
                    code: "decimal_max_places",
                    message: format!("ensure there are no more than {places} decimal places"),
                });
            } else if whole_digits > digits - places {
                errors.push(crate::validator_errors::FieldError {
                    field: field.name,
                    code: "decimal_whole_digits",
                    message: format!(
                        "ensure there are no more than {} digits before the decimal point",
                        digits - places
                    ),
                });
            }
        }
        if let Some(max) = field.max_length
            && let Value::String(Some(text)) = value.to_value()
        {
            let len = text.chars().count();
            if len > max as usize {
                errors.push(crate::validator_errors::FieldError {
                    field: field.name,
                    code: "max_length",
                    message: format!(
                        "ensure this value has at most {max} characters (it has {len})"
                    ),
                });
            }
        }
    }

    /// Runs `validator::Validate` when the model derives it, so `full_clean` checks the same
    /// constraints as the API (autoref specialisation: [`ViaValidate`] is picked first).
    pub struct ValidateProbe<'a, T>(pub &'a T);

    /// The probe's method for models that derive `validator::Validate`.
    pub trait ViaValidate {
        /// Appends the validator's problems, in field order.
        fn run_validate(
            &self,
            meta: &'static crate::ModelMeta,
            errors: &mut Vec<crate::validator_errors::FieldError>,
        );
    }

    impl<T: validator::Validate> ViaValidate for ValidateProbe<'_, T> {
        fn run_validate(
            &self,
            meta: &'static crate::ModelMeta,
            errors: &mut Vec<crate::validator_errors::FieldError>,
        ) {
            let Err(report) = self.0.validate() else { return };
            let by_field = report.field_errors();
            for field in meta.fields {
                for error in by_field.get(field.name).map(|v| v.as_slice()).unwrap_or_default() {
                    errors.push(crate::validator_errors::FieldError {
                        field: field.name,
                        code: match error.code.as_ref() {
                            "length" => "length",
                            "range" => "range",
                            "email" => "email",
                            "url" => "url",
                            "regex" => "regex",
                            "required" => "required",
                            _ => "invalid",
                        },
                        message: describe(error),
                    });
                }
            }
        }
    }

    fn describe(error: &validator::ValidationError) -> String {
        if let Some(message) = &error.message {
            return message.to_string();
        }
        let param = |name: &str| error.params.get(name).map(|v| v.to_string());
        match (error.code.as_ref(), param("min"), param("max"), param("equal")) {
            ("length", _, _, Some(n)) => {
                format!("ensure this value has exactly {n} characters or items")
            }
            ("length", Some(min), Some(max), _) => {
                format!("ensure this value has between {min} and {max} characters or items")
            }
            ("length", Some(min), None, _) => {
                format!("ensure this value has at least {min} characters or items")
            }
            ("length", None, Some(max), _) => {
                format!("ensure this value has at most {max} characters or items")
            }
            ("range", Some(min), Some(max), _) => {
                format!("ensure this value is between {min} and {max}")
            }
            ("range", Some(min), None, _) => format!("ensure this value is at least {min}"),
            ("range", None, Some(max), _) => format!("ensure this value is at most {max}"),
            ("email", ..) => "enter a valid email address".into(),
            ("url", ..) => "enter a valid URL".into(),
            ("regex", ..) => "the value does not have the expected form".into(),
            ("required", ..) => "this field is required".into(),
            (code, ..) => format!("the value failed the {code} check"),
        }
    }

    /// The probe's method for other models: nothing to add.
    pub trait NoValidate {
        /// Does nothing.
        fn run_validate(
            &self,
            _meta: &'static crate::ModelMeta,
            _errors: &mut Vec<crate::validator_errors::FieldError>,
        ) {
        }
    }

    impl<T> NoValidate for &ValidateProbe<'_, T> {}

    /// Now, for `auto_now` fields.
    pub trait Now {
        /// The current time in this type.
        fn now() -> Self;
    }
    impl Now for chrono::DateTime<chrono::Utc> {
        fn now() -> Self {
            chrono::Utc::now()
        }
    }
    impl Now for chrono::NaiveDateTime {
        fn now() -> Self {
            chrono::Utc::now().naive_utc()
        }
    }
    impl Now for chrono::NaiveDate {
        fn now() -> Self {
            chrono::Utc::now().date_naive()
        }
    }
    impl<T: Now> Now for Option<T> {
        fn now() -> Self {
            Some(T::now())
        }
    }

    /// Converts an integer insert id to an `Auto` key's type.
    pub trait FromInsertId: Sized {
        /// `None` when it does not fit.
        fn from_insert_id(id: i64) -> Option<Self>;
    }
    impl FromInsertId for i64 {
        fn from_insert_id(id: i64) -> Option<Self> {
            Some(id)
        }
    }
    impl FromInsertId for i32 {
        fn from_insert_id(id: i64) -> Option<Self> {
            i32::try_from(id).ok()
        }
    }
    impl FromInsertId for i16 {
        fn from_insert_id(id: i64) -> Option<Self> {
            i16::try_from(id).ok()
        }
    }
    /// The error for a column that does not decode.
    pub fn decode_error(
        model: &'static str,
        column: &str,
        error: crate::DecodeError,
    ) -> crate::Error {
        crate::Error::decode(model, column, error)
    }

    /// The error for `prefetch_related` of a field that is not a relation.
    pub fn not_a_relation(model: &'static str, field: &str) -> crate::Error {
        crate::Error::invalid(format!("{model}.{field} is not a relation that can be prefetched"))
    }

    /// Binds an instance's relation sets to its key.
    pub fn bind_sets<M: crate::Model>(instance: &mut M) {
        instance.bind_relation_sets();
    }

    pub use std::any::Any;
    pub use std::future::Future;
    pub use std::pin::Pin;
    pub use std::sync::Arc;
}
