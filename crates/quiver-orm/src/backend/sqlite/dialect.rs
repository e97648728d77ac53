//! SQL that SQLite spells its own way.

use sea_query::{Expr, ExprTrait, LikeExpr};

use crate::expr::DatePart;

/// Connections run with `PRAGMA case_sensitive_like = ON`, so `LIKE` is case-sensitive; the
/// case-insensitive form calls `quiver_ilike`, registered on each connection.
pub(crate) fn like(column: Expr, pattern: String, case_insensitive: bool) -> Expr {
    if case_insensitive {
        // A Rust function (registered on each connection): no per-row LOWER() copies, and
        // Unicode case folding like PostgreSQL's ILIKE rather than SQLite's ASCII-only LOWER.
        Expr::cust_with_exprs("quiver_ilike(?, ?)", [Expr::val(pattern), column])
    } else {
        column.like(LikeExpr::new(pattern).escape('\\'))
    }
}

/// `REGEXP` calls the `regexp` function each connection registers (Rust `regex` syntax).
pub(crate) fn regex(column: Expr, pattern: String) -> Expr {
    Expr::cust_with_exprs("? REGEXP ?", [column, Expr::val(pattern)])
}

pub(crate) fn date_part(column: Expr, part: DatePart) -> Expr {
    let format = match part {
        DatePart::Year => "%Y",
        DatePart::Month => "%m",
        DatePart::Day => "%d",
    };
    Expr::cust_with_exprs(format!("CAST(strftime('{format}', ?) AS INTEGER)"), [column])
}
