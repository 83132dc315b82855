use leptos::prelude::*;
use leptos::tachys::html::attribute::custom::custom_attribute;

/// Something chosen by a big button: its stable code (for tests and styles) and its label.
pub trait Choice: Copy + PartialEq + Send + Sync + 'static {
    fn code(self) -> &'static str;
    fn label(self) -> String;
}

macro_rules! vocabulary_choices {
    ($($name:ty),+) => {$(
        impl Choice for $name {
            fn code(self) -> &'static str { <$name>::code(self) }
            fn label(self) -> String { self.label_ja().to_owned() }
        }
    )+};
}

vocabulary_choices!(
    mimamori_core::kinds::VisitMethod,
    mimamori_core::kinds::Outcome
);

/// One button per option, the chosen one pressed (`aria-pressed`, shown also by its border
/// and weight, not by colour alone). `data-<attribute>` carries each option's code.
#[component]
pub fn ChoiceGroup<T: Choice>(
    legend: &'static str,
    options: Vec<T>,
    chosen: RwSignal<T>,
    /// The data attribute naming the options: `"outcome"` gives `data-outcome="fine"`.
    attribute: &'static str,
) -> impl IntoView {
    view! {
        <fieldset class="choices">
            <legend>{legend}</legend>
            {options.into_iter().map(|option| {
                let button = view! {
                    <button type="button" class="choice"
                        aria-pressed=move || (chosen.get() == option).to_string()
                        on:click=move |_| chosen.set(option)>{option.label()}</button>
                };
                button.add_any_attr(custom_attribute(format!("data-{attribute}"), option.code()))
            }).collect_view()}
        </fieldset>
    }
}
