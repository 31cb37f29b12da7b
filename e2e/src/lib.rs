//! Nothing to link: this crate holds the browser tests in `tests/browser/`.
