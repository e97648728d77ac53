//! Password rules checked when a password is set: length, common passwords, all digits,
//! similarity to the user's own details. Every broken rule is reported, in plain words.

use quiver_core::validation::{ErrorDetail, LocItem, ValidationErrors};
use zxcvbn::matching::patterns::MatchPattern;

/// One broken password rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordProblem {
    /// A machine-readable kind (`password_too_short`, `password_too_common`,
    /// `password_entirely_numeric`, `password_too_similar`).
    pub kind: &'static str,
    /// A sentence for the user.
    pub message: String,
}

/// The rules, Django's four by default.
///
/// ```
/// use quiver_auth::password::PasswordValidators;
///
/// let rules = PasswordValidators::default();
/// let problems = rules.check("12345678", &["ada", "ada@example.com"]);
/// let kinds: Vec<_> = problems.iter().map(|p| p.kind).collect();
/// assert_eq!(kinds, ["password_too_common", "password_entirely_numeric"]);
/// assert!(rules.check("velvet-otter-91-sings", &["ada"]).is_empty());
/// ```
#[derive(Debug, Clone)]
pub struct PasswordValidators {
    /// Fewest characters (8 by default; 0 turns the rule off).
    pub min_length: usize,
    /// Refuse passwords on the common-passwords list.
    pub common: bool,
    /// Refuse passwords made of digits only.
    pub numeric: bool,
    /// Refuse passwords this similar (0..1) to the username, email or names; 1.0 turns it off.
    pub max_similarity: f64,
}

impl Default for PasswordValidators {
    fn default() -> Self {
        Self { min_length: 8, common: true, numeric: true, max_similarity: 0.7 }
    }
}

impl PasswordValidators {
    /// No rules at all (for tests and imports).
    pub fn none() -> Self {
        Self { min_length: 0, common: false, numeric: false, max_similarity: 1.0 }
    }

    /// Every rule `password` breaks; `user_attributes` are the user's username, email and
    /// names, which the password must not resemble.
    pub fn check(&self, password: &str, user_attributes: &[&str]) -> Vec<PasswordProblem> {
        let mut problems = Vec::new();
        let length = password.chars().count();
        if length < self.min_length {
            problems.push(PasswordProblem {
                kind: "password_too_short",
                message: format!(
                    "This password is too short: it has {length} characters, use at least {}.",
                    self.min_length
                ),
            });
        }
        if let Some(attribute) = self.similar_attribute(password, user_attributes) {
            problems.push(PasswordProblem {
                kind: "password_too_similar",
                message: format!("This password is too similar to the {attribute}."),
            });
        }
        if self.common && is_common(password) {
            problems.push(PasswordProblem {
                kind: "password_too_common",
                message: "This password is on the list of commonly used passwords.".to_owned(),
            });
        }
        if self.numeric && !password.is_empty() && password.chars().all(|c| c.is_ascii_digit()) {
            problems.push(PasswordProblem {
                kind: "password_entirely_numeric",
                message: "This password is made of digits only.".to_owned(),
            });
        }
        problems
    }

    /// [`check`](Self::check) as a 422 answer naming the field (`loc` = `["body", field]`).
    ///
    /// ```
    /// use quiver_auth::password::PasswordValidators;
    ///
    /// let err = PasswordValidators::default().validate("password", "short", &[]).unwrap_err();
    /// assert_eq!(err.iter().next().unwrap().kind, "password_too_short");
    /// ```
    pub fn validate(
        &self,
        field: &str,
        password: &str,
        user_attributes: &[&str],
    ) -> Result<(), ValidationErrors> {
        let problems = self.check(password, user_attributes);
        if problems.is_empty() {
            return Ok(());
        }
        let mut errors = ValidationErrors::new();
        for problem in problems {
            errors.push(ErrorDetail::new(
                problem.kind,
                vec![LocItem::from("body"), LocItem::from(field.to_owned())],
                problem.message,
                serde_json::Value::Null,
            ));
        }
        Err(errors)
    }

    fn similar_attribute(&self, password: &str, attributes: &[&str]) -> Option<&'static str> {
        if self.max_similarity >= 1.0 {
            return None;
        }
        let password = password.to_lowercase();
        let names = ["username", "email address", "first name", "last name"];
        for (index, attribute) in attributes.iter().enumerate() {
            let attribute = attribute.to_lowercase();
            let mut parts: Vec<&str> =
                attribute.split(|c: char| !c.is_alphanumeric()).filter(|p| !p.is_empty()).collect();
            parts.push(&attribute);
            if parts.iter().any(|part| similarity(&password, part) >= self.max_similarity) {
                return Some(names.get(index).copied().unwrap_or("your details"));
            }
        }
        None
    }
}

/// Whether the whole password (any case) is one of the common passwords zxcvbn ranks.
fn is_common(password: &str) -> bool {
    if password.is_empty() {
        return false;
    }
    let entropy = zxcvbn::zxcvbn(password, &[]);
    let sequence = entropy.sequence();
    sequence.len() == 1
        && matches!(&sequence[0].pattern, MatchPattern::Dictionary(d)
            // zxcvbn does not export its dictionary type; its Debug name is stable.
            if format!("{:?}", d.dictionary_name) == "Passwords" && !d.l33t && !d.reversed)
}

/// 2 × (longest common subsequence) / (total length): 1.0 for equal strings.
fn similarity(a: &str, b: &str) -> f64 {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let mut previous = vec![0usize; b.len() + 1];
    for x in &a {
        let mut current = vec![0usize; b.len() + 1];
        for (j, y) in b.iter().enumerate() {
            current[j + 1] = if x == y { previous[j] + 1 } else { previous[j + 1].max(current[j]) };
        }
        previous = current;
    }
    2.0 * previous[b.len()] as f64 / (a.len() + b.len()) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rule_names_its_problem() {
        let rules = PasswordValidators::default();
        let kinds = |pw: &str| -> Vec<&str> {
            rules.check(pw, &["grace_hopper", "grace@navy.mil"]).iter().map(|p| p.kind).collect()
        };
        assert_eq!(kinds("abc"), ["password_too_short"]);
        assert_eq!(kinds("Password"), ["password_too_common"]);
        assert_eq!(kinds("grace_hopper1"), ["password_too_similar"]);
        assert_eq!(kinds("81726354019"), ["password_entirely_numeric"]);
        assert!(kinds("lunar-teapot-orchestra").is_empty());
        let message = &rules.check("grace_hopper1", &["grace_hopper"])[0].message;
        assert_eq!(message, "This password is too similar to the username.");
    }
}
