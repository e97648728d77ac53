//! Writes: `UPDATE` and `DELETE` of a QuerySet.

use sea_query::{Alias, Expr, ExprTrait, Query, SelectStatement, Value};

use super::{Compiler, QuerySet};
use crate::error::{Error, Result};
use crate::executor::{self, Executor, Statement};
use crate::expr::Expr as QExpr;
use crate::field::Field;
use crate::model::Model;
use crate::value::FieldType;

/// An `UPDATE` of the rows of a [`QuerySet`]: `set` fields to values or to expressions over
/// the row (`F(Post::VIEWS) + 1`, applied atomically by the database), then `execute`.
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// use quiver_orm::prelude::*;
///
/// #[derive(Model, Debug)]
/// pub struct Post {
///     pub id: Auto<i64>,
///     pub views: i64,
///     pub hidden: bool,
/// }
///
/// let db = Db::connect("sqlite::memory:").await?;
/// quiver_orm::schema::create_tables(&db, &[Post::meta()]).await?;
/// let mut post = Post { id: Auto::new(), views: 1, hidden: false };
/// post.insert(&db).await?;
///
/// let changed = Post::objects()
///     .filter(Post::ID.eq(post.id.value()))
///     .update()
///     .set_expr(Post::VIEWS, F(Post::VIEWS) + 1)
///     .set(Post::HIDDEN, true)
///     .execute(&db)
///     .await?;
/// assert_eq!(changed, 1);
/// post.refresh_from_db(&db).await?;
/// assert_eq!((post.views, post.hidden), (2, true));
/// # Ok::<(), quiver_orm::Error>(())
/// # }).unwrap();
/// ```
pub struct Update<M> {
    query: QuerySet<M>,
    values: Vec<(&'static str, SetValue)>,
}

enum SetValue {
    Value(Value),
    Expr(QExpr),
}

impl<M: Model> Update<M> {
    pub(crate) fn new(query: QuerySet<M>) -> Self {
        Update { query, values: Vec::new() }
    }

    /// Sets `field` to `value`.
    pub fn set<T: FieldType>(mut self, field: Field<M, T>, value: impl Into<T>) -> Self {
        self.refuse_path(&field);
        self.values.push((field.name(), SetValue::Value(value.into().to_value())));
        self
    }

    /// Sets the field named `name` to `value`, for code that only has names (the admin's
    /// forms). An unknown name is an error when the update runs, never SQL.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use quiver_orm::prelude::*;
    ///
    /// #[derive(Model, Debug)]
    /// pub struct Post { pub id: Auto<i64>, pub views: i64 }
    ///
    /// let db = Db::connect("sqlite::memory:").await?;
    /// quiver_orm::schema::create_tables(&db, &[Post::meta()]).await?;
    /// Post { id: Auto::new(), views: 1 }.insert(&db).await?;
    /// Post::objects().update().set_value("views", 5i64).execute(&db).await?;
    /// assert_eq!(Post::objects().get(&db).await?.views, 5);
    /// let error = Post::objects().update().set_value("nope", 1i64).execute(&db).await.unwrap_err();
    /// assert!(error.to_string().contains("nope"));
    /// # Ok::<(), quiver_orm::Error>(())
    /// # }).unwrap();
    /// ```
    pub fn set_value(mut self, name: &str, value: impl Into<Value>) -> Self {
        match M::meta().field(name) {
            Some(field) => self.values.push((field.name, SetValue::Value(value.into()))),
            None => {
                self.query.error = Some(Error::unknown_field(M::meta().name, name).to_string());
            }
        }
        self
    }

    /// Sets `field` to an expression over the row (evaluated by the database).
    pub fn set_expr<T: FieldType>(mut self, field: Field<M, T>, expr: impl Into<QExpr>) -> Self {
        self.refuse_path(&field);
        self.values.push((field.name(), SetValue::Expr(expr.into())));
        self
    }

    fn refuse_path<T>(&mut self, field: &Field<M, T>) {
        if field.is_path() {
            self.query.error =
                Some(format!("an update sets fields of the model itself, not {field:?}"));
        }
    }

    /// Runs the update; returns how many rows matched.
    pub async fn execute(self, executor: &impl Executor) -> Result<u64> {
        self.query.check()?;
        if self.values.is_empty() {
            return Ok(0);
        }
        let meta = M::meta();
        let backend = executor.backend();
        let mut compiler = Compiler::new(backend, meta);
        let mut update = Query::update();
        update.table(meta.table);
        for (name, value) in self.values {
            let field = meta.field_or_err(name)?;
            let value = match value {
                SetValue::Value(value) => Expr::val(value),
                SetValue::Expr(expr) => compiler.expr(&expr)?,
            };
            update.value(field.column, value);
        }
        if compiler.has_joins() {
            return Err(Error::invalid(
                "an update can only read fields of the model itself (no `__` paths in set_expr)",
            ));
        }
        let condition = self.query.where_expr(&mut compiler)?;
        let scoped = needs_subquery(&self.query, &compiler);
        match (condition, scoped) {
            (condition, true) => {
                update.and_where(pk_in_subquery::<M>(&self.query, compiler, condition)?);
            }
            (Some(condition), false) => {
                update.and_where(condition);
            }
            (None, false) => {}
        }
        Ok(executor::execute(executor, Statement::new(backend, &update, true)).await?.0)
    }
}

/// True when the rows to change cannot be named by a plain `WHERE` on the table: joins,
/// slicing or ordering narrow them.
fn needs_subquery<M>(query: &QuerySet<M>, compiler: &Compiler) -> bool {
    compiler.has_joins() || query.limit.is_some() || query.offset.is_some()
}

/// `pk IN (SELECT pk FROM (SELECT t.pk FROM t JOIN ... WHERE ...) AS scoped)`. The extra
/// derived table lets MySQL select from the table it is changing.
fn pk_in_subquery<M: Model>(
    query: &QuerySet<M>,
    mut compiler: Compiler,
    condition: Option<Expr>,
) -> Result<Expr> {
    let meta = M::meta();
    let pk = meta.pk_field().column;
    let mut inner = Query::select();
    inner.column((Alias::new(compiler.root_alias()), pk)).from(meta.table);
    if let Some(condition) = condition {
        inner.and_where(condition);
    }
    // The ordering decides which rows a slice keeps.
    if query.limit.is_some() || query.offset.is_some() {
        for key in &query.effective_order() {
            compiler.order(&mut inner, key)?;
        }
    }
    compiler.apply_joins(&mut inner);
    if let Some(limit) = query.limit {
        inner.limit(limit);
    }
    if let Some(offset) = query.offset {
        if query.limit.is_none() {
            inner.limit(i64::MAX as u64);
        }
        inner.offset(offset);
    }
    let mut outer: SelectStatement = Query::select();
    outer.column(pk).from_subquery(inner, Alias::new("scoped"));
    Ok(Expr::col((Alias::new(meta.table), pk)).in_subquery(outer))
}

pub(super) async fn delete<M: Model>(query: &QuerySet<M>, executor: &impl Executor) -> Result<u64> {
    query.check()?;
    let meta = M::meta();
    let backend = executor.backend();
    let mut compiler = Compiler::new(backend, meta);
    let condition = query.where_expr(&mut compiler)?;
    let mut delete = Query::delete();
    delete.from_table(meta.table);
    if needs_subquery(query, &compiler) {
        delete.and_where(pk_in_subquery::<M>(query, compiler, condition)?);
    } else if let Some(condition) = condition {
        delete.and_where(condition);
    }
    Ok(executor::execute(executor, Statement::new(backend, &delete, true)).await?.0)
}
