//! Field types: how a Rust type maps to a column, a bound parameter and back.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use rust_decimal::Decimal;
use sea_query::Value;
use uuid::Uuid;

use crate::row::{DecodeError, Row, get_native};

/// The portable column types; each backend spells them in its own DDL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ColumnType {
    /// `BOOLEAN` (MySQL: `TINYINT(1)`, SQLite: `INTEGER`).
    Bool,
    /// 16-bit integer.
    SmallInt,
    /// 32-bit integer.
    Integer,
    /// 64-bit integer.
    BigInt,
    /// 32-bit float.
    Float,
    /// 64-bit float.
    Double,
    /// Text; `VARCHAR(n)` when the field has a `max_length`, unbounded text otherwise.
    Text,
    /// Fixed-point decimal; precision and scale come from the field's
    /// `max_digits`/`decimal_places` (default 19 and 4).
    Decimal,
    /// A date.
    Date,
    /// A time of day.
    Time,
    /// A date and time without a time zone.
    DateTime,
    /// A point in time, stored in UTC (`TIMESTAMPTZ` on PostgreSQL).
    TimestampTz,
    /// A UUID (PostgreSQL `UUID`, MySQL `BINARY(16)`, SQLite blob).
    Uuid,
    /// JSON (PostgreSQL `JSONB`, MySQL `JSON`, SQLite text).
    Json,
    /// Bytes (`BYTEA`, `LONGBLOB`, `BLOB`).
    Bytes,
}

/// A Rust type that can be a model field: its column type, how it is bound as a parameter and
/// how it is read back from each database.
///
/// Implemented for `bool`, `i16`, `i32`, `i64`, `f32`, `f64`, `String`, `Vec<u8>`,
/// [`rust_decimal::Decimal`], chrono's `NaiveDate`, `NaiveTime`, `NaiveDateTime` and
/// `DateTime<Utc>`, [`uuid::Uuid`], `serde_json::Value`, `Option<T>` of those (a nullable
/// column), [`crate::Auto`] (an auto-increment key) and the relation types. Enums stored as
/// text or integers implement it with [`crate::choices!`].
///
/// ```
/// use quiver_orm::{ColumnType, FieldType};
///
/// assert_eq!(<String as FieldType>::COLUMN, ColumnType::Text);
/// assert!(<Option<i64> as FieldType>::NULLABLE);
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a model field",
    label = "not a field type",
    note = "fields can be bool, i16/i32/i64, f32/f64, String, Vec<u8>, Decimal, chrono dates and times, Uuid, serde_json::Value, Auto<_>, ForeignKey<_>, Option<_> of those, or an enum declared with `choices!`"
)]
pub trait FieldType: Sized + Send + Sync + 'static {
    /// The column type in DDL.
    const COLUMN: ColumnType;
    /// True when the column accepts NULL (`Option<T>`).
    const NULLABLE: bool = false;
    /// `(stored value, label)` pairs for enum fields ([`choices!`](crate::choices)); empty otherwise.
    const CHOICES: &'static [(&'static str, &'static str)] = &[];
    /// The type lookups compare with: `T` itself, or `T` for `Option<T>`, or the primary key
    /// type for a foreign key.
    type Lookup: FieldType;
    /// This value as a bound parameter.
    fn to_value(&self) -> Value;
    /// A NULL of this column's type.
    fn null_value() -> Value;
    /// Reads column `index`, `None` for NULL.
    fn decode_opt(row: &Row<'_>, index: usize) -> Result<Option<Self>, DecodeError>;
    /// Reads column `index`; NULL is an error.
    fn decode(row: &Row<'_>, index: usize) -> Result<Self, DecodeError> {
        Self::decode_opt(row, index)?
            .ok_or_else(|| DecodeError("unexpected NULL in a NOT NULL field".into()))
    }
}

macro_rules! native {
    ($($ty:ty => $column:ident, $variant:ident;)*) => {$(
        impl FieldType for $ty {
            const COLUMN: ColumnType = ColumnType::$column;
            type Lookup = $ty;
            fn to_value(&self) -> Value {
                Value::$variant(Some(self.clone().into()))
            }
            fn null_value() -> Value {
                Value::$variant(None)
            }
            fn decode_opt(row: &Row<'_>, index: usize) -> Result<Option<Self>, DecodeError> {
                get_native!(row, index, $ty)
            }
        }
    )*};
}

native! {
    bool => Bool, Bool;
    i16 => SmallInt, SmallInt;
    i32 => Integer, Int;
    i64 => BigInt, BigInt;
    f32 => Float, Float;
    f64 => Double, Double;
    Vec<u8> => Bytes, Bytes;
    NaiveDate => Date, ChronoDate;
    NaiveTime => Time, ChronoTime;
    NaiveDateTime => DateTime, ChronoDateTime;
    DateTime<Utc> => TimestampTz, ChronoDateTimeUtc;
    Uuid => Uuid, Uuid;
}

impl FieldType for String {
    const COLUMN: ColumnType = ColumnType::Text;
    type Lookup = String;
    fn to_value(&self) -> Value {
        Value::String(Some(self.clone()))
    }
    fn null_value() -> Value {
        Value::String(None)
    }
    fn decode_opt(row: &Row<'_>, index: usize) -> Result<Option<Self>, DecodeError> {
        match row {
            // Tables use a binary collation (case-sensitive `=`), which the MySQL protocol
            // flags as binary: sqlx then sees VARBINARY, so read bytes and check the UTF-8.
            Row::MySql(r) => match sqlx::Row::try_get::<Option<String>, _>(*r, index) {
                Ok(text) => Ok(text),
                Err(_) => sqlx::Row::try_get::<Option<Vec<u8>>, _>(*r, index)
                    .map_err(DecodeError::new)?
                    .map(|bytes| String::from_utf8(bytes).map_err(DecodeError::new))
                    .transpose(),
            },
            _ => get_native!(row, index, String),
        }
    }
}

impl FieldType for serde_json::Value {
    const COLUMN: ColumnType = ColumnType::Json;
    type Lookup = serde_json::Value;
    fn to_value(&self) -> Value {
        Value::Json(Some(Box::new(self.clone())))
    }
    fn null_value() -> Value {
        Value::Json(None)
    }
    fn decode_opt(row: &Row<'_>, index: usize) -> Result<Option<Self>, DecodeError> {
        match row {
            Row::Sqlite(_) => get_native!(row, index, serde_json::Value),
            Row::Postgres(_) => get_native!(row, index, serde_json::Value),
            // MariaDB's JSON is LONGTEXT underneath: read text and parse it.
            Row::MySql(r) => match sqlx::Row::try_get::<Option<String>, _>(*r, index) {
                Ok(text) => {
                    text.map(|t| serde_json::from_str(&t).map_err(DecodeError::new)).transpose()
                }
                Err(_) => get_native!(row, index, serde_json::Value),
            },
        }
    }
}

impl FieldType for Decimal {
    const COLUMN: ColumnType = ColumnType::Decimal;
    type Lookup = Decimal;
    fn to_value(&self) -> Value {
        Value::Decimal(Some(*self))
    }
    fn null_value() -> Value {
        Value::Decimal(None)
    }
    fn decode_opt(row: &Row<'_>, index: usize) -> Result<Option<Self>, DecodeError> {
        use rusqlite::types::ValueRef;
        match row {
            // SQLite has no decimal type: the column has NUMERIC affinity and holds an
            // integer, a real or text; all three convert back.
            Row::Sqlite(r) => match r.get_ref(index).map_err(DecodeError::new)? {
                ValueRef::Null => Ok(None),
                ValueRef::Integer(i) => Ok(Some(Decimal::from(i))),
                ValueRef::Real(f) => {
                    Decimal::from_str_exact(&f.to_string()).map(Some).map_err(DecodeError::new)
                }
                ValueRef::Text(t) => std::str::from_utf8(t)
                    .map_err(DecodeError::new)
                    .and_then(|t| t.parse::<Decimal>().map_err(DecodeError::new))
                    .map(Some),
                ValueRef::Blob(_) => Err(DecodeError("a blob is not a decimal".into())),
            },
            Row::Postgres(r) => {
                sqlx::Row::try_get::<Option<Decimal>, _>(*r, index).map_err(DecodeError::new)
            }
            Row::MySql(r) => {
                sqlx::Row::try_get::<Option<Decimal>, _>(*r, index).map_err(DecodeError::new)
            }
        }
    }
}

impl<T: FieldType> FieldType for Option<T> {
    const COLUMN: ColumnType = T::COLUMN;
    const NULLABLE: bool = true;
    const CHOICES: &'static [(&'static str, &'static str)] = T::CHOICES;
    type Lookup = T::Lookup;
    fn to_value(&self) -> Value {
        match self {
            Some(value) => value.to_value(),
            None => T::null_value(),
        }
    }
    fn null_value() -> Value {
        T::null_value()
    }
    fn decode_opt(row: &Row<'_>, index: usize) -> Result<Option<Self>, DecodeError> {
        T::decode_opt(row, index).map(Some)
    }
    fn decode(row: &Row<'_>, index: usize) -> Result<Self, DecodeError> {
        T::decode_opt(row, index)
    }
}

/// An enum stored as text or as an integer, with its choices listed for the admin and the
/// API schema.
///
/// ```
/// use quiver_orm::{choices, FieldType};
///
/// #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
/// #[serde(rename_all = "lowercase")]
/// pub enum Status { Draft, Published }
///
/// choices!(Status as text { Draft = "draft", Published = "published" });
///
/// assert_eq!(Status::Draft.to_value(), sea_query::Value::String(Some("draft".into())));
///
/// #[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// pub enum Priority { Low, High }
/// choices!(Priority as int { Low = 1, High = 2 });
/// assert_eq!(Priority::High.to_value(), sea_query::Value::Int(Some(2)));
/// ```
#[macro_export]
macro_rules! choices {
    ($ty:ty as text { $($variant:ident = $stored:literal),+ $(,)? }) => {
        impl $crate::FieldType for $ty {
            const COLUMN: $crate::ColumnType = $crate::ColumnType::Text;
            const CHOICES: &'static [(&'static str, &'static str)] = <$ty as $crate::Choices>::CHOICES;
            type Lookup = $ty;
            fn to_value(&self) -> $crate::__private::Value {
                let stored: &'static str = match self { $(<$ty>::$variant => $stored,)+ };
                $crate::__private::Value::String(Some(stored.into()))
            }
            fn null_value() -> $crate::__private::Value {
                $crate::__private::Value::String(None)
            }
            fn decode_opt(
                row: &$crate::Row<'_>,
                index: usize,
            ) -> Result<Option<Self>, $crate::DecodeError> {
                match <String as $crate::FieldType>::decode_opt(row, index)?.as_deref() {
                    None => Ok(None),
                    $(Some($stored) => Ok(Some(<$ty>::$variant)),)+
                    Some(other) => Err($crate::DecodeError(format!(
                        "{other:?} is not one of the choices of {}", stringify!($ty)
                    ))),
                }
            }
        }
        impl $crate::Choices for $ty {
            const CHOICES: &'static [(&'static str, &'static str)] =
                &[$(($stored, stringify!($variant))),+];
        }
    };
    ($ty:ty as int { $($variant:ident = $stored:literal),+ $(,)? }) => {
        impl $crate::FieldType for $ty {
            const COLUMN: $crate::ColumnType = $crate::ColumnType::Integer;
            const CHOICES: &'static [(&'static str, &'static str)] = <$ty as $crate::Choices>::CHOICES;
            type Lookup = $ty;
            fn to_value(&self) -> $crate::__private::Value {
                let stored: i32 = match self { $(<$ty>::$variant => $stored,)+ };
                $crate::__private::Value::Int(Some(stored))
            }
            fn null_value() -> $crate::__private::Value {
                $crate::__private::Value::Int(None)
            }
            fn decode_opt(
                row: &$crate::Row<'_>,
                index: usize,
            ) -> Result<Option<Self>, $crate::DecodeError> {
                match <i32 as $crate::FieldType>::decode_opt(row, index)? {
                    None => Ok(None),
                    $(Some($stored) => Ok(Some(<$ty>::$variant)),)+
                    Some(other) => Err($crate::DecodeError(format!(
                        "{other} is not one of the choices of {}", stringify!($ty)
                    ))),
                }
            }
        }
        impl $crate::Choices for $ty {
            const CHOICES: &'static [(&'static str, &'static str)] =
                &[$((stringify!($stored), stringify!($variant))),+];
        }
    };
}

/// The stored values and labels of an enum field, declared with [`choices!`](crate::choices).
pub trait Choices {
    /// `(stored value, label)` pairs in declaration order.
    const CHOICES: &'static [(&'static str, &'static str)];
}
