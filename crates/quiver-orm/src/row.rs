//! One result row, whichever database it came from.

/// A row being read, borrowed from the driver. Field types decode their column from it
/// (see [`crate::FieldType`]); models read their columns in declaration order from an offset.
#[non_exhaustive]
pub enum Row<'r> {
    /// A row from SQLite (rusqlite).
    Sqlite(&'r rusqlite::Row<'r>),
    /// A row from PostgreSQL (sqlx).
    Postgres(&'r sqlx::postgres::PgRow),
    /// A row from MySQL or MariaDB (sqlx).
    MySql(&'r sqlx::mysql::MySqlRow),
}

impl Row<'_> {
    /// The number of columns.
    pub fn len(&self) -> usize {
        match self {
            Row::Sqlite(r) => r.as_ref().column_count(),
            Row::Postgres(r) => sqlx::Row::len(*r),
            Row::MySql(r) => sqlx::Row::len(*r),
        }
    }

    /// True for a row without columns.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Column `index` as text, whatever its type (for diagnostics such as `explain`).
    pub fn text(&self, index: usize) -> Option<String> {
        use crate::FieldType;
        if let Ok(Some(text)) = <Option<String>>::decode(self, index) {
            return Some(text);
        }
        if let Ok(Some(n)) = <Option<i64>>::decode(self, index) {
            return Some(n.to_string());
        }
        if let Ok(Some(x)) = <Option<f64>>::decode(self, index) {
            return Some(x.to_string());
        }
        if let Row::MySql(r) = self
            && let Ok(Some(n)) = sqlx::Row::try_get::<Option<u64>, _>(*r, index)
        {
            return Some(n.to_string());
        }
        None
    }
}

/// Why a column could not be read; the model and column are added by the caller.
#[derive(Debug)]
pub struct DecodeError(pub String);

impl DecodeError {
    /// Wraps any driver error.
    pub fn new(error: impl std::fmt::Display) -> Self {
        DecodeError(error.to_string())
    }
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Reads column `index` as `Option<T>` with the driver's own decoding.
macro_rules! get_native {
    ($row:expr, $index:expr, $ty:ty) => {
        match $row {
            $crate::row::Row::Sqlite(r) => {
                r.get::<_, Option<$ty>>($index).map_err($crate::row::DecodeError::new)
            }
            $crate::row::Row::Postgres(r) => sqlx::Row::try_get::<Option<$ty>, _>(*r, $index)
                .map_err($crate::row::DecodeError::new),
            $crate::row::Row::MySql(r) => sqlx::Row::try_get::<Option<$ty>, _>(*r, $index)
                .map_err($crate::row::DecodeError::new),
        }
    };
}
pub(crate) use get_native;
