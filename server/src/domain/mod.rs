//! The portal's rules as pure functions: no I/O, no clock of their own (callers pass the time).
pub mod certificate;
pub mod eligibility;
pub mod mynapoint;
pub mod schedule;
