//! Feature extraction (being written).
