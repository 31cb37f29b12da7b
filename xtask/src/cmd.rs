//! Running external programs the same way everywhere: echo the command line, inherit the terminal,
//! and turn a non-zero exit into an error that names the command.
//!
//! It must not hide a child's output on success paths the user needs to see (cargo's errors, test
//! output), and it must not go through a shell: arguments are passed as they are.

use std::env;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

use crate::workspace;

/// A `cargo` command run from the workspace root. Uses the cargo that started xtask (`$CARGO`), so
/// a rustup toolchain override applies to every step.
pub fn cargo() -> Command {
    let program = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(program);
    command.current_dir(workspace::root());
    command
}

/// Prints `$ program args`, runs it with inherited stdio and fails if it exits non-zero.
pub fn run(command: &mut Command) -> Result<()> {
    println!("$ {}", display(command));
    let status = command
        .status()
        .with_context(|| format!("could not start `{}`", display(command)))?;
    if !status.success() {
        bail!("`{}` failed ({status})", display(command));
    }
    Ok(())
}

/// Like [`run`] but captures stdout and returns it; stderr still reaches the terminal.
pub fn stdout_of(command: &mut Command) -> Result<String> {
    println!("$ {}", display(command));
    let output = command
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("could not start `{}`", display(command)))?;
    if !output.status.success() {
        bail!("`{}` failed ({})", display(command), output.status);
    }
    String::from_utf8(output.stdout)
        .with_context(|| format!("`{}` printed invalid UTF-8", display(command)))
}

/// Runs quietly, capturing both streams; on failure the captured output becomes the error, so
/// chatty tools (initdb, apt-get) only speak when something went wrong.
pub fn run_quiet(command: &mut Command) -> Result<()> {
    println!("$ {}", display(command));
    let output = command
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("could not start `{}`", display(command)))?;
    if !output.status.success() {
        bail!(
            "`{}` failed ({})\n{}{}",
            display(command),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

/// Whether the command starts and exits zero; all output is discarded. For probes only.
pub fn succeeds(command: &mut Command) -> bool {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// The command line as a user could paste it (single quotes around arguments that need them),
/// with passwords in URLs hidden so logs never show them.
pub fn display(command: &Command) -> String {
    let program = Path::new(command.get_program());
    // `$CARGO` is a long toolchain path; the user typed `cargo`.
    let program = if program.file_stem() == Some(OsStr::new("cargo")) {
        "cargo".to_string()
    } else {
        program.display().to_string()
    };
    std::iter::once(program)
        .chain(
            command
                .get_args()
                .map(|arg| quote(&redact_url(&arg.to_string_lossy()))),
        )
        .collect::<Vec<_>>()
        .join(" ")
}

/// The URL with any password replaced, for printing.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_len);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}{tail}"),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

/// `arg` as one shell word.
pub fn quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+%".contains(c));
    if plain {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// The first executable called `name` on `$PATH`.
pub fn find_on_path(name: &str) -> Option<PathBuf> {
    let path = env::var_os("PATH")?;
    env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
}

/// Whether xtask runs as root (uid 0): PostgreSQL refuses to run as root, and apt-get needs it.
pub fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .stderr(Stdio::null())
        .output()
        .is_ok_and(|output| output.status.success() && output.stdout.trim_ascii() == b"0")
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    use crate::cmd::{display, redact_url};

    #[test]
    fn display_quotes_only_arguments_that_need_it() {
        let mut command = Command::new("psql");
        command.args(["-c", "select 1", "-h", "127.0.0.1", "it's"]);
        assert_eq!(
            display(&command),
            r"psql -c 'select 1' -h 127.0.0.1 'it'\''s'"
        );
    }

    #[test]
    fn redact_hides_only_the_password() {
        assert_eq!(
            redact_url("postgres://u:secret@h:1/db"),
            "postgres://u:***@h:1/db"
        );
        assert_eq!(redact_url("postgres://u@h:1"), "postgres://u@h:1");
        assert_eq!(redact_url("postgres://h:1"), "postgres://h:1");
    }

    #[test]
    fn display_shortens_a_toolchain_cargo_path() {
        let command = Command::new("/root/.rustup/toolchains/stable/bin/cargo");
        assert_eq!(display(&command), "cargo");
    }
}
