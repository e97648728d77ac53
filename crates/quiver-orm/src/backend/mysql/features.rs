//! MySQL/MariaDB's capability flags.

use crate::backend::Features;

pub(crate) const FEATURES: Features = Features {
    insert_returning: false,
    select_for_update: true,
    transactional_ddl: false,
    nulls_order: false,
    on_delete_set_default: false,
    explain_query_plan: false,
};
