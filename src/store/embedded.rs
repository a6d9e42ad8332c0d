//! The embedded store (being written).
pub struct EmbeddedStore;
