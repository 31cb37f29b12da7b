//! One module per screen. Pages fetch through `crate::api`, keep their state in signals and
//! the URL, and draw with `crate::components`.

pub mod customer;
pub mod directory;
pub mod duplicates;
pub mod imports;
pub mod merge;
pub mod settings;
pub mod signin;
