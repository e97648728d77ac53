//! What the admin does to a model, behind one object-safe trait so the site can hold every
//! registered model in one list; [`Ops`] implements it for any `M: Model`.

use std::marker::PhantomData;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use quiver_orm::{Db, Model, Q};
use sea_query::Value;
use serde_json::{Map, Value as Json};

/// A computed change-list column: the instance in, the text shown out.
pub(crate) type ComputedFn<M> = Arc<dyn Fn(&M) -> String + Send + Sync>;

/// A bulk action: the database and the selected instances in, a message for the user out.
pub(crate) type ActionFn<M> =
    Arc<dyn Fn(Db, Vec<M>) -> BoxFuture<'static, quiver_orm::Result<String>> + Send + Sync>;

/// Computed columns per row: `(key text, one text per column)`.
pub(crate) type ComputedRows = Vec<(String, Vec<String>)>;

/// The model-specific operations, type-erased.
pub(crate) trait ModelOps: Send + Sync {
    /// How many rows match `q`.
    fn count<'a>(&'a self, db: &'a Db, q: Q) -> BoxFuture<'a, quiver_orm::Result<u64>>;

    /// The named fields (paths allowed) of the rows matching `q`, ordered, sliced.
    fn rows<'a>(
        &'a self,
        db: &'a Db,
        query: RowsQuery,
    ) -> BoxFuture<'a, quiver_orm::Result<Vec<Map<String, Json>>>>;

    /// Inserts a row and checks it like the API would (`full_clean`); its key.
    fn create<'a>(
        &'a self,
        db: &'a Db,
        values: Vec<(String, Value)>,
    ) -> BoxFuture<'a, quiver_orm::Result<Json>>;

    /// Updates the row with key `pk`, then checks it (`full_clean`).
    fn update<'a>(
        &'a self,
        db: &'a Db,
        pk: Value,
        values: Vec<(String, Value)>,
    ) -> BoxFuture<'a, quiver_orm::Result<()>>;

    /// Deletes the rows matching `q`.
    fn delete<'a>(&'a self, db: &'a Db, q: Q) -> BoxFuture<'a, quiver_orm::Result<u64>>;

    /// The computed columns of the rows with keys `pks`: `(key text, texts)`.
    fn computed<'a>(
        &'a self,
        db: &'a Db,
        pks: Vec<Value>,
    ) -> BoxFuture<'a, quiver_orm::Result<ComputedRows>>;

    /// Runs bulk action number `index` on the rows with keys `pks`.
    fn run_action<'a>(
        &'a self,
        db: &'a Db,
        index: usize,
        pks: Vec<Value>,
    ) -> BoxFuture<'a, quiver_orm::Result<String>>;
}

/// What [`ModelOps::rows`] reads.
pub(crate) struct RowsQuery {
    pub q: Q,
    pub order: Vec<String>,
    pub offset: u64,
    pub limit: Option<u64>,
    pub names: Vec<String>,
}

/// [`ModelOps`] for model `M`, with its computed columns and actions.
pub(crate) struct Ops<M> {
    pub computed: Vec<ComputedFn<M>>,
    pub actions: Vec<ActionFn<M>>,
    pub marker: PhantomData<fn() -> M>,
}

fn pk_in<M: Model>(pks: Vec<Value>) -> Q {
    Q::path_in(format!("{}__in", M::meta().pk_field().name), pks)
}

fn checked<M: Model>(instance: M) -> quiver_orm::Result<Json> {
    instance.full_clean()?;
    let pk = instance.pk().map(|pk| pk.to_value());
    Ok(pk.map(|v| value_json(&v)).unwrap_or(Json::Null))
}

/// A key value as JSON (for URLs).
pub(crate) fn value_json(value: &Value) -> Json {
    match value {
        Value::BigInt(Some(n)) => Json::from(*n),
        Value::Int(Some(n)) => Json::from(*n),
        Value::SmallInt(Some(n)) => Json::from(*n),
        Value::String(Some(s)) => Json::String(s.to_string()),
        Value::Uuid(Some(u)) => Json::String(u.to_string()),
        other => Json::String(format!("{other:?}")),
    }
}

use quiver_orm::FieldType;

impl<M: Model> ModelOps for Ops<M> {
    fn count<'a>(&'a self, db: &'a Db, q: Q) -> BoxFuture<'a, quiver_orm::Result<u64>> {
        Box::pin(async move { M::objects().filter(q).count(db).await })
    }

    fn rows<'a>(
        &'a self,
        db: &'a Db,
        query: RowsQuery,
    ) -> BoxFuture<'a, quiver_orm::Result<Vec<Map<String, Json>>>> {
        Box::pin(async move {
            let mut set = M::objects().filter(query.q);
            if !query.order.is_empty() {
                set = set.order_by_names(&query.order);
            }
            set = match query.limit {
                Some(limit) => set.slice(query.offset..query.offset + limit),
                None => set.offset(query.offset),
            };
            set.values(db, &query.names).await
        })
    }

    fn create<'a>(
        &'a self,
        db: &'a Db,
        values: Vec<(String, Value)>,
    ) -> BoxFuture<'a, quiver_orm::Result<Json>> {
        Box::pin(async move { checked(M::create_from_values(db, values).await?) })
    }

    fn update<'a>(
        &'a self,
        db: &'a Db,
        pk: Value,
        values: Vec<(String, Value)>,
    ) -> BoxFuture<'a, quiver_orm::Result<()>> {
        Box::pin(async move {
            let q = Q::path(M::meta().pk_field().name, pk);
            if !values.is_empty() {
                let mut update = M::objects().filter(q.clone()).update();
                for (name, value) in values {
                    update = update.set_value(&name, value);
                }
                update.execute(db).await?;
            }
            checked(M::objects().filter(q).get(db).await?).map(drop)
        })
    }

    fn delete<'a>(&'a self, db: &'a Db, q: Q) -> BoxFuture<'a, quiver_orm::Result<u64>> {
        Box::pin(async move { M::objects().filter(q).delete(db).await })
    }

    fn computed<'a>(
        &'a self,
        db: &'a Db,
        pks: Vec<Value>,
    ) -> BoxFuture<'a, quiver_orm::Result<ComputedRows>> {
        Box::pin(async move {
            if self.computed.is_empty() || pks.is_empty() {
                return Ok(Vec::new());
            }
            let instances = M::objects().filter(pk_in::<M>(pks)).all(db).await?;
            Ok(instances
                .iter()
                .map(|instance| {
                    let key = instance.pk().map(|pk| value_json(&pk.to_value()));
                    let texts = self.computed.iter().map(|column| column(instance)).collect();
                    (key.map(|k| crate::values::key_text(&k)).unwrap_or_default(), texts)
                })
                .collect())
        })
    }

    fn run_action<'a>(
        &'a self,
        db: &'a Db,
        index: usize,
        pks: Vec<Value>,
    ) -> BoxFuture<'a, quiver_orm::Result<String>> {
        Box::pin(async move {
            let action = self.actions[index].clone();
            let instances = M::objects().filter(pk_in::<M>(pks)).all(db).await?;
            action(db.clone(), instances).await
        })
    }
}
