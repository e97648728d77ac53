//! `Field<M, T>`: a typed handle on a model's field, the start of every lookup.

use std::borrow::Cow;
use std::marker::PhantomData;

use crate::expr::{AggregateFunction, DatePart, Op, Operand, OrderBy, Path, Q, QNode};
use crate::model::Model;
use crate::query::RelatedAggregate;
use crate::value::FieldType;

/// A field of model `M` holding a `T`; the derive writes one as an associated constant per
/// field (`Article::TITLE`). Lookups build [`Q`] conditions whose values are checked by type
/// at compile time and always bound as parameters.
///
/// ```
/// use quiver_orm::prelude::*;
///
/// #[derive(Model, Debug)]
/// pub struct Author {
///     pub id: Auto<i64>,
///     pub name: String,
/// }
///
/// #[derive(Model, Debug)]
/// pub struct Book {
///     pub id: Auto<i64>,
///     pub title: String,
///     pub pages: i32,
///     pub author: ForeignKey<Author>,
/// }
///
/// let q = Book::PAGES.between(100, 300)
///     & Book::AUTHOR.then(Author::NAME).eq("Ada")   // a lookup across the relation (a JOIN)
///     & Book::TITLE.icontains("rust");
/// # let _ = q;
/// ```
pub struct Field<M, T> {
    head: &'static str,
    rest: Vec<&'static str>,
    part: Option<DatePart>,
    _types: PhantomData<fn() -> (M, T)>,
}

impl<M, T> Clone for Field<M, T> {
    fn clone(&self) -> Self {
        Field { head: self.head, rest: self.rest.clone(), part: self.part, _types: PhantomData }
    }
}

impl<M, T> std::fmt::Debug for Field<M, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.head)?;
        for segment in &self.rest {
            write!(f, "__{segment}")?;
        }
        Ok(())
    }
}

impl<M, T> Field<M, T> {
    /// The handle on a `ManyToMany`/`Reverse` field (the derive writes these).
    #[doc(hidden)]
    pub const fn relation_set(name: &'static str) -> Self {
        Field { head: name, rest: Vec::new(), part: None, _types: PhantomData }
    }

    /// True for a path across relations (`Book::AUTHOR.then(Author::NAME)`) or a date part
    /// (`Post::CREATED.year()`): not a plain field of the model.
    pub fn is_path(&self) -> bool {
        !self.rest.is_empty() || self.part.is_some()
    }

    /// The field names of the path, first to last.
    pub(crate) fn relation_names(&self) -> Vec<&'static str> {
        std::iter::once(self.head).chain(self.rest.iter().copied()).collect()
    }

    pub(crate) fn date_part(&self) -> Option<DatePart> {
        self.part
    }

    /// The field's name (the last segment of a relation path).
    pub fn name(&self) -> &'static str {
        self.rest.last().copied().unwrap_or(self.head)
    }

    pub(crate) fn into_path(self) -> Path {
        let mut path = Vec::with_capacity(1 + self.rest.len());
        path.push(Cow::Borrowed(self.head));
        path.extend(self.rest.into_iter().map(Cow::Borrowed));
        path
    }
}

impl<M, T: FieldType> Field<M, T> {
    /// The handle on field `name` (the derive writes these).
    #[doc(hidden)]
    pub const fn new(name: &'static str) -> Self {
        Field { head: name, rest: Vec::new(), part: None, _types: PhantomData }
    }

    fn lookup(self, op: Op, operand: Operand) -> Q {
        let part = self.part;
        Q(QNode::Lookup { path: self.into_path(), part, op, operand })
    }

    fn one(value: impl Into<T::Lookup>) -> Operand {
        Operand::One(value.into().to_value())
    }

    /// `field = value`.
    pub fn eq(self, value: impl Into<T::Lookup>) -> Q {
        self.lookup(Op::Exact, Self::one(value))
    }
    /// `field <> value`.
    pub fn ne(self, value: impl Into<T::Lookup>) -> Q {
        self.lookup(Op::Ne, Self::one(value))
    }
    /// `field < value`.
    pub fn lt(self, value: impl Into<T::Lookup>) -> Q {
        self.lookup(Op::Lt, Self::one(value))
    }
    /// `field <= value`.
    pub fn lte(self, value: impl Into<T::Lookup>) -> Q {
        self.lookup(Op::Lte, Self::one(value))
    }
    /// `field > value`.
    pub fn gt(self, value: impl Into<T::Lookup>) -> Q {
        self.lookup(Op::Gt, Self::one(value))
    }
    /// `field >= value`.
    pub fn gte(self, value: impl Into<T::Lookup>) -> Q {
        self.lookup(Op::Gte, Self::one(value))
    }
    /// `field IN (values)`; an empty list matches nothing.
    pub fn in_<V: Into<T::Lookup>>(self, values: impl IntoIterator<Item = V>) -> Q {
        let values = values.into_iter().map(|v| v.into().to_value()).collect();
        self.lookup(Op::In, Operand::Many(values))
    }
    /// `field BETWEEN low AND high` (both ends included).
    pub fn between(self, low: impl Into<T::Lookup>, high: impl Into<T::Lookup>) -> Q {
        self.lookup(Op::Between, Operand::Two(low.into().to_value(), high.into().to_value()))
    }
    /// `field IS NULL` (true) or `IS NOT NULL` (false).
    pub fn is_null(self, is_null: bool) -> Q {
        self.lookup(Op::IsNull, Operand::Flag(is_null))
    }

    /// Ascending order on this field.
    pub fn asc(self) -> OrderBy {
        let part = self.part;
        OrderBy { path: self.into_path(), part, descending: false, nulls: None }
    }
    /// Descending order on this field.
    pub fn desc(self) -> OrderBy {
        let part = self.part;
        OrderBy { path: self.into_path(), part, descending: true, nulls: None }
    }
}

impl<M: Model, T: FieldType> Field<M, T> {
    /// Follows a relation: `Book::AUTHOR.then(Author::NAME)` is Django's `author__name`.
    pub fn then<T2: FieldType>(self, next: Field<T::Target, T2>) -> Field<M, T2>
    where
        T: crate::relations::RelationField,
    {
        let mut rest = self.rest;
        rest.push(next.head);
        rest.extend(next.rest);
        Field { head: self.head, rest, part: next.part, _types: PhantomData }
    }
}

impl<M, T> Field<M, T>
where
    T: FieldType<Lookup = String>,
{
    fn text(self, op: Op, value: impl Into<String>) -> Q {
        self.lookup(op, Operand::One(sea_query::Value::String(Some(value.into()))))
    }
    /// Case-insensitive equality.
    pub fn iexact(self, value: impl Into<String>) -> Q {
        self.text(Op::IExact, value)
    }
    /// Contains `value` (case-sensitive; `%` and `_` in `value` are matched literally).
    pub fn contains(self, value: impl Into<String>) -> Q {
        self.text(Op::Contains, value)
    }
    /// Contains `value`, ignoring case.
    pub fn icontains(self, value: impl Into<String>) -> Q {
        self.text(Op::IContains, value)
    }
    /// Starts with `value`.
    pub fn starts_with(self, value: impl Into<String>) -> Q {
        self.text(Op::StartsWith, value)
    }
    /// Starts with `value`, ignoring case.
    pub fn istarts_with(self, value: impl Into<String>) -> Q {
        self.text(Op::IStartsWith, value)
    }
    /// Ends with `value`.
    pub fn ends_with(self, value: impl Into<String>) -> Q {
        self.text(Op::EndsWith, value)
    }
    /// Ends with `value`, ignoring case.
    pub fn iends_with(self, value: impl Into<String>) -> Q {
        self.text(Op::IEndsWith, value)
    }
    /// Matches the regular expression `pattern` (the database's regex dialect).
    pub fn regex(self, pattern: impl Into<String>) -> Q {
        self.text(Op::Regex, pattern)
    }
}

impl<M, T: Model> Field<M, crate::relations::ManyToMany<T>> {
    /// Rows linked to at least one `T` matching `q` (Django's `filter(tags__name="rust")`,
    /// without duplicate rows): `Article::TAGS.any(Tag::NAME.eq("rust"))`.
    pub fn any(self, q: Q) -> Q {
        Q(QNode::Related { field: self.head, inner: Box::new(q) })
    }
}

impl<M, T: Model> Field<M, crate::relations::Reverse<T>> {
    /// Rows with at least one `T` pointing here that matches `q`:
    /// `Author::ARTICLES.any(Article::VIEWS.gt(100))`.
    pub fn any(self, q: Q) -> Q {
        Q(QNode::Related { field: self.head, inner: Box::new(q) })
    }
}

macro_rules! related_aggregates {
    ($set:ident) => {
        impl<M, T: Model> Field<M, crate::relations::$set<T>> {
            /// The number of related rows, per row (for `annotate`).
            pub fn count(self) -> RelatedAggregate {
                RelatedAggregate::new(self.head, AggregateFunction::Count, None)
            }
            /// The sum of a field of the related rows (NULL when there are none).
            pub fn sum<V: FieldType>(self, field: Field<T, V>) -> RelatedAggregate {
                RelatedAggregate::new(self.head, AggregateFunction::Sum, Some(field.name()))
            }
            /// The average of a field of the related rows.
            pub fn avg<V: FieldType>(self, field: Field<T, V>) -> RelatedAggregate {
                RelatedAggregate::new(self.head, AggregateFunction::Avg, Some(field.name()))
            }
            /// The smallest value of a field of the related rows.
            pub fn min<V: FieldType>(self, field: Field<T, V>) -> RelatedAggregate {
                RelatedAggregate::new(self.head, AggregateFunction::Min, Some(field.name()))
            }
            /// The largest value of a field of the related rows.
            pub fn max<V: FieldType>(self, field: Field<T, V>) -> RelatedAggregate {
                RelatedAggregate::new(self.head, AggregateFunction::Max, Some(field.name()))
            }
        }
    };
}
related_aggregates!(Reverse);
related_aggregates!(ManyToMany);

/// Date and datetime fields: compare a part of the value (`created_at__year`).
pub trait DateField: FieldType {}
impl DateField for chrono::NaiveDate {}
impl DateField for chrono::NaiveDateTime {}
impl DateField for chrono::DateTime<chrono::Utc> {}
impl<T: DateField> DateField for Option<T> {}

impl<M, T: DateField> Field<M, T> {
    fn part(self, part: DatePart) -> Field<M, i32> {
        Field { head: self.head, rest: self.rest, part: Some(part), _types: PhantomData }
    }
    /// The year, for lookups: `Post::CREATED.year().eq(2024)`.
    pub fn year(self) -> Field<M, i32> {
        self.part(DatePart::Year)
    }
    /// The month (1–12).
    pub fn month(self) -> Field<M, i32> {
        self.part(DatePart::Month)
    }
    /// The day of the month.
    pub fn day(self) -> Field<M, i32> {
        self.part(DatePart::Day)
    }
}
