//! `prefetch_related`: one query per relation for a whole result.

use std::any::Any;
use std::sync::Arc;

use sea_query::Value;

use super::ForeignKey;
use super::{ManyToMany, ManyToManyMeta, RelationField, Reverse, ReverseMeta};
use crate::error::{Error, Result};
use crate::executor::Executor;
use crate::model::Model;
use crate::value::FieldType;

/// Relation fields `prefetch_related` accepts.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be prefetched",
    note = "prefetch_related takes a ForeignKey, OneToOne, ManyToMany or Reverse field"
)]
pub trait Prefetch {}
impl<T: Model> Prefetch for ForeignKey<T> {}
impl<T: Model> Prefetch for Option<ForeignKey<T>> {}
impl<T: Model> Prefetch for ManyToMany<T> {}
impl<T: Model> Prefetch for Reverse<T> {}

/// Loads relation `name` for every row: one query for all of them.
pub(crate) async fn prefetch<M: Model>(
    executor: &impl Executor,
    rows: &mut [M],
    name: &str,
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    M::prefetch(rows, name, executor).await
}

/// `prefetch_related` of a foreign key: `SELECT ... WHERE pk IN (keys)`.
#[doc(hidden)]
pub async fn prefetch_foreign_key<M, R, E>(
    rows: &mut [M],
    field: fn(&mut M) -> &mut R,
    executor: &E,
) -> Result<()>
where
    M: Model,
    R: RelationField,
    E: Executor,
{
    use std::collections::HashMap;
    let mut keys: Vec<<R::Target as Model>::Pk> = Vec::new();
    for row in rows.iter_mut() {
        if let Some(key) = field(row).key()
            && !keys.contains(key)
        {
            keys.push(key.clone());
        }
    }
    if keys.is_empty() {
        return Ok(());
    }
    let pk = R::Target::meta().pk_field().name;
    let mut found: HashMap<<R::Target as Model>::Pk, Arc<R::Target>> = HashMap::new();
    for chunk in keys.chunks(10_000) {
        let query = R::Target::objects()
            .filter(crate::Q::path_in(format!("{pk}__in"), chunk.iter().map(|k| k.to_value())));
        for item in query.unordered().all(executor).await? {
            if let Some(key) = item.pk() {
                found.insert(key, Arc::new(item));
            }
        }
    }
    for row in rows.iter_mut() {
        let relation = field(row);
        if let Some(item) = relation.key().and_then(|key| found.get(key)) {
            relation.set_instance(item.clone() as Arc<dyn Any + Send + Sync>);
        }
    }
    Ok(())
}

/// `prefetch_related` of a many-to-many field: one query joining the join table.
#[doc(hidden)]
pub async fn prefetch_many_to_many<M, T, E>(
    rows: &mut [M],
    field: fn(&mut M) -> &mut ManyToMany<T>,
    meta: &'static ManyToManyMeta,
    executor: &E,
) -> Result<()>
where
    M: Model,
    T: Model,
    E: Executor,
{
    use sea_query::{Alias, Expr, ExprTrait, JoinType, Query};
    use std::collections::HashMap;
    let (table, owner_column, target_column) = meta.join_table()?;
    let keys: Vec<M::Pk> = rows.iter().filter_map(|r| r.pk()).collect();
    let target = T::meta();
    let mut grouped: HashMap<M::Pk, Vec<T>> = HashMap::new();
    for chunk in keys.chunks(10_000) {
        let mut select = Query::select();
        select.from(target.table);
        for f in target.fields {
            select.column((Alias::new(target.table), f.column));
        }
        select.column((Alias::new("m2m"), owner_column));
        select.join_as(
            JoinType::InnerJoin,
            table,
            Alias::new("m2m"),
            Expr::col((Alias::new("m2m"), target_column))
                .equals((Alias::new(target.table), target.pk_field().column)),
        );
        select.and_where(
            Expr::col((Alias::new("m2m"), owner_column)).is_in(chunk.iter().map(|k| k.to_value())),
        );
        // The target's default ordering, as `T::objects()` would give (its own fields; an
        // ordering through a relation is not followed here).
        for name in target.ordering {
            let (order, name) = match name.strip_prefix('-') {
                Some(name) => (sea_query::Order::Desc, name),
                None => (sea_query::Order::Asc, *name),
            };
            if let Some(f) = target.fields.iter().find(|f| f.name == name) {
                select.order_by((Alias::new(target.table), Alias::new(f.column)), order);
            }
        }
        let n = target.fields.len();
        let statement = crate::executor::Statement::new(executor.backend(), &select, false);
        let pairs = crate::executor::fetch(executor, statement, |row| {
            let item = T::from_row(row, 0)?;
            let owner = M::Pk::decode(row, n)
                .map_err(|e| Error::decode(M::meta().name, owner_column, e))?;
            Ok((owner, item))
        })
        .await?;
        for (owner, item) in pairs {
            grouped.entry(owner).or_default().push(item);
        }
    }
    for row in rows.iter_mut() {
        let items = row.pk().and_then(|k| grouped.remove(&k)).unwrap_or_default();
        field(row).set_loaded(items);
    }
    Ok(())
}

/// `prefetch_related` of a reverse relation: `SELECT ... WHERE fk IN (keys)`.
#[doc(hidden)]
pub async fn prefetch_reverse<M, T, E>(
    rows: &mut [M],
    field: fn(&mut M) -> &mut Reverse<T>,
    meta: &'static ReverseMeta,
    executor: &E,
) -> Result<()>
where
    M: Model,
    T: Model,
    E: Executor,
{
    use std::collections::HashMap;
    let via = meta.via_field()?;
    let keys: Vec<M::Pk> = rows.iter().filter_map(|r| r.pk()).collect();
    let mut grouped: HashMap<String, Vec<T>> = HashMap::new();
    for chunk in keys.chunks(10_000) {
        let values: Vec<Value> = chunk.iter().map(|k| k.to_value()).collect();
        let items = T::objects()
            .filter(crate::Q::path_in(format!("{}__in", via.name), values))
            .all(executor)
            .await?;
        for item in items {
            if let Some(key) = item.related_key(via.name) {
                grouped.entry(format!("{key:?}")).or_default().push(item);
            }
        }
    }
    for row in rows.iter_mut() {
        let key = row.pk().map(|k| format!("{:?}", k.to_value()));
        let items = key.and_then(|k| grouped.remove(&k)).unwrap_or_default();
        field(row).set_loaded(items);
    }
    Ok(())
}
