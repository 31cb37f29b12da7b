//! `cargo xtask run`: what a new user types first. Builds the release server and replaces xtask
//! with `tenure serve --demo`, in the workspace root, so the terminal shows the server's own
//! banner (URL, demo logins) and Ctrl-C reaches the server directly.
//!
//! It must not override configuration the user set: only an unset `TENURE_DATABASE_URL` gets the
//! default SQLite file, ./tenure.db in the workspace root.

use std::process::Command;

use anyhow::Result;

use crate::{build, cmd, workspace};

const DEFAULT_DATABASE_URL: &str = "sqlite://tenure.db?mode=rwc";

/// `args` are appended to `tenure serve --demo`.
pub fn run(args: &[String]) -> Result<()> {
    let binary = build::build_server()?;
    let root = workspace::root();
    let mut server = Command::new(&binary);
    server
        .args(["serve", "--demo"])
        .args(args)
        .current_dir(&root);
    if std::env::var_os("TENURE_DATABASE_URL").is_none() {
        println!(
            "TENURE_DATABASE_URL is not set: using {DEFAULT_DATABASE_URL} ({})",
            root.join("tenure.db").display()
        );
        server.env("TENURE_DATABASE_URL", DEFAULT_DATABASE_URL);
    }
    println!("$ {}", cmd::display(&server));
    replace_process(server)
}

#[cfg(unix)]
fn replace_process(mut command: Command) -> Result<()> {
    use std::os::unix::process::CommandExt;
    let err = command.exec();
    Err(anyhow::Error::new(err).context(format!("could not start `{}`", cmd::display(&command))))
}

#[cfg(not(unix))]
fn replace_process(mut command: Command) -> Result<()> {
    cmd::run(&mut command)
}
