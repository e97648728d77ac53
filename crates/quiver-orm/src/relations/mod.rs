//! Relation fields: `ForeignKey<T>`/`OneToOne<T>` (a column), `ManyToMany<T>` (a join table),
//! `Reverse<T>` (the rows pointing here), and how they are loaded.

mod foreign_key;
mod many_to_many;
mod prefetch;
mod reverse;

pub use foreign_key::{ForeignKey, Loaded, OneToOne, RelationField};
pub use many_to_many::{ManyToMany, ManyToManyMeta};
pub(crate) use prefetch::prefetch;
pub use prefetch::{Prefetch, prefetch_foreign_key, prefetch_many_to_many, prefetch_reverse};
pub use reverse::{Reverse, ReverseMeta};
