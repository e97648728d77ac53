//! Which names make a project or an app: a crate or module name that Rust, cargo and every
//! operating system accept, in snake_case (so no lint warns about it), that does not shadow a
//! crate the project depends on or an app the framework ships.

/// Rust's keywords (strict and reserved, edition 2024): not usable as a crate or module name.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Names cargo refuses for a package or a binary (the standard crates and the folders of its
/// target directory).
const CARGO_RESERVED: &[&str] =
    &["alloc", "build", "core", "deps", "examples", "incremental", "proc_macro", "std", "test"];

/// Crates every project depends on: a project of the same name would shadow them.
const DEPENDENCIES: &[&str] = &["quiver", "schemars", "serde", "tokio", "validator"];

/// File names Windows reserves in every folder.
const WINDOWS_RESERVED: &[&str] = &[
    "aux", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9", "con", "lpt1",
    "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9", "nul", "prn",
];

/// The labels of the framework's own apps, installed in every project; a project's own models
/// are labelled with the project's name, so it cannot take these either.
const FRAMEWORK_APPS: &[&str] = &["admin", "auth"];

/// A project's name, for clap: `Ok` with the name, or why it is refused and what would do.
pub fn project_name(name: &str) -> Result<String, String> {
    identifier(name, "project")?;
    framework_app(name)?;
    if DEPENDENCIES.contains(&name) {
        return Err(format!(
            "a project named {name:?} would shadow the `{name}` crate it depends on; \
             pick another name, such as `my_{name}`"
        ));
    }
    Ok(name.to_owned())
}

/// An app's name, for clap: `Ok` with the name, or why it is refused and what would do.
pub fn app_name(name: &str) -> Result<String, String> {
    identifier(name, "app")?;
    framework_app(name)?;
    Ok(name.to_owned())
}

fn framework_app(name: &str) -> Result<(), String> {
    if FRAMEWORK_APPS.contains(&name) {
        return Err(format!(
            "`{name}` is the label of Quiver's own {name} app, already in every project; \
             pick another name, such as `my_{name}`"
        ));
    }
    Ok(())
}

/// The rules common to crate and module names.
fn identifier(name: &str, what: &str) -> Result<(), String> {
    let Some(first) = name.chars().next() else {
        return Err(format!("the {what} name is empty; use letters, digits and underscores"));
    };
    let snake = name.to_ascii_lowercase().replace(['-', ' ', '.'], "_");
    if name.contains(['-', ' ', '.']) {
        return Err(format!(
            "{name:?} is not a valid {what} name: a name is a Rust identifier, so use \
             underscores instead (`{snake}`)"
        ));
    }
    if let Some(bad) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '_')) {
        return Err(format!(
            "{name:?} is not a valid {what} name: {bad:?} is not allowed; use ASCII letters, \
             digits and underscores"
        ));
    }
    if !first.is_ascii_alphabetic() {
        return Err(format!("{name:?} is not a valid {what} name: it must start with a letter"));
    }
    if name.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(format!(
            "{name:?} is not a valid {what} name: Rust names crates and modules in snake_case; \
             use `{snake}`"
        ));
    }
    if name.len() > 64 {
        return Err(format!("the {what} name is {} characters long; use at most 64", name.len()));
    }
    if KEYWORDS.contains(&name) {
        return Err(format!(
            "{name:?} is a Rust keyword and cannot name a {what}; pick another name, such as \
             `my_{name}`"
        ));
    }
    if CARGO_RESERVED.contains(&name) || WINDOWS_RESERVED.contains(&name) {
        return Err(format!(
            "{name:?} is reserved (by cargo or by Windows) and cannot name a {what}; pick \
             another name, such as `my_{name}`"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{app_name, project_name};

    #[test]
    fn snake_case_identifiers_are_accepted() {
        for name in ["blog", "my_shop", "shop2", "a", "x_1_y"] {
            assert_eq!(project_name(name).as_deref(), Ok(name));
            assert_eq!(app_name(name).as_deref(), Ok(name));
        }
    }

    #[test]
    fn each_refusal_says_what_would_do() {
        let cases = [
            ("", "is empty"),
            ("my-shop", "use underscores instead (`my_shop`)"),
            ("My Shop", "(`my_shop`)"),
            ("MyShop", "use `myshop`"),
            ("2shop", "must start with a letter"),
            ("_shop", "must start with a letter"),
            ("café", "'é' is not allowed"),
            ("shop!", "'!' is not allowed"),
            ("fn", "Rust keyword"),
            ("gen", "Rust keyword"),
            ("test", "reserved"),
            ("deps", "reserved"),
            ("con", "reserved"),
            ("quiver", "would shadow the `quiver` crate"),
            ("serde", "such as `my_serde`"),
        ];
        for (name, message) in cases {
            let error = project_name(name).unwrap_err();
            assert!(error.contains(message), "{name:?}: {error}");
        }
        assert!(project_name(&"a".repeat(65)).unwrap_err().contains("at most 64"));
    }

    #[test]
    fn projects_and_apps_cannot_take_the_framework_apps_labels() {
        assert!(app_name("auth").unwrap_err().contains("Quiver's own auth app"));
        assert!(app_name("admin").unwrap_err().contains("such as `my_admin`"));
        // A project's models are labelled with its name.
        assert!(project_name("auth").unwrap_err().contains("Quiver's own auth app"));
    }
}
