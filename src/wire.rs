//! The only module that knows JSON (being written).
pub mod signals;
