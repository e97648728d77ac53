//! SQL that SQLite spells its own way.

use sea_query::{Expr, ExprTrait, LikeExpr};

use crate::expr::DatePart;

/// Connections run with `PRAGMA case_sensitive_like = ON`, so `LIKE` is case-sensitive and
/// the case-insensitive form lowers both sides.
pub(crate) fn like(column: Expr, pattern: String, case_insensitive: bool) -> Expr {
    if case_insensitive {
        Expr::cust_with_exprs("LOWER(?) LIKE LOWER(?) ESCAPE '\\'", [column, Expr::val(pattern)])
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
