//! Conditions (`Q`), expressions (`F`), orderings and aggregates: the plain data a
//! [`crate::QuerySet`] holds until it is compiled to SQL.

use std::borrow::Cow;
use std::ops;

use sea_query::Value;

use crate::field::Field;
use crate::value::FieldType;

/// A path from a model to a field: relation fields, then the field (`["author", "name"]`).
pub(crate) type Path = Vec<Cow<'static, str>>;

/// A part of a date or datetime to compare (`created_at__year`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatePart {
    /// The year.
    Year,
    /// The month, 1–12.
    Month,
    /// The day of the month, 1–31.
    Day,
}

/// A comparison operator of a lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Op {
    /// `=` (`IS NULL` for a NULL value).
    Exact,
    /// Case-insensitive equality.
    IExact,
    /// `<>`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Lte,
    /// `>`.
    Gt,
    /// `>=`.
    Gte,
    /// `IN (...)`.
    In,
    /// `BETWEEN a AND b`.
    Between,
    /// Substring, case-sensitive.
    Contains,
    /// Substring, case-insensitive.
    IContains,
    /// Prefix.
    StartsWith,
    /// Prefix, case-insensitive.
    IStartsWith,
    /// Suffix.
    EndsWith,
    /// Suffix, case-insensitive.
    IEndsWith,
    /// `IS NULL` (true) or `IS NOT NULL` (false).
    IsNull,
    /// Regular expression match (PostgreSQL, MySQL; SQLite gets a `regexp` function).
    Regex,
}

impl Op {
    /// The Django lookup name → operator.
    pub(crate) fn from_name(name: &str) -> Option<Op> {
        Some(match name {
            "exact" => Op::Exact,
            "iexact" => Op::IExact,
            "ne" => Op::Ne,
            "lt" => Op::Lt,
            "lte" => Op::Lte,
            "gt" => Op::Gt,
            "gte" => Op::Gte,
            "in" => Op::In,
            "range" => Op::Between,
            "contains" => Op::Contains,
            "icontains" => Op::IContains,
            "startswith" => Op::StartsWith,
            "istartswith" => Op::IStartsWith,
            "endswith" => Op::EndsWith,
            "iendswith" => Op::IEndsWith,
            "isnull" => Op::IsNull,
            "regex" => Op::Regex,
            _ => return None,
        })
    }
}

/// The right-hand side of a lookup.
#[derive(Debug, Clone)]
pub(crate) enum Operand {
    One(Value),
    Many(Vec<Value>),
    Two(Value, Value),
    Flag(bool),
}

/// A condition on a query: build them with field lookups (`Article::TITLE.eq("x")`), combine
/// with `&`, `|` and `!` (Django's `Q` objects).
///
/// ```
/// use quiver_orm::prelude::*;
///
/// #[derive(Model, Debug)]
/// pub struct Post {
///     pub id: Auto<i64>,
///     pub title: String,
///     pub views: i64,
/// }
///
/// let popular_or_rust = Post::VIEWS.gte(1000) | Post::TITLE.icontains("rust");
/// let query = Post::objects().filter(popular_or_rust & !Post::TITLE.starts_with("Draft"));
/// # let _ = query;
/// ```
#[derive(Debug, Clone)]
pub struct Q(pub(crate) QNode);

#[derive(Debug, Clone)]
pub(crate) enum QNode {
    Lookup {
        path: Path,
        part: Option<DatePart>,
        op: Op,
        operand: Operand,
    },
    Compare(Expr, Op, Expr),
    And(Vec<Q>),
    Or(Vec<Q>),
    Not(Box<Q>),
    /// A lookup given as a Django path (`author__name__icontains`), checked at compile time.
    Named {
        path: String,
        value: Operand,
    },
    /// Rows with at least one related row (through a `ManyToMany` or `Reverse` field named
    /// `field`) matching `inner`, which is written over the related model.
    Related {
        field: &'static str,
        inner: Box<Q>,
    },
    /// `path IN (SELECT select FROM table WHERE key_column IN keys)`: many-to-many links.
    InSubquery {
        path: Path,
        table: &'static str,
        select: &'static str,
        key_column: &'static str,
        keys: Vec<Value>,
    },
}

impl Q {
    /// Matches every row.
    pub fn all() -> Q {
        Q(QNode::And(Vec::new()))
    }

    /// A lookup written as a Django path: `"author__name__icontains"`. Every segment is
    /// checked against the models when the query runs; an unknown field or lookup is an
    /// error, never SQL. `in` takes a JSON array, `range` a two-element array, `isnull` a
    /// bool.
    ///
    /// ```
    /// use quiver_orm::Q;
    ///
    /// let q = Q::path("title__icontains", "rust") & Q::path("views__gte", 10);
    /// # let _ = q;
    /// ```
    pub fn path(path: impl Into<String>, value: impl Into<Value>) -> Q {
        Q(QNode::Named { path: path.into(), value: Operand::One(value.into()) })
    }

    /// Like [`Q::path`] for the `in` lookup: `Q::path_in("id__in", [1, 2, 3])`.
    pub fn path_in<V: Into<Value>>(
        path: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> Q {
        let values = values.into_iter().map(Into::into).collect();
        Q(QNode::Named { path: path.into(), value: Operand::Many(values) })
    }
}

impl ops::BitAnd for Q {
    type Output = Q;
    fn bitand(self, rhs: Q) -> Q {
        match self.0 {
            QNode::And(mut items) => {
                items.push(rhs);
                Q(QNode::And(items))
            }
            node => Q(QNode::And(vec![Q(node), rhs])),
        }
    }
}

impl ops::BitOr for Q {
    type Output = Q;
    fn bitor(self, rhs: Q) -> Q {
        match self.0 {
            QNode::Or(mut items) => {
                items.push(rhs);
                Q(QNode::Or(items))
            }
            node => Q(QNode::Or(vec![Q(node), rhs])),
        }
    }
}

impl ops::Not for Q {
    type Output = Q;
    fn not(self) -> Q {
        Q(QNode::Not(Box::new(self)))
    }
}

/// An SQL expression over columns and values: Django's `F`. Use it for column-to-column
/// comparisons and atomic updates.
///
/// ```
/// use quiver_orm::prelude::*;
///
/// #[derive(Model, Debug)]
/// pub struct Post {
///     pub id: Auto<i64>,
///     pub views: i64,
///     pub likes: i64,
/// }
///
/// // likes > views
/// let q = F(Post::LIKES).gt(F(Post::VIEWS));
/// // UPDATE ... SET views = views + 1
/// let update = Post::objects().filter(Post::ID.eq(1)).update().set_expr(Post::VIEWS, F(Post::VIEWS) + 1);
/// # let _ = (q, update);
/// ```
#[derive(Debug, Clone)]
pub enum Expr {
    /// A column, by path (or a part of a date column).
    #[doc(hidden)]
    Field(Path, Option<DatePart>),
    /// A bound value.
    #[doc(hidden)]
    Value(Value),
    /// `left op right`.
    #[doc(hidden)]
    Binary(Box<Expr>, BinOp, Box<Expr>),
}

/// Arithmetic in an [`Expr`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[doc(hidden)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
}

/// A column as an expression (Django's `F("views")`).
#[allow(non_snake_case)]
pub fn F<M, T: FieldType>(field: Field<M, T>) -> Expr {
    let part = field.date_part();
    Expr::Field(field.into_path(), part)
}

impl Expr {
    fn compare(self, op: Op, other: impl Into<Expr>) -> Q {
        Q(QNode::Compare(self, op, other.into()))
    }

    /// `self = other`.
    pub fn eq(self, other: impl Into<Expr>) -> Q {
        self.compare(Op::Exact, other)
    }
    /// `self <> other`.
    pub fn ne(self, other: impl Into<Expr>) -> Q {
        self.compare(Op::Ne, other)
    }
    /// `self < other`.
    pub fn lt(self, other: impl Into<Expr>) -> Q {
        self.compare(Op::Lt, other)
    }
    /// `self <= other`.
    pub fn lte(self, other: impl Into<Expr>) -> Q {
        self.compare(Op::Lte, other)
    }
    /// `self > other`.
    pub fn gt(self, other: impl Into<Expr>) -> Q {
        self.compare(Op::Gt, other)
    }
    /// `self >= other`.
    pub fn gte(self, other: impl Into<Expr>) -> Q {
        self.compare(Op::Gte, other)
    }
}

macro_rules! expr_from_value {
    ($($ty:ty),*) => {$(
        impl From<$ty> for Expr {
            fn from(value: $ty) -> Expr {
                Expr::Value(value.into())
            }
        }
    )*};
}
expr_from_value!(i16, i32, i64, f32, f64, bool, String, &str, rust_decimal::Decimal);

impl<M, T: FieldType> From<Field<M, T>> for Expr {
    fn from(field: Field<M, T>) -> Expr {
        F(field)
    }
}

macro_rules! arith {
    ($trait:ident, $method:ident, $op:ident) => {
        impl<R: Into<Expr>> ops::$trait<R> for Expr {
            type Output = Expr;
            fn $method(self, rhs: R) -> Expr {
                Expr::Binary(Box::new(self), BinOp::$op, Box::new(rhs.into()))
            }
        }
    };
}
arith!(Add, add, Add);
arith!(Sub, sub, Sub);
arith!(Mul, mul, Mul);
arith!(Div, div, Div);

/// Where NULLs sort.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nulls {
    /// Before other values.
    First,
    /// After other values.
    Last,
}

/// One key of an `order_by`: a field, ascending or descending, NULLs first or last.
#[derive(Debug, Clone)]
pub struct OrderBy {
    pub(crate) path: Path,
    pub(crate) part: Option<DatePart>,
    pub(crate) descending: bool,
    pub(crate) nulls: Option<Nulls>,
}

impl OrderBy {
    /// Puts NULLs first.
    pub fn nulls_first(mut self) -> Self {
        self.nulls = Some(Nulls::First);
        self
    }

    /// Puts NULLs last.
    pub fn nulls_last(mut self) -> Self {
        self.nulls = Some(Nulls::Last);
        self
    }

    /// Parses Django's form: `"-created_at"` (descending), `"author__name"`.
    pub(crate) fn parse(name: &str) -> OrderBy {
        let (descending, name) = match name.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, name.strip_prefix('+').unwrap_or(name)),
        };
        OrderBy {
            path: name.split("__").map(|s| Cow::Owned(s.to_owned())).collect(),
            part: None,
            descending,
            nulls: None,
        }
    }
}

impl<M, T: FieldType> From<Field<M, T>> for OrderBy {
    fn from(field: Field<M, T>) -> OrderBy {
        field.asc()
    }
}

/// An aggregate function over a column (or over rows, for `Count::all`).
#[derive(Debug, Clone)]
pub struct Aggregate {
    pub(crate) function: AggregateFunction,
    pub(crate) path: Option<Path>,
    pub(crate) distinct: bool,
    pub(crate) alias: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AggregateFunction {
    Count,
    Sum,
    Avg,
    Min,
    Max,
}

impl AggregateFunction {
    pub(crate) fn name(self) -> &'static str {
        match self {
            AggregateFunction::Count => "count",
            AggregateFunction::Sum => "sum",
            AggregateFunction::Avg => "avg",
            AggregateFunction::Min => "min",
            AggregateFunction::Max => "max",
        }
    }
}

impl Aggregate {
    fn of<M, T: FieldType>(function: AggregateFunction, field: Field<M, T>) -> Aggregate {
        Aggregate { function, path: Some(field.into_path()), distinct: false, alias: None }
    }

    /// Names the result (default: `<field>__<function>`, Django's default alias).
    pub fn alias(mut self, alias: impl Into<String>) -> Self {
        self.alias = Some(alias.into());
        self
    }

    /// Counts or sums distinct values only.
    pub fn distinct(mut self) -> Self {
        self.distinct = true;
        self
    }

    pub(crate) fn alias_name(&self) -> String {
        match (&self.alias, &self.path) {
            (Some(alias), _) => alias.clone(),
            (None, Some(path)) => format!("{}__{}", path.join("__"), self.function.name()),
            (None, None) => self.function.name().to_string(),
        }
    }
}

/// `COUNT(field)`; [`count::all`] is `COUNT(*)`.
#[allow(non_snake_case)]
pub fn Count<M, T: FieldType>(field: Field<M, T>) -> Aggregate {
    Aggregate::of(AggregateFunction::Count, field)
}

/// Namespace for `Count::all()`.
pub mod count {
    use super::{Aggregate, AggregateFunction};

    /// `COUNT(*)`, named `count` unless aliased.
    pub fn all() -> Aggregate {
        Aggregate { function: AggregateFunction::Count, path: None, distinct: false, alias: None }
    }
}

/// `SUM(field)` (integers sum to a 64-bit integer, other numbers to a float).
#[allow(non_snake_case)]
pub fn Sum<M, T: FieldType>(field: Field<M, T>) -> Aggregate {
    Aggregate::of(AggregateFunction::Sum, field)
}

/// `AVG(field)`, a float.
#[allow(non_snake_case)]
pub fn Avg<M, T: FieldType>(field: Field<M, T>) -> Aggregate {
    Aggregate::of(AggregateFunction::Avg, field)
}

/// `MIN(field)`, of the field's type.
#[allow(non_snake_case)]
pub fn Min<M, T: FieldType>(field: Field<M, T>) -> Aggregate {
    Aggregate::of(AggregateFunction::Min, field)
}

/// `MAX(field)`, of the field's type.
#[allow(non_snake_case)]
pub fn Max<M, T: FieldType>(field: Field<M, T>) -> Aggregate {
    Aggregate::of(AggregateFunction::Max, field)
}
