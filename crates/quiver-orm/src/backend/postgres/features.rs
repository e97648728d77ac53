//! PostgreSQL's capability flags.

use crate::backend::Features;

pub(crate) const FEATURES: Features = Features {
    insert_returning: true,
    select_for_update: true,
    transactional_ddl: true,
    nulls_order: true,
    on_delete_set_default: true,
    explain_query_plan: false,
};
