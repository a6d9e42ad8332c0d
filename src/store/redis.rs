//! The Redis store (being written).
pub struct RedisStore;
