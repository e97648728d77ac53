//! Compiling a QuerySet's plain data (conditions, orderings, paths) to sea-query statements.
//!
//! Every name in a path is looked up in the models' metadata; only metadata strings reach the
//! SQL text, and every value is a bound parameter.

use std::borrow::Cow;

use sea_query::{Alias, Expr, ExprTrait, JoinType, NullOrdering, Order, SelectStatement, Value};

use crate::backend::{Backend, escape_like};
use crate::error::{Error, ErrorKind, Result};
use crate::expr::{BinOp, DatePart, Expr as QExpr, Op, Operand, OrderBy, Path, Q, QNode};
use crate::model::{FieldMeta, ModelMeta};
use crate::value::ColumnType;

/// One `LEFT JOIN` to a related table, reached through `path` (relation field names).
struct Join {
    path: Vec<String>,
    alias: String,
    meta: &'static ModelMeta,
}

/// Resolves paths against the root model, collecting the joins they need.
pub(crate) struct Compiler {
    pub(crate) backend: Backend,
    pub(crate) root: &'static ModelMeta,
    /// The root table's alias: its name, except inside a correlated subquery.
    alias: String,
    joins: Vec<Join>,
}

/// A resolved column: the expression to use in SQL and its field.
pub(crate) struct Column {
    pub(crate) expr: Expr,
    pub(crate) field: &'static FieldMeta,
    /// Reached through a join (so it may be NULL even when the field is not nullable).
    pub(crate) joined: bool,
}

impl Compiler {
    pub(crate) fn new(backend: Backend, root: &'static ModelMeta) -> Self {
        Compiler { backend, root, alias: root.table.to_owned(), joins: Vec::new() }
    }

    /// A compiler whose root table goes by `alias` (a subquery inside another query).
    pub(crate) fn with_alias(backend: Backend, root: &'static ModelMeta, alias: &str) -> Self {
        Compiler { backend, root, alias: alias.to_owned(), joins: Vec::new() }
    }

    pub(crate) fn has_joins(&self) -> bool {
        !self.joins.is_empty()
    }

    /// The root table's alias: the table name itself, so that single-table `UPDATE` and
    /// `DELETE` can use the same qualified column names.
    pub(crate) fn root_alias(&self) -> &str {
        &self.alias
    }

    /// The field named `name` on `meta` (`pk` names the primary key).
    fn field_of(meta: &'static ModelMeta, name: &str) -> Result<&'static FieldMeta> {
        if name == "pk" {
            return Ok(meta.pk_field());
        }
        meta.field_or_err(name)
    }

    /// Joins (once) the relation at `path` and returns its alias and model.
    fn join(&mut self, path: &[String]) -> Result<(String, &'static ModelMeta)> {
        if let Some(join) = self.joins.iter().find(|j| j.path == path) {
            return Ok((join.alias.clone(), join.meta));
        }
        let (parent_alias, parent_meta) = match path.split_last() {
            Some((_, [])) => (self.root_alias().to_owned(), self.root),
            Some((_, parent)) => self.join(parent)?,
            None => unreachable!("join of an empty path"),
        };
        let name = path.last().expect("non-empty");
        let field = Self::field_of(parent_meta, name)?;
        let relation = field.relation.ok_or_else(|| {
            Error::invalid(format!(
                "{}.{} is not a relation, so {:?} cannot follow it",
                parent_meta.name,
                field.name,
                path.join("__")
            ))
        })?;
        let meta = (relation.model)();
        let alias = format!("j{}", self.joins.len() + 1);
        self.joins.push(Join { path: path.to_vec(), alias: alias.clone(), meta });
        let _ = (parent_alias, field);
        Ok((alias, meta))
    }

    /// Resolves a path of field names to a column, joining relations on the way.
    pub(crate) fn column(&mut self, path: &[Cow<'static, str>]) -> Result<Column> {
        let (last, relations) =
            path.split_last().ok_or_else(|| Error::invalid("empty field path"))?;
        let mut meta = self.root;
        let mut alias = self.root_alias().to_owned();
        let mut walked: Vec<String> = Vec::new();
        for name in relations {
            walked.push(name.to_string());
            (alias, meta) = self.join(&walked)?;
        }
        let field = Self::field_of(meta, last)?;
        Ok(Column {
            expr: Expr::col((Alias::new(alias), field.column)),
            field,
            joined: !relations.is_empty(),
        })
    }

    /// Adds the joins to `select`, in the order they were first needed.
    pub(crate) fn apply_joins(&self, select: &mut SelectStatement) {
        for join in &self.joins {
            let (parent_alias, parent_meta) = if join.path.len() == 1 {
                (self.root_alias().to_owned(), self.root)
            } else {
                let parent = &join.path[..join.path.len() - 1];
                let parent =
                    self.joins.iter().find(|j| j.path == parent).expect("parent joined first");
                (parent.alias.clone(), parent.meta)
            };
            let field = Self::field_of(parent_meta, join.path.last().expect("non-empty"))
                .expect("resolved before");
            let on = Expr::col((Alias::new(join.alias.clone()), join.meta.pk_field().column))
                .equals((Alias::new(parent_alias), field.column));
            select.join_as(JoinType::LeftJoin, join.meta.table, Alias::new(join.alias.clone()), on);
        }
    }

    /// The alias of a joined relation path (for `select_related`).
    pub(crate) fn join_alias(&mut self, path: &[String]) -> Result<(String, &'static ModelMeta)> {
        self.join(path)
    }

    /// A condition tree as an SQL expression.
    pub(crate) fn condition(&mut self, q: &Q) -> Result<Expr> {
        match &q.0 {
            QNode::And(items) => {
                let mut out: Option<Expr> = None;
                for item in items {
                    let expr = self.condition(item)?;
                    out = Some(match out {
                        Some(acc) => acc.and(expr),
                        None => expr,
                    });
                }
                Ok(out.unwrap_or_else(|| Expr::cust("1 = 1")))
            }
            QNode::Or(items) => {
                let mut out: Option<Expr> = None;
                for item in items {
                    let expr = self.condition(item)?;
                    out = Some(match out {
                        Some(acc) => acc.or(expr),
                        None => expr,
                    });
                }
                Ok(out.unwrap_or_else(|| Expr::cust("1 = 0")))
            }
            QNode::Not(inner) => Ok(self.condition(inner)?.not()),
            QNode::Lookup { path, part, op, operand } => self.lookup(path, *part, *op, operand),
            QNode::Compare(left, op, right) => {
                let left = self.expr(left)?;
                let right = self.expr(right)?;
                Ok(match op {
                    Op::Exact => left.eq(right),
                    Op::Ne => left.ne(right),
                    Op::Lt => left.lt(right),
                    Op::Lte => left.lte(right),
                    Op::Gt => left.gt(right),
                    Op::Gte => left.gte(right),
                    other => {
                        return Err(Error::invalid(format!(
                            "{other:?} cannot compare two expressions"
                        )));
                    }
                })
            }
            QNode::Related { field, inner } => self.related(field, inner),
            QNode::InSubquery { path, table, select, key_column, keys } => {
                let column = self.column(path)?;
                let mut sub = sea_query::Query::select();
                sub.column(*select)
                    .from(*table)
                    .and_where(Expr::col(*key_column).is_in(keys.clone()));
                Ok(column.expr.in_subquery(sub))
            }
            QNode::Named { path: named, value } => {
                let (path, part, op) = self.parse_named(named)?;
                let column_type = if part.is_some() {
                    ColumnType::Integer
                } else {
                    self.column(&path)?.field.column_type
                };
                let value = coerce_operand(value, op, column_type, named)?;
                self.lookup(&path, part, op, &value)
            }
        }
    }

    /// `pk IN (SELECT owner key FROM ... WHERE related row matches inner)`.
    fn related(&mut self, field: &str, inner: &Q) -> Result<Expr> {
        let root = self.root;
        let pk = Expr::col((Alias::new(self.root_alias()), root.pk_field().column));
        if let Some(m2m) = root.many_to_many.iter().find(|m| m.name == field) {
            let target = (m2m.target)();
            let (table, owner_column, target_column) = m2m.join_table()?;
            let mut matching = Compiler::new(self.backend, target);
            let mut targets = sea_query::Query::select();
            targets.column((Alias::new(target.table), target.pk_field().column)).from(target.table);
            targets.and_where(matching.condition(inner)?);
            matching.apply_joins(&mut targets);
            let mut links = sea_query::Query::select();
            links
                .column(owner_column)
                .from(table)
                .and_where(Expr::col(target_column).in_subquery(targets));
            return Ok(pk.in_subquery(links));
        }
        if let Some(reverse) = root.reverse.iter().find(|r| r.name == field) {
            let source = (reverse.source)();
            let via = reverse.via_field()?;
            let mut matching = Compiler::new(self.backend, source);
            let mut rows = sea_query::Query::select();
            rows.column((Alias::new(source.table), via.column)).from(source.table);
            // A NULL in `IN (...)` would make the negation (`exclude`) match nothing.
            rows.and_where(Expr::col((Alias::new(source.table), via.column)).is_not_null());
            rows.and_where(matching.condition(inner)?);
            matching.apply_joins(&mut rows);
            return Ok(pk.in_subquery(rows));
        }
        Err(Error::invalid(format!(
            "{}.{field} is not a many-to-many or reverse relation",
            root.name
        )))
    }

    /// Splits `author__created__year__gte` into the field path, a date part and a lookup,
    /// checking every field name against the models.
    fn parse_named(&mut self, named: &str) -> Result<(Path, Option<DatePart>, Op)> {
        let segments: Vec<&str> = named.split("__").collect();
        let mut meta = self.root;
        let mut path: Path = Vec::new();
        let mut i = 0;
        // The last relation crossed, to name it when the next segment is not one of its fields.
        let mut after_relation: Option<&'static ModelMeta> = None;
        while i < segments.len() {
            let field = Self::field_of(meta, segments[i])?;
            path.push(Cow::Owned(segments[i].to_owned()));
            i += 1;
            after_relation = None;
            if let (Some(relation), Some(next_name)) = (field.relation, segments.get(i)) {
                let next = (relation.model)();
                if Self::field_of(next, next_name).is_ok() {
                    meta = next;
                    continue;
                }
                after_relation = Some(next);
            }
            break;
        }
        let mut rest = &segments[i..];
        let part = match rest.first().and_then(|s| date_part(s)) {
            Some(part) => {
                rest = &rest[1..];
                Some(part)
            }
            None => None,
        };
        let op = match rest {
            [] => Op::Exact,
            [lookup] => match (Op::from_name(lookup), after_relation) {
                (Some(op), _) => op,
                (None, Some(target)) if part.is_none() => {
                    return Err(Error::unknown_field(target.name, *lookup));
                }
                (None, _) => {
                    return Err(Error::new(ErrorKind::UnknownLookup {
                        lookup: (*lookup).to_owned(),
                    }));
                }
            },
            [first, ..] => {
                return Err(Error::unknown_field(meta.name, *first));
            }
        };
        Ok((path, part, op))
    }

    fn lookup(
        &mut self,
        path: &Path,
        part: Option<DatePart>,
        op: Op,
        operand: &Operand,
    ) -> Result<Expr> {
        // PostgreSQL refuses NUL in text and SQLite's LIKE stops at it: refuse it everywhere.
        let has_nul = |v: &Value| matches!(v, Value::String(Some(s)) if s.contains('\0'));
        let nul = match operand {
            Operand::One(v) => has_nul(v),
            Operand::Two(a, b) => has_nul(a) || has_nul(b),
            Operand::Many(values) => values.iter().any(has_nul),
            Operand::Flag(_) => false,
        };
        if nul {
            // A value, usually from a client: the caller's fault (400 through `or_404`).
            return Err(Error::new(crate::ErrorKind::InvalidValue {
                field: path.join("__"),
                message: "contains a NUL character (\\0), which text columns cannot hold".into(),
            }));
        }
        let column = self.column(path)?;
        let nullable = column.field.nullable || column.joined;
        let mut col = column.expr.clone();
        if let Some(part) = part {
            col = self.backend.date_part(col, part);
        }
        let one = |operand: &Operand| -> Result<Value> {
            match operand {
                Operand::One(value) => Ok(value.clone()),
                _ => Err(Error::invalid(format!("the {op:?} lookup takes one value"))),
            }
        };
        let text = |operand: &Operand| -> Result<String> {
            match one(operand)? {
                Value::String(Some(s)) => Ok(s),
                other => {
                    Err(Error::invalid(format!("the {op:?} lookup takes text, not {other:?}")))
                }
            }
        };
        let expr = match op {
            Op::Exact => match one(operand)? {
                value if is_null(&value) => return Ok(col.is_null()),
                value => col.eq(value),
            },
            Op::Ne => match one(operand)? {
                value if is_null(&value) => return Ok(col.is_not_null()),
                value => col.ne(value),
            },
            Op::Lt => col.lt(one(operand)?),
            Op::Lte => col.lte(one(operand)?),
            Op::Gt => col.gt(one(operand)?),
            Op::Gte => col.gte(one(operand)?),
            // A case-insensitive LIKE without wildcards: the same folding as `icontains` on
            // every backend (Unicode on SQLite and PostgreSQL), and numbers compare as text.
            Op::IExact => self.backend.like(col, escape_like(&text(operand)?), true),
            Op::In => {
                let values = match operand {
                    Operand::Many(values) => values.clone(),
                    Operand::One(Value::Json(Some(json))) if json.is_array() => json
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(json_to_value)
                        .collect::<Result<_>>()?,
                    _ => return Err(Error::invalid("the in lookup takes a list of values")),
                };
                if values.is_empty() {
                    return Ok(Expr::cust("1 = 0"));
                }
                col.is_in(values)
            }
            Op::Between => match operand {
                Operand::Two(low, high) => col.between(low.clone(), high.clone()),
                Operand::One(Value::Json(Some(json)))
                    if json.as_array().is_some_and(|a| a.len() == 2) =>
                {
                    let pair = json.as_array().expect("checked");
                    col.between(json_to_value(&pair[0])?, json_to_value(&pair[1])?)
                }
                _ => return Err(Error::invalid("the range lookup takes two values")),
            },
            Op::Contains | Op::IContains => {
                let pattern = format!("%{}%", escape_like(&text(operand)?));
                self.backend.like(col, pattern, op == Op::IContains)
            }
            Op::StartsWith | Op::IStartsWith => {
                let pattern = format!("{}%", escape_like(&text(operand)?));
                self.backend.like(col, pattern, op == Op::IStartsWith)
            }
            Op::EndsWith | Op::IEndsWith => {
                let pattern = format!("%{}", escape_like(&text(operand)?));
                self.backend.like(col, pattern, op == Op::IEndsWith)
            }
            Op::Regex => self.backend.regex(col, text(operand)?),
            Op::IsNull => {
                let is_null = match operand {
                    Operand::Flag(flag) => *flag,
                    Operand::One(Value::Bool(Some(flag))) => *flag,
                    _ => return Err(Error::invalid("the isnull lookup takes true or false")),
                };
                return Ok(if is_null { col.is_null() } else { col.is_not_null() });
            }
        };
        // Django's semantics under negation: `exclude(x = 1)` keeps rows where x is NULL.
        // `x = 1 AND x IS NOT NULL` is the same condition, and its negation includes NULLs.
        Ok(if nullable { expr.and(column.expr.is_not_null()) } else { expr })
    }

    pub(crate) fn expr(&mut self, expr: &QExpr) -> Result<Expr> {
        Ok(match expr {
            QExpr::Field(path, None) => self.column(path)?.expr,
            QExpr::Field(path, Some(part)) => {
                let column = self.column(path)?.expr;
                self.backend.date_part(column, *part)
            }
            QExpr::Value(value) => Expr::val(value.clone()),
            QExpr::Binary(left, op, right) => {
                let left = self.expr(left)?;
                let right = self.expr(right)?;
                match op {
                    BinOp::Add => left.add(right),
                    BinOp::Sub => left.sub(right),
                    BinOp::Mul => left.mul(right),
                    BinOp::Div => left.div(right),
                }
            }
        })
    }

    /// Adds one ordering key.
    pub(crate) fn order(&mut self, select: &mut SelectStatement, order: &OrderBy) -> Result<()> {
        let mut column = self.column(&order.path)?.expr;
        if let Some(part) = order.part {
            column = self.backend.date_part(column, part);
        }
        let direction = if order.descending { Order::Desc } else { Order::Asc };
        match order.nulls {
            None => select.order_by_expr(column, direction),
            Some(crate::expr::Nulls::First) => {
                select.order_by_expr_with_nulls(column, direction, NullOrdering::First)
            }
            Some(crate::expr::Nulls::Last) => {
                select.order_by_expr_with_nulls(column, direction, NullOrdering::Last)
            }
        };
        Ok(())
    }
}

/// Converts a value given with a `__` path (often text from a URL) to the field's type, as
/// Django's `get_prep_value` does; a value that does not fit is an `InvalidValue` error.
fn coerce_operand(
    operand: &Operand,
    op: Op,
    column_type: ColumnType,
    field: &str,
) -> Result<Operand> {
    let text_lookup = matches!(
        op,
        Op::Contains
            | Op::IContains
            | Op::StartsWith
            | Op::IStartsWith
            | Op::EndsWith
            | Op::IEndsWith
            | Op::IExact
            | Op::Regex
    );
    let target = if text_lookup { ColumnType::Text } else { column_type };
    let one = |value: &Value| coerce(value.clone(), target, field);
    Ok(match operand {
        _ if op == Op::IsNull => operand.clone(),
        Operand::One(Value::Json(Some(json)))
            if matches!(op, Op::In | Op::Between) && json.is_array() =>
        {
            let values = json
                .as_array()
                .into_iter()
                .flatten()
                .map(|item| json_to_value(item).and_then(|v| coerce(v, target, field)))
                .collect::<Result<Vec<_>>>()?;
            match (op, values.as_slice()) {
                (Op::Between, [low, high]) => Operand::Two(low.clone(), high.clone()),
                (Op::Between, _) => {
                    return Err(invalid_value(field, "range takes exactly two values"));
                }
                _ => Operand::Many(values),
            }
        }
        Operand::One(value) => Operand::One(one(value)?),
        Operand::Two(low, high) => Operand::Two(one(low)?, one(high)?),
        Operand::Many(values) => Operand::Many(values.iter().map(one).collect::<Result<_>>()?),
        Operand::Flag(flag) => Operand::Flag(*flag),
    })
}

fn invalid_value(field: &str, message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidValue { field: field.to_owned(), message: message.into() })
}

fn coerce(value: Value, column_type: ColumnType, field: &str) -> Result<Value> {
    use ColumnType as C;
    if is_null(&value) {
        return Ok(value);
    }
    let bad = |text: &str, what: &str| invalid_value(field, format!("{text:?} is not {what}"));
    Ok(match (column_type, value) {
        (C::SmallInt | C::Integer | C::BigInt, Value::String(Some(s))) => {
            Value::BigInt(Some(s.trim().parse::<i64>().map_err(|_| bad(&s, "an integer"))?))
        }
        (C::SmallInt | C::Integer | C::BigInt, Value::Double(Some(f))) if f.fract() == 0.0 => {
            Value::BigInt(Some(f as i64))
        }
        (C::Float | C::Double, Value::String(Some(s))) => {
            Value::Double(Some(s.trim().parse::<f64>().map_err(|_| bad(&s, "a number"))?))
        }
        (C::Decimal, Value::String(Some(s))) => {
            Value::Decimal(Some(s.trim().parse().map_err(|_| bad(&s, "a decimal number"))?))
        }
        (C::Decimal, Value::BigInt(Some(n))) => Value::Decimal(Some(n.into())),
        (C::Decimal, Value::Int(Some(n))) => Value::Decimal(Some(n.into())),
        (C::Bool, Value::String(Some(s))) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Value::Bool(Some(true)),
            "false" | "0" | "no" | "off" => Value::Bool(Some(false)),
            _ => return Err(bad(&s, "true or false")),
        },
        (C::Bool, Value::BigInt(Some(n @ (0 | 1)))) => Value::Bool(Some(n == 1)),
        (C::Bool, Value::Int(Some(n @ (0 | 1)))) => Value::Bool(Some(n == 1)),
        (C::Date, Value::String(Some(s))) => Value::ChronoDate(Some(
            chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .map_err(|_| bad(&s, "a date (YYYY-MM-DD)"))?,
        )),
        (C::Time, Value::String(Some(s))) => Value::ChronoTime(Some(
            chrono::NaiveTime::parse_from_str(s.trim(), "%H:%M:%S%.f")
                .or_else(|_| chrono::NaiveTime::parse_from_str(s.trim(), "%H:%M"))
                .map_err(|_| bad(&s, "a time (HH:MM[:SS])"))?,
        )),
        (C::DateTime, Value::String(Some(s))) => Value::ChronoDateTime(Some(
            parse_naive_datetime(&s)
                .ok_or_else(|| bad(&s, "a date and time (YYYY-MM-DDTHH:MM:SS)"))?,
        )),
        (C::TimestampTz, Value::String(Some(s))) => Value::ChronoDateTimeUtc(Some(
            chrono::DateTime::parse_from_rfc3339(s.trim())
                .map(|t| t.with_timezone(&chrono::Utc))
                .ok()
                .or_else(|| parse_naive_datetime(&s).map(|t| t.and_utc()))
                .ok_or_else(|| bad(&s, "a date and time (RFC 3339)"))?,
        )),
        (C::Uuid, Value::String(Some(s))) => {
            Value::Uuid(Some(uuid::Uuid::parse_str(s.trim()).map_err(|_| bad(&s, "a UUID"))?))
        }
        (C::Text, Value::BigInt(Some(n))) => Value::String(Some(n.to_string())),
        (C::Text, Value::Int(Some(n))) => Value::String(Some(n.to_string())),
        (C::Text, Value::Double(Some(f))) => Value::String(Some(f.to_string())),
        (C::Text, Value::Bool(Some(b))) => Value::String(Some(b.to_string())),
        (_, value) => value,
    })
}

fn parse_naive_datetime(text: &str) -> Option<chrono::NaiveDateTime> {
    let text = text.trim();
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|format| chrono::NaiveDateTime::parse_from_str(text, format).ok())
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .map(|d| d.and_time(chrono::NaiveTime::MIN))
        })
}

fn date_part(name: &str) -> Option<DatePart> {
    match name {
        "year" => Some(DatePart::Year),
        "month" => Some(DatePart::Month),
        "day" => Some(DatePart::Day),
        _ => None,
    }
}

pub(crate) fn is_null(value: &Value) -> bool {
    matches!(
        value,
        Value::Bool(None)
            | Value::TinyInt(None)
            | Value::SmallInt(None)
            | Value::Int(None)
            | Value::BigInt(None)
            | Value::TinyUnsigned(None)
            | Value::SmallUnsigned(None)
            | Value::Unsigned(None)
            | Value::BigUnsigned(None)
            | Value::Float(None)
            | Value::Double(None)
            | Value::String(None)
            | Value::Char(None)
            | Value::Bytes(None)
            | Value::Json(None)
            | Value::ChronoDate(None)
            | Value::ChronoTime(None)
            | Value::ChronoDateTime(None)
            | Value::ChronoDateTimeUtc(None)
            | Value::Uuid(None)
            | Value::Decimal(None)
    )
}

fn json_to_value(json: &serde_json::Value) -> Result<Value> {
    Ok(match json {
        serde_json::Value::Null => Value::String(None),
        serde_json::Value::Bool(b) => Value::Bool(Some(*b)),
        serde_json::Value::Number(n) if n.is_i64() => Value::BigInt(n.as_i64()),
        serde_json::Value::Number(n) => Value::Double(n.as_f64()),
        serde_json::Value::String(s) => Value::String(Some(s.clone())),
        other => return Err(Error::invalid(format!("{other} cannot be compared with a column"))),
    })
}
