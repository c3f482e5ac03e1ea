//! The technician rules: adding, reading back and listing the roster.

mod add;
mod details;
mod list;

pub use add::{add_technician, Added};
pub use details::details;
pub use list::list_technicians;
