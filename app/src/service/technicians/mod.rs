//! The technician rules: adding, identifying, reading back, updating, deleting and listing.

mod add;
mod delete;
mod details;
mod identify;
mod list;
mod placement;
mod stored;
mod update;

pub use add::{add_technician, Added};
pub use delete::delete_technician;
pub use details::{details, get_technician, Details};
pub use list::list_technicians;
pub use update::{update_technician, Updated};
