//! Every new password (console, XML `pwd`, CLI) is checked for strength with zxcvbn, the
//! estimator that models what crackers try first: common passwords, names, dictionary
//! words, keyboard walks, dates, and the account's own login and name. A password it scores
//! below [`MIN_SCORE`] ("safely unguessable" to a throttled online attack and a slow hash)
//! is refused with its advice.

/// zxcvbn's 0–4 scale; 3 means about 10^10 guesses.
pub const MIN_SCORE: u8 = 3;

/// How much of a password is estimated: zxcvbn's work grows with length, and a password
/// this long is strong unless its start already is weak.
const ESTIMATED_CHARS: usize = 100;

/// Whether `password` is the login name itself: the legacy API's default (no `pwd`), which
/// the account must change before it is used.
pub fn is_login_name(password: &str, login: &str) -> bool {
    !login.trim().is_empty() && password.trim().eq_ignore_ascii_case(login.trim())
}

/// Why a password was refused: the advice to show beside the field.
pub fn check(password: &str, personal: &[&str]) -> Result<(), crate::domain::FieldProblem> {
    let estimated: String = password.chars().take(ESTIMATED_CHARS).collect();
    let personal: Vec<&str> = personal
        .iter()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect();
    let entropy = zxcvbn::zxcvbn(&estimated, &personal);
    if u8::from(entropy.score()) >= MIN_SCORE {
        return Ok(());
    }
    let mut advice = Vec::new();
    if let Some(feedback) = entropy.feedback() {
        if let Some(warning) = feedback.warning() {
            advice.push(warning.to_string());
        }
        advice.extend(feedback.suggestions().iter().map(ToString::to_string));
    }
    if advice.is_empty() {
        advice.push("Add another word or two. Uncommon words are better.".to_owned());
    }
    Err(crate::domain::FieldProblem::WeakPassword {
        advice: advice.join(" "),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_passwords_are_refused_with_advice_and_strong_ones_pass() {
        for weak in [
            "password1",
            "12345678",
            "qwertyuiop",
            "ada-lovelace",
            "Summer2024!",
        ] {
            let refused = check(weak, &["ada", "Ada Lovelace"]);
            assert!(refused.is_err(), "{weak}");
            assert!(refused
                .unwrap_err()
                .to_string()
                .starts_with("is too easy to guess: "));
        }
        for strong in [
            "correct horse battery staple",
            "vN8#qLp2!zR4wX",
            "granite-tulip-orbit-93",
        ] {
            assert!(check(strong, &[]).is_ok(), "{strong}");
        }
    }

    #[test]
    fn the_accounts_own_login_counts_against_it() {
        assert!(check("zebulon.kastanje", &[]).is_ok());
        assert!(check("zebulon.kastanje", &["zebulon.kastanje"]).is_err());
    }

    #[test]
    fn a_very_long_password_is_estimated_quickly_by_its_start() {
        let long = "Xk3!vQ9#".repeat(128);
        assert!(check(&long, &[]).is_ok());
        assert!(check(&"a".repeat(1024), &[]).is_err());
    }
}
