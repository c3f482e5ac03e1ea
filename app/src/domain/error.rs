//! Per-field validation errors, named by the API attribute they concern.

use super::problem::FieldProblem;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The attribute as the XML API spells it (`email`, `costPerHr`, ...).
    pub field: String,
    pub problem: FieldProblem,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FieldErrors(pub Vec<FieldError>);

impl FieldErrors {
    pub fn push(&mut self, field: &str, problem: impl Into<FieldProblem>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            problem: problem.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn for_field(&self, field: &str) -> Option<&FieldProblem> {
        self.0.iter().find(|e| e.field == field).map(|e| &e.problem)
    }

    /// Keeps the value when it parsed, records the message under `field` otherwise.
    pub fn take<T, E: Into<FieldProblem>>(
        &mut self,
        field: &str,
        result: Result<T, E>,
    ) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(err) => {
                self.push(field, err);
                None
            }
        }
    }
}

impl std::fmt::Display for FieldErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|e| format!("{}: {}", e.field, e.problem))
            .collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for FieldErrors {}
