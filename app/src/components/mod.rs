//! The components the screens share, one concern each. Files here name each other by their own
//! module (`super::text::tx`), never through this one, so that no two files import each other.

pub mod card_step;
pub mod card_watch;
pub mod dialog;
pub mod fields;
pub mod keyboard;
pub mod layout;
pub mod maintenance;
pub mod messages;
pub mod status_table;
pub mod steps;
pub mod text;

pub use card_step::{CardStep, Troubleshooting};
pub use card_watch::{start_of_part, CardWatch};
pub use dialog::{open_modal, Confirm};
pub use fields::TextField;
pub use keyboard::Keyboard;
pub use layout::{card_activity, CardActivity, CertificateNotice, Header, Language, NotFound};
pub use maintenance::{MaintenanceNotice, MaintenanceWindows};
pub use messages::{
    api_message, card_message, readiness_message, update_hint, Failure, FailureMessage,
};
pub use status_table::StatusTable;
pub use steps::{SectionHeading, StepBar, StepHeading};
pub use text::{lang, remembered_locale, tx};
