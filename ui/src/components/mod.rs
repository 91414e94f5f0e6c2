//! The pieces every page needs, built once on the design tokens of
//! `style.css` so that each page looks and behaves the same, and so that
//! accessibility (labels, roles, focus) is solved once, here.
//!
//! Text that came from the backend is passed as `String` and rendered as a
//! text node: no component here takes markup.

pub mod badge;
pub mod card;
pub mod chart;
pub mod choice;
pub mod data_table;
pub mod dialog;
pub mod empty_state;
pub mod field;
pub mod lazy_options;
pub mod pager;
pub mod progress_bar;
pub mod stepper;
pub mod toast;

pub use badge::{Badge, BadgeLevel};
pub use card::Card;
pub use chart::{Bar, BarChart, LineChart, TimePoint};
pub use choice::{Choice, ChoiceGroup, ChoiceKind};
pub use data_table::DataTable;
pub use dialog::Dialog;
pub use empty_state::EmptyState;
pub use field::Field;
pub use lazy_options::LazyOptions;
pub use pager::{Pager, Paging};
pub use stepper::{StepStatus, Stepper, StepperItem};
pub use toast::{ToastRegion, Toasts};
