//! Writes of model instances: insert, save, delete, refresh, and their bulk forms.

use sea_query::{CaseStatement, Expr, ExprTrait, Query, Value};

use crate::error::{Error, ErrorKind, Result};
use crate::executor::{self, Executor, Statement};
use crate::expr::Q;
use crate::model::Model;
use crate::value::FieldType;

/// Most bound parameters per statement: under every backend's limit (SQLite 32766,
/// PostgreSQL and MySQL 65535).
const MAX_PARAMETERS: usize = 30_000;

fn pk_q<M: Model>(pk: &M::Pk) -> Q {
    Q::path(M::meta().pk_field().name, pk.to_value())
}

fn unsaved<M: Model>(action: &str) -> Error {
    Error::invalid(format!(
        "cannot {action} a {} that has not been saved (it has no primary key)",
        M::meta().name
    ))
}

/// True when inserts leave the key to the database.
fn auto_key<M: Model>(instance: &M) -> bool {
    M::meta().pk_field().auto_increment && instance.pk().is_none()
}

pub(crate) async fn insert<M: Model>(instance: &mut M, executor: &impl Executor) -> Result<()> {
    instance.pre_save(true);
    let meta = M::meta();
    let skip_pk = auto_key(instance);
    let mut columns = Vec::with_capacity(meta.fields.len());
    let mut values = Vec::with_capacity(meta.fields.len());
    for (field, value) in meta.fields.iter().zip(instance.to_values()) {
        if skip_pk && field.primary_key {
            continue;
        }
        columns.push(field.column);
        values.push(Expr::val(value));
    }
    match insert_row::<M>(executor, columns, values, skip_pk).await? {
        // A key chosen by the program: relation sets can use it from now on.
        None => instance.bind_relation_sets(),
        Some(NewKey::Returned(key)) => instance.set_pk(key),
        Some(NewKey::LastId(id)) => instance.set_auto_pk(id),
    }
    Ok(())
}

/// The key the database chose for an inserted row.
enum NewKey<K> {
    /// Read back with `RETURNING`.
    Returned(K),
    /// The connection's last insert id (MySQL).
    LastId(i64),
}

/// `INSERT`s one row of `M`; with `auto_key`, the key the database chose.
async fn insert_row<M: Model>(
    executor: &impl Executor,
    columns: Vec<&'static str>,
    values: Vec<Expr>,
    auto_key: bool,
) -> Result<Option<NewKey<M::Pk>>> {
    let meta = M::meta();
    let backend = executor.backend();
    let mut insert = Query::insert();
    insert.into_table(meta.table).columns(columns);
    if values.is_empty() {
        insert.or_default_values();
    } else {
        insert.values(values).map_err(|e| Error::invalid(e.to_string()))?;
    }
    if !auto_key {
        executor::execute(executor, Statement::new(backend, &insert, true)).await?;
        return Ok(None);
    }
    if !backend.features().insert_returning {
        let (_, id) = executor::execute(executor, Statement::new(backend, &insert, true)).await?;
        return Ok(Some(NewKey::LastId(id)));
    }
    let pk = meta.pk_field();
    insert.returning_col(pk.column);
    let keys = executor::fetch(executor, Statement::new(backend, &insert, true), |row| {
        M::Pk::decode(row, 0).map_err(|e| Error::decode(meta.name, pk.column, e))
    })
    .await?;
    let key = keys
        .into_iter()
        .next()
        .ok_or_else(|| Error::invalid(format!("the insert into {} returned no key", meta.table)))?;
    Ok(Some(NewKey::Returned(key)))
}

pub(crate) async fn create_from_values<M: Model>(
    executor: &impl Executor,
    mut given: Vec<(String, Value)>,
) -> Result<M> {
    let meta = M::meta();
    for (name, _) in &given {
        meta.field_or_err(name)?;
    }
    let pk = meta.pk_field();
    let mut columns = Vec::with_capacity(meta.fields.len());
    let mut values = Vec::with_capacity(meta.fields.len());
    let mut pk_value = None;
    for field in meta.fields {
        let value = match given.iter().position(|(name, _)| name == field.name) {
            Some(index) => given.swap_remove(index).1,
            None if field.auto_increment => continue,
            None if field.auto_now || field.auto_now_add => field.now_value(),
            None => match field.default {
                Some(default) => default(),
                None if field.nullable => continue,
                None => {
                    return Err(Error::new(ErrorKind::Validation(vec![
                        crate::validator_errors::FieldError {
                            field: field.name,
                            code: "required",
                            message: "this field is required".into(),
                        },
                    ])));
                }
            },
        };
        if field.primary_key {
            pk_value = Some(value.clone());
        }
        columns.push(field.column);
        values.push(Expr::val(value));
    }
    let chosen = insert_row::<M>(executor, columns, values, pk_value.is_none()).await?;
    let key = match (pk_value, chosen) {
        (Some(key), _) => key,
        (None, Some(NewKey::Returned(key))) => key.to_value(),
        (None, Some(NewKey::LastId(id))) => Value::BigInt(Some(id)),
        (None, None) => return Err(Error::invalid("the database chose no key for the row")),
    };
    M::objects().filter(Q::path(pk.name, key)).get(executor).await
}

pub(crate) async fn save<M: Model>(instance: &mut M, executor: &impl Executor) -> Result<()> {
    let Some(pk) = instance.pk() else {
        return insert(instance, executor).await;
    };
    instance.pre_save(false);
    let meta = M::meta();
    let backend = executor.backend();
    let mut update = Query::update();
    update.table(meta.table);
    let mut any = false;
    for (field, value) in meta.fields.iter().zip(instance.to_values()) {
        if field.primary_key || field.auto_now_add {
            continue;
        }
        update.value(field.column, value);
        any = true;
    }
    let pk_column = meta.pk_field().column;
    update.and_where(Expr::col(pk_column).eq(pk.to_value()));
    let changed = if any {
        executor::execute(executor, Statement::new(backend, &update, true)).await?.0
    } else {
        u64::from(M::objects().filter(pk_q::<M>(&pk)).exists(executor).await?)
    };
    if changed == 0 {
        // A key chosen by the program (UUID, natural key) that is not stored yet.
        insert(instance, executor).await?;
    }
    instance.bind_relation_sets();
    Ok(())
}

pub(crate) async fn delete<M: Model>(instance: &M, executor: &impl Executor) -> Result<u64> {
    let pk = instance.pk().ok_or_else(|| unsaved::<M>("delete"))?;
    M::objects().filter(pk_q::<M>(&pk)).delete(executor).await
}

pub(crate) async fn refresh<M: Model>(instance: &mut M, executor: &impl Executor) -> Result<()> {
    let pk = instance.pk().ok_or_else(|| unsaved::<M>("refresh"))?;
    let fresh = M::objects().filter(pk_q::<M>(&pk)).get(executor).await?;
    instance.refresh_from(fresh);
    Ok(())
}

pub(crate) async fn bulk_create<M: Model>(
    mut instances: Vec<M>,
    executor: &impl Executor,
) -> Result<Vec<M>> {
    let Some(first) = instances.first() else { return Ok(instances) };
    let meta = M::meta();
    let backend = executor.backend();
    let skip_pk = auto_key(first);
    if instances.iter().any(|i| auto_key(i) != skip_pk) {
        return Err(Error::invalid(
            "bulk_create needs every instance with a key, or every instance without one",
        ));
    }
    let columns: Vec<_> =
        meta.fields.iter().filter(|f| !(skip_pk && f.primary_key)).map(|f| f.column).collect();
    if columns.is_empty() {
        // Only a database-filled key: no multi-row form exists for that.
        for instance in &mut instances {
            insert(instance, executor).await?;
        }
        return Ok(instances);
    }
    let per_chunk = (MAX_PARAMETERS / columns.len().max(1)).max(1);
    let returning = skip_pk && backend.features().insert_returning;
    for chunk in instances.chunks_mut(per_chunk) {
        let mut insert = Query::insert();
        insert.into_table(meta.table).columns(columns.clone());
        for instance in chunk.iter_mut() {
            instance.pre_save(true);
            let row: Vec<Expr> = meta
                .fields
                .iter()
                .zip(instance.to_values())
                .filter(|(f, _)| !(skip_pk && f.primary_key))
                .map(|(_, v)| Expr::val(v))
                .collect();
            insert.values(row).map_err(|e| Error::invalid(e.to_string()))?;
        }
        if returning {
            let pk = meta.pk_field();
            insert.returning_col(pk.column);
            let keys = executor::fetch(executor, Statement::new(backend, &insert, true), |row| {
                M::Pk::decode(row, 0).map_err(|e| Error::decode(meta.name, pk.column, e))
            })
            .await?;
            for (instance, key) in chunk.iter_mut().zip(keys) {
                instance.set_pk(key);
            }
        } else {
            // MySQL gives no keys back for a multi-row insert (as in Django): keys stay unset.
            executor::execute(executor, Statement::new(backend, &insert, true)).await?;
        }
    }
    for instance in &mut instances {
        instance.bind_relation_sets();
    }
    Ok(instances)
}

pub(crate) async fn bulk_update<M: Model>(
    instances: &[M],
    fields: &[&str],
    executor: &impl Executor,
) -> Result<u64> {
    let meta = M::meta();
    let backend = executor.backend();
    let mut indexes = Vec::new();
    for name in fields {
        let index = meta
            .fields
            .iter()
            .position(|f| f.name == *name)
            .ok_or_else(|| Error::unknown_field(meta.name, *name))?;
        if meta.fields[index].primary_key {
            return Err(Error::invalid("bulk_update cannot change primary keys"));
        }
        indexes.push(index);
    }
    if indexes.is_empty() || instances.is_empty() {
        return Ok(0);
    }
    let pk_column = meta.pk_field().column;
    let per_chunk = (MAX_PARAMETERS / (2 * indexes.len() + 1)).max(1);
    let mut changed = 0;
    for chunk in instances.chunks(per_chunk) {
        let rows: Vec<(Value, Vec<Value>)> = chunk
            .iter()
            .map(|instance| {
                let pk = instance.pk().ok_or_else(|| unsaved::<M>("bulk_update"))?;
                Ok((pk.to_value(), instance.to_values()))
            })
            .collect::<Result<_>>()?;
        let mut update = Query::update();
        update.table(meta.table);
        for &index in &indexes {
            let field = &meta.fields[index];
            let mut case = CaseStatement::new();
            for (pk, values) in &rows {
                case = case
                    .case(Expr::col(pk_column).eq(pk.clone()), Expr::val(values[index].clone()));
            }
            update.value(field.column, Into::<Expr>::into(case.finally(Expr::col(field.column))));
        }
        update.and_where(Expr::col(pk_column).is_in(rows.iter().map(|(pk, _)| pk.clone())));
        changed += executor::execute(executor, Statement::new(backend, &update, true)).await?.0;
    }
    Ok(changed)
}

/// Runs `block` in a transaction on `executor`: a new one on a `Db`, a savepoint in a
/// `Transaction`.
pub(crate) async fn atomic_on<E, F, Fut, T>(executor: &E, block: F) -> Result<T>
where
    E: Executor,
    F: FnOnce(crate::Transaction) -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    match executor.target() {
        crate::Target::Db(db) => db.atomic(block).await,
        crate::Target::Tx(tx) => tx.atomic(block).await,
    }
}

pub(crate) async fn get_or_create<M: Model>(
    executor: &impl Executor,
    q: Q,
    create: impl FnOnce() -> M,
) -> Result<(M, bool)> {
    match M::objects().filter(q.clone()).get(executor).await {
        Ok(found) => Ok((found, false)),
        Err(error) if error.is_not_found() => {
            // In a savepoint, so that losing the race does not abort an outer transaction
            // (PostgreSQL refuses every statement after a failed one).
            let created = atomic_on(executor, |tx| async move {
                let mut instance = create();
                insert(&mut instance, &tx).await?;
                Ok(instance)
            })
            .await;
            match created {
                Ok(instance) => Ok((instance, true)),
                // Another request created it in between: return that one.
                Err(error) if matches!(error.kind(), ErrorKind::UniqueViolation { .. }) => {
                    Ok((M::objects().filter(q).get(executor).await?, false))
                }
                Err(error) => Err(error),
            }
        }
        Err(error) => Err(error),
    }
}

pub(crate) async fn update_or_create<M: Model>(
    executor: &impl Executor,
    q: Q,
    update: impl FnOnce(&mut M),
    create: impl FnOnce() -> M,
) -> Result<(M, bool)> {
    // One transaction, the row locked while it changes (Django does the same).
    atomic_on(executor, |tx| async move {
        match M::objects().filter(q).select_for_update().get(&tx).await {
            Ok(mut found) => {
                update(&mut found);
                save(&mut found, &tx).await?;
                Ok((found, false))
            }
            Err(error) if error.is_not_found() => {
                let mut instance = create();
                insert(&mut instance, &tx).await?;
                Ok((instance, true))
            }
            Err(error) => Err(error),
        }
    })
    .await
}

pub(crate) async fn raw<M: Model>(
    executor: &impl Executor,
    sql: &str,
    values: Vec<Value>,
) -> Result<Vec<M>> {
    let statement =
        Statement { sql: sql.to_owned(), values: sea_query::Values(values), write: false };
    executor::fetch(executor, statement, |row| M::from_row(row, 0)).await
}
