//! The technician rules: adding, identifying, reading back, updating, deleting and listing.

mod add;
mod delete;
pub(crate) mod details;
pub mod export;
mod identify;
pub mod import;
mod list;
mod placement;
pub(crate) mod row;
mod seed;
pub(crate) mod stored;
mod update;
mod view;

pub use add::{add_technician, Added};
pub use delete::delete_technician;
pub use details::{details, get_technician, is_gone_from_directory, version_of, Details};
pub use list::{effective_state, list_technicians, COUNT_CAP};
pub use seed::{add_generated, Generated};
pub use update::{update_technician, Updated};
pub use view::edit_view;
