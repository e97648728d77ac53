//! The ORM's one error type.

use std::fmt;

/// The ORM's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything the ORM can fail with; [`Error::kind`] tells the cases apart.
///
/// ```
/// use quiver_orm::{Error, ErrorKind};
///
/// let error = Error::not_found("Article");
/// assert!(matches!(error.kind(), ErrorKind::NotFound { model: "Article" }));
/// assert_eq!(error.to_string(), "no Article matches the query");
/// ```
#[derive(Debug)]
pub struct Error {
    kind: Box<ErrorKind>,
}

/// What went wrong.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// `get` found no row (Django's `DoesNotExist`).
    NotFound {
        /// The model queried.
        model: &'static str,
    },
    /// `get` found more than one row (Django's `MultipleObjectsReturned`).
    MultipleObjectsReturned {
        /// The model queried.
        model: &'static str,
        /// How many rows matched (at least 2; counting stops early).
        count: usize,
    },
    /// A field name given as a string (`order_by_names`, a `__` path, `values`) is not a field
    /// of the model. Names are checked against the model, never written into SQL as given.
    UnknownField {
        /// The model searched.
        model: &'static str,
        /// The name as given.
        field: String,
    },
    /// A `__` lookup path names a lookup that does not exist.
    UnknownLookup {
        /// The lookup as given.
        lookup: String,
    },
    /// The query cannot be run as written (e.g. a lookup the database lacks).
    InvalidQuery(String),
    /// A value given for a field (through a `__` path) does not fit the field's type.
    InvalidValue {
        /// The field path as given.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// A unique constraint rejected the write.
    UniqueViolation {
        /// The database's message, for logs.
        message: String,
    },
    /// A foreign key rejected the write or the delete (`on_delete = protect/restrict`).
    ForeignKeyViolation {
        /// The database's message, for logs.
        message: String,
    },
    /// A NOT NULL or CHECK constraint rejected the write.
    ConstraintViolation {
        /// The database's message, for logs.
        message: String,
    },
    /// A column could not be read into the field's Rust type.
    Decode {
        /// The model being read.
        model: &'static str,
        /// The column.
        column: String,
        /// What did not fit.
        message: String,
    },
    /// `full_clean` found invalid field values.
    Validation(validator_errors::FieldErrors),
    /// The transaction this handle belongs to has already committed or rolled back.
    TransactionClosed,
    /// The database URL is not understood.
    Config(String),
    /// Any other database error.
    Database(Box<dyn std::error::Error + Send + Sync>),
}

/// Field errors from [`crate::Model::full_clean`].
pub mod validator_errors {
    /// One problem with one field.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct FieldError {
        /// The field's name.
        pub field: &'static str,
        /// A machine-readable code (`max_length`, `null`, ...).
        pub code: &'static str,
        /// A message for people.
        pub message: String,
    }

    /// Every problem found, in field order.
    pub type FieldErrors = Vec<FieldError>;
}

impl Error {
    /// Builds an error of the given kind.
    pub fn new(kind: ErrorKind) -> Self {
        Error { kind: Box::new(kind) }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// A `NotFound` error for `model`.
    pub fn not_found(model: &'static str) -> Self {
        Error::new(ErrorKind::NotFound { model })
    }

    /// True for `NotFound`: handy for turning a missing row into `None` or a 404.
    pub fn is_not_found(&self) -> bool {
        matches!(*self.kind, ErrorKind::NotFound { .. })
    }

    pub(crate) fn unknown_field(model: &'static str, field: impl Into<String>) -> Self {
        Error::new(ErrorKind::UnknownField { model, field: field.into() })
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidQuery(message.into()))
    }

    pub(crate) fn decode(
        model: &'static str,
        column: impl Into<String>,
        message: impl fmt::Display,
    ) -> Self {
        Error::new(ErrorKind::Decode { model, column: column.into(), message: message.to_string() })
    }

    pub(crate) fn database(error: impl std::error::Error + Send + Sync + 'static) -> Self {
        Error::new(ErrorKind::Database(Box::new(error)))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.kind {
            ErrorKind::NotFound { model } => write!(f, "no {model} matches the query"),
            ErrorKind::MultipleObjectsReturned { model, count } => {
                write!(
                    f,
                    "get() returned {count} {model} rows where one was expected; narrow the filter"
                )
            }
            ErrorKind::UnknownField { model, field } => {
                write!(f, "{model} has no field named {field:?}")
            }
            ErrorKind::UnknownLookup { lookup } => write!(
                f,
                "unknown lookup {lookup:?}; use one of exact, iexact, ne, lt, lte, gt, gte, in, \
                 contains, icontains, startswith, istartswith, endswith, iendswith, isnull, regex, \
                 year, month, day"
            ),
            ErrorKind::InvalidQuery(message) => f.write_str(message),
            ErrorKind::InvalidValue { field, message } => write!(f, "{field}: {message}"),
            ErrorKind::UniqueViolation { message } => {
                write!(f, "unique constraint failed: {message}")
            }
            ErrorKind::ForeignKeyViolation { message } => {
                write!(f, "foreign key constraint failed: {message}")
            }
            ErrorKind::ConstraintViolation { message } => write!(f, "constraint failed: {message}"),
            ErrorKind::Decode { model, column, message } => {
                write!(f, "cannot read {model}.{column}: {message}")
            }
            ErrorKind::Validation(errors) => {
                f.write_str("invalid field values: ")?;
                for (i, e) in errors.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{}: {}", e.field, e.message)?;
                }
                Ok(())
            }
            ErrorKind::TransactionClosed => f.write_str(
                "the transaction has already finished; use it only inside its atomic block",
            ),
            ErrorKind::Config(message) => f.write_str(message),
            ErrorKind::Database(error) => write!(f, "database error: {error}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &*self.kind {
            ErrorKind::Database(error) => Some(&**error),
            _ => None,
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(error: rusqlite::Error) -> Self {
        use rusqlite::ffi::ErrorCode;
        if let rusqlite::Error::SqliteFailure(code, message) = &error {
            let message = message.clone().unwrap_or_else(|| code.to_string());
            if code.code == ErrorCode::ConstraintViolation {
                return Error::new(match code.extended_code {
                    // SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY
                    2067 | 1555 => ErrorKind::UniqueViolation { message },
                    // SQLITE_CONSTRAINT_FOREIGNKEY
                    787 => ErrorKind::ForeignKeyViolation { message },
                    _ if message.contains("FOREIGN KEY") => {
                        ErrorKind::ForeignKeyViolation { message }
                    }
                    _ => ErrorKind::ConstraintViolation { message },
                });
            }
        }
        Error::database(error)
    }
}

impl From<sqlx::Error> for Error {
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &error {
            let message = db.message().to_owned();
            match db.kind() {
                sqlx::error::ErrorKind::UniqueViolation => {
                    return Error::new(ErrorKind::UniqueViolation { message });
                }
                sqlx::error::ErrorKind::ForeignKeyViolation => {
                    return Error::new(ErrorKind::ForeignKeyViolation { message });
                }
                sqlx::error::ErrorKind::NotNullViolation
                | sqlx::error::ErrorKind::CheckViolation => {
                    return Error::new(ErrorKind::ConstraintViolation { message });
                }
                _ => {}
            }
        }
        Error::database(error)
    }
}
