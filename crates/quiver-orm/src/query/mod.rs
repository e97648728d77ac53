//! `QuerySet<M>`: a lazy, chainable query. Nothing runs until an `async` method is awaited.

mod annotate;
mod compile;
mod write;

use std::borrow::Cow;
use std::marker::PhantomData;
use std::ops::{Bound, RangeBounds};

use sea_query::{Alias, Expr, LockType, Query, SelectStatement, Value};

pub use annotate::RelatedAggregate;
pub(crate) use compile::Compiler;
pub use write::Update;

use crate::error::{Error, ErrorKind, Result};
use crate::executor::{self, Executor, Statement};
use crate::expr::{Aggregate, AggregateFunction, OrderBy, Q};
use crate::field::Field;
use crate::model::Model;
use crate::relations::RelationField;
use crate::row::Row;
use crate::value::{ColumnType, FieldType};

/// A lazy query over model `M` (Django's QuerySet): chain `filter`, `exclude`, `order_by`,
/// slicing and the rest, then await a terminal method (`all`, `get`, `count`, ...) with the
/// [`Db`](crate::Db) or [`Transaction`](crate::Transaction) to run it on.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use quiver_orm::prelude::*;
///
/// #[derive(Model, Debug, Clone)]
/// pub struct Post {
///     pub id: Auto<i64>,
///     #[field(max_length = 100)]
///     pub title: String,
///     pub views: i64,
/// }
///
/// let db = Db::connect("sqlite::memory:").await?;
/// quiver_orm::schema::create_tables(&db, &[Post::meta()]).await?;
/// for (title, views) in [("Rust", 10), ("Go", 3), ("Rust again", 7)] {
///     Post { id: Auto::new(), title: title.into(), views }.insert(&db).await?;
/// }
///
/// let rust = Post::objects().filter(Post::TITLE.starts_with("Rust")).order_by([Post::VIEWS.desc()]);
/// assert_eq!(rust.count(&db).await?, 2);
/// let top = rust.first(&db).await?.unwrap();
/// assert_eq!(top.views, 10);
/// # Ok::<(), quiver_orm::Error>(())
/// # }).unwrap();
/// ```
pub struct QuerySet<M> {
    pub(crate) filters: Vec<Q>,
    order: Option<Vec<OrderBy>>,
    pub(crate) limit: Option<u64>,
    pub(crate) offset: Option<u64>,
    distinct: bool,
    select_related: Vec<Vec<&'static str>>,
    prefetch: Vec<&'static str>,
    for_update: bool,
    annotations: Vec<RelatedAggregate>,
    /// A mistake found while building (e.g. an unknown field name); reported when run.
    pub(crate) error: Option<String>,
    _model: PhantomData<fn() -> M>,
}

impl<M> Clone for QuerySet<M> {
    fn clone(&self) -> Self {
        QuerySet {
            filters: self.filters.clone(),
            order: self.order.clone(),
            limit: self.limit,
            offset: self.offset,
            distinct: self.distinct,
            select_related: self.select_related.clone(),
            prefetch: self.prefetch.clone(),
            for_update: self.for_update,
            annotations: self.annotations.clone(),
            error: self.error.clone(),
            _model: PhantomData,
        }
    }
}

impl<M> std::fmt::Debug for QuerySet<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuerySet")
            .field("filters", &self.filters)
            .field("order", &self.order)
            .field("limit", &self.limit)
            .field("offset", &self.offset)
            .finish_non_exhaustive()
    }
}

impl<M: Model> Default for QuerySet<M> {
    fn default() -> Self {
        QuerySet::new()
    }
}

impl<M: Model> QuerySet<M> {
    /// All rows of `M` (same as `M::objects()`).
    pub fn new() -> Self {
        QuerySet {
            filters: Vec::new(),
            order: None,
            limit: None,
            offset: None,
            distinct: false,
            select_related: Vec::new(),
            prefetch: Vec::new(),
            for_update: false,
            annotations: Vec::new(),
            error: None,
            _model: PhantomData,
        }
    }

    /// Keeps rows matching `q` (ANDed with earlier filters).
    pub fn filter(mut self, q: Q) -> Self {
        self.filters.push(q);
        self
    }

    /// Drops rows matching `q`. Like Django, rows where a nullable field is NULL are kept.
    pub fn exclude(mut self, q: Q) -> Self {
        self.filters.push(!q);
        self
    }

    /// Filters by a Django-style path and a value: `filter_path("author__name__iexact", "ada")`.
    /// Unknown fields and lookups are errors when the query runs.
    pub fn filter_path(self, path: &str, value: impl Into<Value>) -> Self {
        self.filter(Q::path(path, value))
    }

    /// Replaces the ordering (several keys: first key first).
    pub fn order_by<O: Into<OrderBy>>(mut self, keys: impl IntoIterator<Item = O>) -> Self {
        self.order = Some(keys.into_iter().map(Into::into).collect());
        self
    }

    /// Replaces the ordering with Django-style names, e.g. from a `?ordering=` parameter:
    /// `["-created_at", "author__name"]`. Names are checked against the model when the query
    /// runs; an unknown name is an [`ErrorKind::UnknownField`] error, never SQL.
    pub fn order_by_names<S: AsRef<str>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.order = Some(names.into_iter().map(|n| OrderBy::parse(n.as_ref())).collect());
        self
    }

    /// Removes any ordering, even the model's default.
    pub fn unordered(mut self) -> Self {
        self.order = Some(Vec::new());
        self
    }

    /// Reverses the ordering (the model's default, or the primary key, when none is set).
    pub fn reverse(mut self) -> Self {
        if self.is_sliced() {
            self.error =
                Some("reverse() of a sliced query is ambiguous: reverse before slicing".into());
        }
        let mut order = self.effective_order();
        for key in &mut order {
            key.descending = !key.descending;
            key.nulls = key.nulls.map(|n| match n {
                crate::Nulls::First => crate::Nulls::Last,
                crate::Nulls::Last => crate::Nulls::First,
            });
        }
        self.order = Some(order);
        self
    }

    /// `SELECT DISTINCT`.
    pub fn distinct(mut self) -> Self {
        self.distinct = true;
        self
    }

    /// Rows `range` of the result (Django's slicing): `slice(10..20)` is `LIMIT 10 OFFSET 10`.
    pub fn slice(mut self, range: impl RangeBounds<u64>) -> Self {
        let start = match range.start_bound() {
            Bound::Included(&n) => n,
            Bound::Excluded(&n) => n + 1,
            Bound::Unbounded => 0,
        };
        let end = match range.end_bound() {
            Bound::Included(&n) => Some(n + 1),
            Bound::Excluded(&n) => Some(n),
            Bound::Unbounded => None,
        };
        // The range is relative to the rows already selected.
        let offset = self.offset.unwrap_or(0) + start;
        let mut limit = self.limit.map(|limit| limit.saturating_sub(start));
        if let Some(end) = end {
            let count = end.saturating_sub(start);
            limit = Some(limit.map_or(count, |limit| limit.min(count)));
        }
        self.offset = (offset > 0).then_some(offset);
        self.limit = limit;
        self
    }

    /// At most `n` rows.
    pub fn limit(mut self, n: u64) -> Self {
        self.limit = Some(n);
        self
    }

    /// Skips `n` rows.
    pub fn offset(mut self, n: u64) -> Self {
        self.offset = Some(n);
        self
    }

    /// Loads relation `field` in the same query (a `LEFT JOIN`); the instance is then in
    /// `row.field.get()`. A path follows relations of relations, loading every step:
    /// `select_related(Node::PARENT.then(Node::PARENT))` loads the parent and its parent.
    pub fn select_related<T: RelationField>(mut self, field: Field<M, T>) -> Self {
        let path: Vec<&'static str> = field.relation_names();
        // Each step of a path is loaded, so select its prefixes too (once).
        for end in 1..=path.len() {
            let prefix = path[..end].to_vec();
            if !self.select_related.contains(&prefix) {
                self.select_related.push(prefix);
            }
        }
        self
    }

    /// Loads relation `field` (a foreign key, a [`ManyToMany`](crate::ManyToMany) or a
    /// [`Reverse`](crate::Reverse) set) for all rows with one more query each.
    pub fn prefetch_related<T: crate::relations::Prefetch>(mut self, field: Field<M, T>) -> Self {
        if field.is_path() {
            self.error = Some(format!(
                "prefetch_related takes a relation of the model itself, not the path {field:?}"
            ));
        }
        self.prefetch.push(field.name());
        self
    }

    /// `SELECT ... FOR UPDATE`: locks the rows until the transaction ends (on SQLite the
    /// transaction already holds the only write lock, so nothing is added).
    pub fn select_for_update(mut self) -> Self {
        self.for_update = true;
        self
    }

    pub(crate) fn effective_order(&self) -> Vec<OrderBy> {
        match &self.order {
            Some(order) => order.clone(),
            None => M::meta().ordering.iter().map(|name| OrderBy::parse(name)).collect(),
        }
    }

    fn is_sliced(&self) -> bool {
        self.limit.is_some() || self.offset.is_some()
    }

    fn check(&self) -> Result<()> {
        match &self.error {
            Some(message) => Err(Error::invalid(message.clone())),
            None => Ok(()),
        }
    }

    /// The `WHERE` clause, joins collected in `compiler`.
    pub(crate) fn where_expr(&self, compiler: &mut Compiler) -> Result<Option<Expr>> {
        let mut out: Option<Expr> = None;
        for q in &self.filters {
            let expr = compiler.condition(q)?;
            out = Some(match out {
                Some(acc) => sea_query::ExprTrait::and(acc, expr),
                None => expr,
            });
        }
        Ok(out)
    }

    /// The full `SELECT` of the model's columns (and select_related columns), with the
    /// offsets at which each related instance starts.
    fn select(
        &self,
        executor: &impl Executor,
        order: &[OrderBy],
    ) -> Result<(SelectStatement, Vec<crate::relations::Loaded>)> {
        let (select, related, _) = self.select_annotated(executor, order)?;
        Ok((select, related))
    }

    /// [`Self::select`] plus the annotation columns at the end: `(name, type, places)`.
    #[allow(clippy::type_complexity)]
    fn select_annotated(
        &self,
        executor: &impl Executor,
        order: &[OrderBy],
    ) -> Result<(
        SelectStatement,
        Vec<crate::relations::Loaded>,
        Vec<(String, ColumnType, Option<u8>, usize)>,
    )> {
        self.check()?;
        let backend = executor.backend();
        let meta = M::meta();
        let mut compiler = Compiler::new(backend, meta);
        let mut select = Query::select();
        let root = compiler.root_alias();
        select.from(meta.table);
        for field in meta.fields {
            select.column((Alias::new(root), field.column));
        }
        // Shorter paths first, so each relation is decoded after its parent's columns exist.
        let mut paths = self.select_related.clone();
        paths.sort_by_key(|p| p.len());
        let mut flat: Vec<(Vec<&'static str>, usize)> = Vec::new();
        let mut offset = meta.fields.len();
        for path in &paths {
            let names: Vec<String> = path.iter().map(|s| (*s).to_owned()).collect();
            let (alias, target) = compiler.join_alias(&names)?;
            for field in target.fields {
                select.column((Alias::new(alias.clone()), field.column));
            }
            flat.push((path.clone(), offset));
            offset += target.fields.len();
        }
        let related = crate::relations::Loaded::tree(&flat, &[]);
        let mut annotations = Vec::new();
        let mut annotation_exprs = Vec::new();
        for (i, annotation) in self.annotations.iter().enumerate() {
            let (expr, column_type, places) = annotation.compile(&compiler, i + 1)?;
            select.expr(expr.clone());
            annotation_exprs.push((annotation.alias_name(), expr));
            // Annotation columns come after the model's and the related models' columns.
            annotations.push((annotation.alias_name(), column_type, places, offset + i));
        }
        if let Some(condition) = self.where_expr(&mut compiler)? {
            select.and_where(condition);
        }
        for key in order {
            // An annotation's name orders by its value.
            let annotation = match key.path.as_slice() {
                [name] => annotation_exprs.iter().find(|(alias, _)| alias == name),
                _ => None,
            };
            match annotation {
                Some((_, expr)) => {
                    let direction =
                        if key.descending { sea_query::Order::Desc } else { sea_query::Order::Asc };
                    select.order_by_expr(expr.clone(), direction);
                }
                None => compiler.order(&mut select, key)?,
            }
        }
        compiler.apply_joins(&mut select);
        if self.distinct {
            select.distinct();
        }
        if let Some(limit) = self.limit {
            select.limit(limit);
        } else if self.offset.is_some() && backend != crate::Backend::Postgres {
            // SQLite and MySQL need a LIMIT before an OFFSET.
            select.limit(i64::MAX as u64);
        }
        if let Some(offset) = self.offset {
            select.offset(offset);
        }
        if self.for_update && backend.features().select_for_update {
            if backend == crate::Backend::Postgres {
                // Lock the model's rows only: PostgreSQL refuses to lock the nullable side of
                // the LEFT JOINs that relation filters and select_related add.
                select.lock_with_tables(LockType::Update, [meta.table]);
            } else {
                select.lock(LockType::Update);
            }
        }
        Ok((select, related, annotations))
    }

    async fn fetch_ordered(&self, executor: &impl Executor, order: &[OrderBy]) -> Result<Vec<M>> {
        if self.for_update
            && let crate::Target::Db(db) = executor.target()
            && db.current_transaction().is_none()
        {
            return Err(Error::invalid(
                "select_for_update locks rows until the transaction ends: run it inside db.atomic(...)",
            ));
        }
        let (select, related) = self.select(executor, order)?;
        let statement = Statement::new(executor.backend(), &select, self.for_update);
        let mut rows = executor::fetch(executor, statement, |row| {
            let mut instance = M::from_row(row, 0)?;
            for loaded in &related {
                instance.load_related(loaded, row)?;
            }
            Ok(instance)
        })
        .await?;
        for name in &self.prefetch {
            crate::relations::prefetch(executor, &mut rows, name).await?;
        }
        Ok(rows)
    }

    /// Adds an aggregate over each row's related rows (Django's `annotate`), read with
    /// [`QuerySet::all_annotated`]; its name can be used in [`QuerySet::order_by_names`].
    pub fn annotate(mut self, aggregate: RelatedAggregate) -> Self {
        self.annotations.push(aggregate);
        self
    }

    /// Runs the query and returns every row with its annotations.
    pub async fn all_annotated(&self, executor: &impl Executor) -> Result<Vec<Annotated<M>>> {
        if self.annotations.is_empty() {
            return Ok(self
                .all(executor)
                .await?
                .into_iter()
                .map(|row| Annotated { row, values: Default::default() })
                .collect());
        }
        let order = self.effective_order();
        let (select, related, annotations) = self.select_annotated(executor, &order)?;
        let meta = M::meta();
        let statement = Statement::new(executor.backend(), &select, self.for_update);
        let mut rows = executor::fetch(executor, statement, |row| {
            let mut instance = M::from_row(row, 0)?;
            for loaded in &related {
                instance.load_related(loaded, row)?;
            }
            let mut values = serde_json::Map::new();
            for (name, column_type, places, index) in &annotations {
                let value = aggregate_json(row, *index, *column_type, *places, meta.name, name)?;
                values.insert(name.clone(), value);
            }
            Ok(Annotated { row: instance, values })
        })
        .await?;
        if !self.prefetch.is_empty() {
            let (mut instances, values): (Vec<M>, Vec<_>) =
                rows.into_iter().map(|a| (a.row, a.values)).unzip();
            for name in &self.prefetch {
                crate::relations::prefetch(executor, &mut instances, name).await?;
            }
            rows = instances
                .into_iter()
                .zip(values)
                .map(|(row, values)| Annotated { row, values })
                .collect();
        }
        Ok(rows)
    }

    /// Runs the query and returns every row.
    pub async fn all(&self, executor: &impl Executor) -> Result<Vec<M>> {
        self.fetch_ordered(executor, &self.effective_order()).await
    }

    /// The only matching row; [`ErrorKind::NotFound`] or
    /// [`ErrorKind::MultipleObjectsReturned`] otherwise.
    pub async fn get(&self, executor: &impl Executor) -> Result<M> {
        let mut query = self.clone();
        query.limit = Some(query.limit.map_or(2, |l| l.min(2)));
        // Ordering only matters when a slice picks the rows.
        let order = if self.is_sliced() { self.effective_order() } else { Vec::new() };
        let mut rows = query.fetch_ordered(executor, &order).await?;
        match rows.len() {
            0 => Err(Error::not_found(M::meta().name)),
            1 => Ok(rows.pop().expect("one row")),
            count => {
                Err(Error::new(ErrorKind::MultipleObjectsReturned { model: M::meta().name, count }))
            }
        }
    }

    /// The first row in the ordering (by primary key when there is none), if any.
    pub async fn first(&self, executor: &impl Executor) -> Result<Option<M>> {
        let mut order = self.effective_order();
        if order.is_empty() {
            order.push(OrderBy::parse(M::meta().pk_field().name));
        }
        let mut query = self.clone();
        query.limit = Some(1);
        Ok(query.fetch_ordered(executor, &order).await?.pop())
    }

    /// The last row in the ordering (by primary key when there is none), if any.
    pub async fn last(&self, executor: &impl Executor) -> Result<Option<M>> {
        let mut query = self.clone();
        if query.effective_order().is_empty() {
            query.order = Some(vec![OrderBy::parse(M::meta().pk_field().name)]);
        }
        query.reverse().first(executor).await
    }

    /// The number of matching rows (`SELECT COUNT(*)`).
    pub async fn count(&self, executor: &impl Executor) -> Result<u64> {
        self.check()?;
        let backend = executor.backend();
        let select = if self.limit.is_some() || self.offset.is_some() || self.distinct {
            let (inner, _) = self.select(executor, &[])?;
            let mut outer = Query::select();
            outer.expr(Expr::cust("COUNT(*)")).from_subquery(inner, Alias::new("counted"));
            outer
        } else {
            let mut compiler = Compiler::new(backend, M::meta());
            let mut select = Query::select();
            select.expr(Expr::cust("COUNT(*)")).from(M::meta().table);
            if let Some(condition) = self.where_expr(&mut compiler)? {
                select.and_where(condition);
            }
            compiler.apply_joins(&mut select);
            select
        };
        let statement = Statement::new(backend, &select, false);
        let counts = executor::fetch(executor, statement, |row| {
            i64::decode(row, 0).map_err(|e| Error::decode(M::meta().name, "COUNT(*)", e))
        })
        .await?;
        Ok(counts.first().copied().unwrap_or(0) as u64)
    }

    /// True when at least one row matches (`SELECT 1 ... LIMIT 1`).
    pub async fn exists(&self, executor: &impl Executor) -> Result<bool> {
        self.check()?;
        if self.is_sliced() || self.distinct {
            return Ok(self.count(executor).await? > 0);
        }
        let backend = executor.backend();
        let mut compiler = Compiler::new(backend, M::meta());
        let mut select = Query::select();
        select.expr(Expr::cust("1")).from(M::meta().table).limit(1);
        if let Some(condition) = self.where_expr(&mut compiler)? {
            select.and_where(condition);
        }
        compiler.apply_joins(&mut select);
        let statement = Statement::new(backend, &select, false);
        let rows = executor::fetch(executor, statement, |_| Ok(())).await?;
        Ok(!rows.is_empty())
    }

    /// The SQL the query would run, for this executor's backend, with `?`/`$n` placeholders.
    pub fn sql(&self, executor: &impl Executor) -> Result<String> {
        let (select, _) = self.select(executor, &self.effective_order())?;
        Ok(executor.backend().build(&select).0)
    }

    /// The database's plan for the query (`EXPLAIN`; `EXPLAIN QUERY PLAN` on SQLite), one
    /// line per row of the plan.
    pub async fn explain(&self, executor: &impl Executor) -> Result<String> {
        let (select, _) = self.select(executor, &self.effective_order())?;
        let backend = executor.backend();
        let (sql, values) = backend.build(&select);
        let prefix =
            if backend.features().explain_query_plan { "EXPLAIN QUERY PLAN " } else { "EXPLAIN " };
        let statement = Statement { sql: format!("{prefix}{sql}"), values, write: false };
        let lines = executor::fetch(executor, statement, |row| Ok(explain_line(row))).await?;
        Ok(lines.join("\n"))
    }

    /// Rows as JSON objects of the named fields (Django's `values()`); names may follow
    /// relations (`author__name`). An empty list means every field of the model.
    pub async fn values<S: AsRef<str>>(
        &self,
        executor: &impl Executor,
        names: impl IntoIterator<Item = S>,
    ) -> Result<Vec<serde_json::Map<String, serde_json::Value>>> {
        self.check()?;
        let mut names: Vec<String> = names.into_iter().map(|n| n.as_ref().to_owned()).collect();
        if names.is_empty() {
            names = M::meta().fields.iter().map(|f| f.name.to_owned()).collect();
        }
        let backend = executor.backend();
        let mut compiler = Compiler::new(backend, M::meta());
        let mut select = Query::select();
        select.from(M::meta().table);
        let mut types = Vec::new();
        for name in &names {
            let column = compiler.column(&split_path(name))?;
            types.push(column.field.column_type);
            select.expr(column.expr);
        }
        self.finish_select(&mut compiler, &mut select)?;
        let statement = Statement::new(backend, &select, false);
        executor::fetch(executor, statement, |row| {
            let mut object = serde_json::Map::new();
            for (i, name) in names.iter().enumerate() {
                object.insert(name.clone(), json_column(row, i, types[i], M::meta().name)?);
            }
            Ok(object)
        })
        .await
    }

    /// One field of every row, typed: `values_list(Post::TITLE)` is `Vec<String>`
    /// (Django's `values_list(flat=True)`).
    pub async fn values_list<T: FieldType>(
        &self,
        executor: &impl Executor,
        field: Field<M, T>,
    ) -> Result<Vec<T>> {
        self.check()?;
        let backend = executor.backend();
        let mut compiler = Compiler::new(backend, M::meta());
        let mut select = Query::select();
        select.from(M::meta().table);
        let name = field.name();
        let part = field.date_part();
        let column = compiler.column(&field.into_path())?;
        select.expr(match part {
            Some(part) => backend.date_part(column.expr, part),
            None => column.expr,
        });
        self.finish_select(&mut compiler, &mut select)?;
        let statement = Statement::new(backend, &select, false);
        executor::fetch(executor, statement, |row| {
            T::decode(row, 0).map_err(|e| Error::decode(M::meta().name, name, e))
        })
        .await
    }

    /// Where, order, joins, distinct and slicing for a `values`-style select.
    fn finish_select(&self, compiler: &mut Compiler, select: &mut SelectStatement) -> Result<()> {
        if let Some(condition) = self.where_expr(compiler)? {
            select.and_where(condition);
        }
        // DISTINCT rows cannot be ordered by columns they do not select: the model's default
        // ordering is dropped there (an explicit one is kept).
        let order =
            if self.distinct && self.order.is_none() { Vec::new() } else { self.effective_order() };
        for key in &order {
            compiler.order(select, key)?;
        }
        compiler.apply_joins(select);
        if self.distinct {
            select.distinct();
        }
        if let Some(limit) = self.limit {
            select.limit(limit);
        } else if self.offset.is_some() && compiler.backend != crate::Backend::Postgres {
            select.limit(i64::MAX as u64);
        }
        if let Some(offset) = self.offset {
            select.offset(offset);
        }
        Ok(())
    }

    /// Aggregates over all matching rows (Django's `aggregate()`), as one JSON object keyed
    /// by each aggregate's alias (default `<field>__<function>`, `count` for `count::all()`).
    pub async fn aggregate(
        &self,
        executor: &impl Executor,
        aggregates: impl IntoIterator<Item = Aggregate>,
    ) -> Result<serde_json::Map<String, serde_json::Value>> {
        let mut rows = self.aggregate_by(executor, Vec::<&str>::new(), aggregates).await?;
        Ok(rows.pop().unwrap_or_default())
    }

    /// Aggregates per group of `group_by` fields (Django's `values(...).annotate(...)`): one
    /// JSON object per group, with the group's fields and the aggregates.
    pub async fn aggregate_by<S: AsRef<str>>(
        &self,
        executor: &impl Executor,
        group_by: impl IntoIterator<Item = S>,
        aggregates: impl IntoIterator<Item = Aggregate>,
    ) -> Result<Vec<serde_json::Map<String, serde_json::Value>>> {
        self.check()?;
        if self.is_sliced() {
            return Err(Error::invalid(
                "aggregates over a slice are not supported: filter the rows instead of slicing them",
            ));
        }
        let backend = executor.backend();
        let mut compiler = Compiler::new(backend, M::meta());
        let mut select = Query::select();
        select.from(M::meta().table);
        // (name, type, decimal places to round to)
        let mut columns: Vec<(String, ColumnType, Option<u8>)> = Vec::new();
        for name in group_by {
            let name = name.as_ref().to_owned();
            let column = compiler.column(&split_path(&name))?;
            select.expr(column.expr.clone());
            select.add_group_by([column.expr]);
            columns.push((name, column.field.column_type, None));
        }
        for aggregate in aggregates {
            let mut places = None;
            let (expr, column_type) = match &aggregate.path {
                None => (Expr::cust("COUNT(*)"), ColumnType::BigInt),
                Some(path) => {
                    let column = compiler.column(path)?;
                    let field_type = column.field.column_type;
                    let call = |name: &str| {
                        let distinct = if aggregate.distinct { "DISTINCT " } else { "" };
                        backend.custom(&format!("{name}({distinct}?)"), [column.expr.clone()])
                    };
                    let integer = matches!(
                        field_type,
                        ColumnType::SmallInt | ColumnType::Integer | ColumnType::BigInt
                    );
                    match aggregate.function {
                        AggregateFunction::Count => (call("COUNT"), ColumnType::BigInt),
                        AggregateFunction::Sum if integer => {
                            (backend.cast(call("SUM"), ColumnType::BigInt), ColumnType::BigInt)
                        }
                        // Money stays decimal (SQLite computes in floats: round to the field's
                        // places).
                        AggregateFunction::Sum | AggregateFunction::Avg
                            if field_type == ColumnType::Decimal =>
                        {
                            places = column.field.decimal_places.or(Some(4));
                            if aggregate.function == AggregateFunction::Avg {
                                places = places.map(|p| p.max(6));
                            }
                            let name = if aggregate.function == AggregateFunction::Sum {
                                "SUM"
                            } else {
                                "AVG"
                            };
                            (call(name), ColumnType::Decimal)
                        }
                        AggregateFunction::Sum | AggregateFunction::Avg => {
                            let name = if aggregate.function == AggregateFunction::Sum {
                                "SUM"
                            } else {
                                "AVG"
                            };
                            (backend.cast(call(name), ColumnType::Double), ColumnType::Double)
                        }
                        AggregateFunction::Min => (call("MIN"), field_type),
                        AggregateFunction::Max => (call("MAX"), field_type),
                    }
                }
            };
            select.expr(expr);
            columns.push((aggregate.alias_name(), column_type, places));
        }
        if let Some(condition) = self.where_expr(&mut compiler)? {
            select.and_where(condition);
        }
        compiler.apply_joins(&mut select);
        let statement = Statement::new(backend, &select, false);
        executor::fetch(executor, statement, |row| {
            let mut object = serde_json::Map::new();
            for (i, (name, column_type, places)) in columns.iter().enumerate() {
                let value = aggregate_json(row, i, *column_type, *places, M::meta().name, name)?;
                object.insert(name.clone(), value);
            }
            Ok(object)
        })
        .await
    }

    /// Streams the rows in chunks of `chunk_size` (each chunk one query), so large results
    /// never sit in memory at once. The ordering is kept, with the primary key added as a
    /// tie-breaker so chunks never overlap.
    pub fn chunks<'e, E: Executor>(
        &self,
        executor: &'e E,
        chunk_size: u64,
    ) -> impl futures_util::Stream<Item = Result<Vec<M>>> + Send + 'e
    where
        M: 'e,
    {
        let mut order = self.effective_order();
        order.push(OrderBy::parse(M::meta().pk_field().name));
        let base = self.clone();
        let start = base.offset.unwrap_or(0);
        let end = base.limit.map(|limit| start + limit);
        let chunk_size = chunk_size.max(1);
        futures_util::stream::unfold(Some(start), move |next| {
            let base = base.clone();
            let order = order.clone();
            async move {
                let offset = next?;
                let size = match end {
                    Some(end) if offset >= end => return None,
                    Some(end) => chunk_size.min(end - offset),
                    None => chunk_size,
                };
                let mut query = base;
                query.offset = Some(offset);
                query.limit = Some(size);
                match query.fetch_ordered(executor, &order).await {
                    Ok(rows) if rows.is_empty() => None,
                    Ok(rows) => {
                        let next = (rows.len() as u64 == size).then_some(offset + size);
                        Some((Ok(rows), next))
                    }
                    Err(error) => Some((Err(error), None)),
                }
            }
        })
    }

    /// Starts an `UPDATE` of the matching rows; add fields with `set`/`set_expr`, then
    /// `execute`.
    pub fn update(self) -> Update<M> {
        Update::new(self)
    }

    /// Deletes the matching rows; returns how many. Foreign keys pointing at them act as
    /// their `on_delete` says (the database enforces it): cascade deletes, protect/restrict
    /// refuse with [`ErrorKind::ForeignKeyViolation`], set null/default update.
    pub async fn delete(&self, executor: &impl Executor) -> Result<u64> {
        write::delete(self, executor).await
    }
}

/// A row with the values of its annotations (`QuerySet::all_annotated`); derefs to the row.
/// Serializes as the row's fields plus the annotations.
#[derive(Debug, Clone)]
pub struct Annotated<M> {
    /// The instance.
    pub row: M,
    /// The annotations by name.
    pub values: serde_json::Map<String, serde_json::Value>,
}

impl<M> std::ops::Deref for Annotated<M> {
    type Target = M;
    fn deref(&self) -> &M {
        &self.row
    }
}

impl<M: serde::Serialize> serde::Serialize for Annotated<M> {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::Error as _;
        let mut object = match serde_json::to_value(&self.row).map_err(S::Error::custom)? {
            serde_json::Value::Object(object) => object,
            _ => return Err(S::Error::custom("an annotated row must serialize as an object")),
        };
        object.extend(self.values.clone());
        object.serialize(serializer)
    }
}

pub(crate) fn split_path(name: &str) -> Vec<Cow<'static, str>> {
    name.split("__").map(|s| Cow::Owned(s.to_owned())).collect()
}

fn explain_line(row: &Row<'_>) -> String {
    (0..row.len()).filter_map(|i| row.text(i)).collect::<Vec<_>>().join(" | ")
}

/// Reads an aggregate's column as JSON: decimals rounded to `places` (SQLite sums decimals in
/// floating point), other types as [`json_column`] reads them.
fn aggregate_json(
    row: &Row<'_>,
    index: usize,
    column_type: ColumnType,
    places: Option<u8>,
    model: &'static str,
    name: &str,
) -> Result<serde_json::Value> {
    let Some(places) = places else { return json_column(row, index, column_type, model) };
    match <Option<rust_decimal::Decimal>>::decode(row, index) {
        Ok(Some(mut d)) => {
            d.rescale(u32::from(places));
            Ok(serde_json::Value::String(d.to_string()))
        }
        Ok(None) => Ok(serde_json::Value::Null),
        Err(e) => Err(Error::decode(model, name, e)),
    }
}

/// Reads column `index` as JSON, by the field's column type.
pub(crate) fn json_column(
    row: &Row<'_>,
    index: usize,
    column_type: ColumnType,
    model: &'static str,
) -> Result<serde_json::Value> {
    use serde_json::Value as J;
    fn to_json<T: FieldType + serde::Serialize>(
        row: &Row<'_>,
        index: usize,
    ) -> std::result::Result<J, crate::DecodeError> {
        Ok(match <Option<T> as FieldType>::decode(row, index)? {
            Some(value) => serde_json::to_value(value).map_err(crate::DecodeError::new)?,
            None => J::Null,
        })
    }
    let value = match column_type {
        ColumnType::Bool => to_json::<bool>(row, index),
        ColumnType::SmallInt => to_json::<i16>(row, index),
        ColumnType::Integer => to_json::<i32>(row, index),
        ColumnType::BigInt => to_json::<i64>(row, index),
        ColumnType::Float => to_json::<f32>(row, index),
        ColumnType::Double => to_json::<f64>(row, index),
        ColumnType::Text => to_json::<String>(row, index),
        ColumnType::Decimal => to_json::<rust_decimal::Decimal>(row, index),
        ColumnType::Date => to_json::<chrono::NaiveDate>(row, index),
        ColumnType::Time => to_json::<chrono::NaiveTime>(row, index),
        ColumnType::DateTime => to_json::<chrono::NaiveDateTime>(row, index),
        ColumnType::TimestampTz => to_json::<chrono::DateTime<chrono::Utc>>(row, index),
        ColumnType::Uuid => to_json::<uuid::Uuid>(row, index),
        ColumnType::Json => to_json::<serde_json::Value>(row, index),
        ColumnType::Bytes => to_json::<Vec<u8>>(row, index),
    };
    value.map_err(|e| Error::decode(model, index.to_string(), e))
}
