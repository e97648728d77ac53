//! Binding sea-query values as sqlx arguments (PostgreSQL and MySQL share the code; the
//! macro is instantiated once per database type).

/// Adds every value of `$values` to a fresh `$args`, typed so that NULLs keep their type.
macro_rules! sqlx_arguments {
    ($args:ty, $values:expr) => {{
        use sea_query::Value;
        use sqlx::Arguments;
        let mut args = <$args>::default();
        let mut result: Result<(), sqlx::error::BoxDynError> = Ok(());
        for value in $values {
            let added = match value {
                Value::Bool(v) => args.add(v),
                Value::TinyInt(v) => args.add(v.map(i16::from)),
                Value::SmallInt(v) => args.add(v),
                Value::Int(v) => args.add(v),
                Value::BigInt(v) => args.add(v),
                Value::TinyUnsigned(v) => args.add(v.map(i16::from)),
                Value::SmallUnsigned(v) => args.add(v.map(i32::from)),
                Value::Unsigned(v) => args.add(v.map(i64::from)),
                Value::BigUnsigned(v) => match v.map(i64::try_from).transpose() {
                    Ok(v) => args.add(v),
                    Err(e) => Err(e.into()),
                },
                Value::Float(v) => args.add(v),
                Value::Double(v) => args.add(v),
                Value::String(v) => args.add(v),
                Value::Char(v) => args.add(v.map(|c| c.to_string())),
                Value::Bytes(v) => args.add(v),
                Value::Json(v) => args.add(v.map(|json| sqlx::types::Json(*json))),
                Value::ChronoDate(v) => args.add(v),
                Value::ChronoTime(v) => args.add(v),
                Value::ChronoDateTime(v) => args.add(v),
                Value::ChronoDateTimeUtc(v) => args.add(v),
                Value::Uuid(v) => args.add(v),
                Value::Decimal(v) => args.add(v),
                other => Err(format!("cannot bind {other:?}").into()),
            };
            if let Err(error) = added {
                result = Err(error);
                break;
            }
        }
        result.map(|()| args).map_err(|e| $crate::error::Error::invalid(e.to_string()))
    }};
}
pub(crate) use sqlx_arguments;
