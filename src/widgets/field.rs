use std::collections::BTreeMap;

use leptos::prelude::*;
use mimamori_core::validate::FieldError;

/// What a form's save was refused for, field by field (the same problems the server would
/// name), so that each field says what is wrong with it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldErrors(BTreeMap<String, String>);

impl FieldErrors {
    pub fn from_problems(problems: &[FieldError]) -> Self {
        let mut errors = BTreeMap::new();
        for problem in problems {
            errors
                .entry(problem.field.clone())
                .or_insert_with(|| problem.problem.message_ja());
        }
        Self(errors)
    }

    pub fn get(&self, field: &str) -> Option<String> {
        self.0.get(field).cloned()
    }

    /// The first refused field whose name starts with `prefix` (`exceptions.`: a date's).
    #[cfg(feature = "coordinator")]
    pub fn field_under(&self, prefix: &str) -> Option<String> {
        self.0.keys().find(|f| f.starts_with(prefix)).cloned()
    }

    /// The problems no field of the form shows (`shown` lists the fields it has).
    pub fn others(&self, shown: &[&str]) -> Vec<String> {
        self.0
            .iter()
            .filter(|(field, _)| !shown.contains(&field.as_str()))
            .map(|(_, message)| message.clone())
            .collect()
    }
}

/// A labelled field. When `field` failed, it says why under the input and marks the field
/// (`aria-invalid`, a red border and the message: never colour alone).
#[component]
pub fn FormField(
    label: &'static str,
    /// The field's name in the change, as problems name it (`"note"`, `"consent.scope"`).
    field: &'static str,
    errors: RwSignal<FieldErrors>,
    children: Children,
) -> impl IntoView {
    let problem = move || errors.with(|e| e.get(field));
    view! {
        <label class="field" data-field=field data-invalid=move || problem().is_some().to_string()>
            <span class="field-label">{label}</span>
            {children()}
            {move || problem().map(|message| view! { <span class="field-error" role="alert">{message}</span> })}
        </label>
    }
}
