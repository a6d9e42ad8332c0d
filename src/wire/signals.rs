//! Signals decoding (being written).
