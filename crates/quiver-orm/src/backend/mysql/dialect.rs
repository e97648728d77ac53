//! SQL that MySQL/MariaDB spell their own way.

use sea_query::{Expr, ExprTrait, LikeExpr};

use crate::expr::DatePart;

/// `LIKE` follows the column's collation (usually case-insensitive): comparing as binary makes
/// the plain form case-sensitive, lowering both sides makes the other insensitive whatever the
/// collation.
pub(crate) fn like(column: Expr, pattern: String, case_insensitive: bool) -> Expr {
    if case_insensitive {
        Expr::cust_with_exprs("LOWER(?)", [column])
            .like(LikeExpr::new(pattern.to_lowercase()).escape('\\'))
    } else {
        Expr::cust_with_exprs("CAST(? AS BINARY)", [column])
            .like(LikeExpr::new(pattern).escape('\\'))
    }
}

pub(crate) fn regex(column: Expr, pattern: String) -> Expr {
    Expr::cust_with_exprs("? REGEXP ?", [column, Expr::val(pattern)])
}

/// Sessions run at `+00:00`, so parts of a stored UTC time are UTC parts.
pub(crate) fn date_part(column: Expr, part: DatePart) -> Expr {
    let function = match part {
        DatePart::Year => "YEAR",
        DatePart::Month => "MONTH",
        DatePart::Day => "DAYOFMONTH",
    };
    Expr::cust_with_exprs(format!("{function}(?)"), [column])
}
