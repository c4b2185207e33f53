//! The portal's API.
pub mod domain;
