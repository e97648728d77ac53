//! Annotations: an aggregate over each row's related rows (Django's
//! `Author.objects.annotate(n=Count("articles"))`), compiled to a correlated subquery.

use sea_query::{Alias, Expr, ExprTrait, JoinType, Query};

use super::Compiler;
use crate::error::{Error, Result};
use crate::expr::{AggregateFunction, Q};
use crate::model::ModelMeta;
use crate::value::ColumnType;

/// An aggregate over the rows related to each row through a [`Reverse`](crate::Reverse) or
/// [`ManyToMany`](crate::ManyToMany) field; add it with [`QuerySet::annotate`](super::QuerySet::annotate).
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
///     pub pages: i64,
///     pub author: ForeignKey<Author>,
/// }
///
/// let db = Db::connect("sqlite::memory:").await?;
/// quiver_orm::schema::create_tables(&db, &[Author::meta(), Book::meta()]).await?;
/// let mut ada = Author { id: Auto::new(), name: "Ada".into(), books: Reverse::new() };
/// ada.insert(&db).await?;
/// for pages in [100, 250] {
///     Book { id: Auto::new(), pages, author: ForeignKey::new(ada.id.value()) }.insert(&db).await?;
/// }
///
/// let authors = Author::objects()
///     .annotate(Author::BOOKS.count().alias("books"))
///     .annotate(Author::BOOKS.sum(Book::PAGES).filter(Book::PAGES.gt(200)).alias("long_pages"))
///     .order_by_names(["-books"])
///     .all_annotated(&db)
///     .await?;
/// assert_eq!(authors[0].name, "Ada"); // derefs to the instance
/// assert_eq!(authors[0].values["books"], 2);
/// assert_eq!(authors[0].values["long_pages"], 250);
/// # Ok::<(), quiver_orm::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct RelatedAggregate {
    pub(crate) relation: &'static str,
    pub(crate) function: AggregateFunction,
    pub(crate) target_field: Option<&'static str>,
    pub(crate) filter: Option<Q>,
    pub(crate) alias: Option<String>,
}

impl RelatedAggregate {
    pub(crate) fn new(
        relation: &'static str,
        function: AggregateFunction,
        target_field: Option<&'static str>,
    ) -> Self {
        RelatedAggregate { relation, function, target_field, filter: None, alias: None }
    }

    /// Names the value (default `<relation>__<function>`, e.g. `articles__count`).
    pub fn alias(mut self, alias: impl Into<String>) -> Self {
        self.alias = Some(alias.into());
        self
    }

    /// Counts or sums only the related rows matching `q` (written over the related model).
    pub fn filter(mut self, q: Q) -> Self {
        self.filter = Some(q);
        self
    }

    pub(crate) fn alias_name(&self) -> String {
        match &self.alias {
            Some(alias) => alias.clone(),
            None => match self.target_field {
                Some(field) => format!("{}__{}__{}", self.relation, field, self.function.name()),
                None => format!("{}__{}", self.relation, self.function.name()),
            },
        }
    }

    /// The correlated subquery for rows of `outer`, its column type, and the decimal places
    /// to round to.
    pub(crate) fn compile(
        &self,
        outer: &Compiler,
        index: usize,
    ) -> Result<(Expr, ColumnType, Option<u8>)> {
        let root = outer.root;
        let backend = outer.backend;
        let outer_key = Expr::col((Alias::new(outer.root_alias()), root.pk_field().column));
        let alias = format!("qa{index}");
        let (target, mut select): (&'static ModelMeta, _) =
            if let Some(reverse) = root.reverse.iter().find(|r| r.name == self.relation) {
                let source = (reverse.source)();
                let via = reverse.via_field()?;
                let mut select = Query::select();
                select.from_as(source.table, Alias::new(alias.clone()));
                select.and_where(
                    Expr::col((Alias::new(alias.clone()), via.column)).equals(outer_key_col(outer)),
                );
                (source, select)
            } else if let Some(m2m) = root.many_to_many.iter().find(|m| m.name == self.relation) {
                let target = (m2m.target)();
                let (table, owner_column, target_column) = m2m.join_table()?;
                let link = format!("{alias}_link");
                let mut select = Query::select();
                select.from_as(target.table, Alias::new(alias.clone()));
                select.join_as(
                    JoinType::InnerJoin,
                    table,
                    Alias::new(link.clone()),
                    Expr::col((Alias::new(link.clone()), target_column))
                        .equals((Alias::new(alias.clone()), target.pk_field().column)),
                );
                select.and_where(Expr::col((Alias::new(link), owner_column)).eq(outer_key.clone()));
                (target, select)
            } else {
                return Err(Error::invalid(format!(
                    "{}.{} is not a many-to-many or reverse relation",
                    root.name, self.relation
                )));
            };
        let mut inner = Compiler::with_alias(backend, target, &alias);
        let (value, column_type, places) = match (self.function, self.target_field) {
            (AggregateFunction::Count, None) => (Expr::cust("COUNT(*)"), ColumnType::BigInt, None),
            (function, Some(name)) => {
                let column = inner.column(&[std::borrow::Cow::Borrowed(name)])?;
                let field_type = column.field.column_type;
                let call = |f: &str| backend.custom(&format!("{f}(?)"), [column.expr.clone()]);
                let integer = matches!(
                    field_type,
                    ColumnType::SmallInt | ColumnType::Integer | ColumnType::BigInt
                );
                match function {
                    AggregateFunction::Count => (call("COUNT"), ColumnType::BigInt, None),
                    AggregateFunction::Sum if integer => {
                        (backend.cast(call("SUM"), ColumnType::BigInt), ColumnType::BigInt, None)
                    }
                    AggregateFunction::Sum | AggregateFunction::Avg
                        if field_type == ColumnType::Decimal =>
                    {
                        let f = if function == AggregateFunction::Sum { "SUM" } else { "AVG" };
                        let places = column.field.decimal_places.or(Some(4));
                        (
                            call(f),
                            ColumnType::Decimal,
                            places.map(|p| if f == "AVG" { Ord::max(p, 6) } else { p }),
                        )
                    }
                    AggregateFunction::Sum | AggregateFunction::Avg => {
                        let f = if function == AggregateFunction::Sum { "SUM" } else { "AVG" };
                        (backend.cast(call(f), ColumnType::Double), ColumnType::Double, None)
                    }
                    AggregateFunction::Min => (call("MIN"), field_type, None),
                    AggregateFunction::Max => (call("MAX"), field_type, None),
                }
            }
            (function, None) => {
                return Err(Error::invalid(format!(
                    "{} over a relation needs a field",
                    function.name()
                )));
            }
        };
        select.expr(value);
        if let Some(q) = &self.filter {
            select.and_where(inner.condition(q)?);
        }
        inner.apply_joins(&mut select);
        // COUNT of nothing is 0; SUM of nothing is NULL, as in Django.
        Ok((Expr::from(sea_query::SubQueryStatement::from(select)), column_type, places))
    }
}

fn outer_key_col(outer: &Compiler) -> (Alias, Alias) {
    (Alias::new(outer.root_alias()), Alias::new(outer.root.pk_field().column))
}
