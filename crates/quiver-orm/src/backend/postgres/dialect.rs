//! SQL that PostgreSQL spells its own way.

use sea_query::{Expr, ExprTrait, LikeExpr};

use crate::expr::DatePart;

pub(crate) fn like(column: Expr, pattern: String, case_insensitive: bool) -> Expr {
    if case_insensitive {
        Expr::cust_with_exprs("$1::text ILIKE $2 ESCAPE '\\'", [column, Expr::val(pattern)])
    } else {
        Expr::cust_with_exprs("$1::text", [column]).like(LikeExpr::new(pattern).escape('\\'))
    }
}

pub(crate) fn regex(column: Expr, pattern: String) -> Expr {
    Expr::cust_with_exprs("$1::text ~ $2", [column, Expr::val(pattern)])
}

/// Sessions run in UTC, so parts of a `TIMESTAMPTZ` are UTC parts.
pub(crate) fn date_part(column: Expr, part: DatePart) -> Expr {
    let field = match part {
        DatePart::Year => "YEAR",
        DatePart::Month => "MONTH",
        DatePart::Day => "DAY",
    };
    Expr::cust_with_exprs(format!("CAST(EXTRACT({field} FROM $1) AS INTEGER)"), [column])
}
