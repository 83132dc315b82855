use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos::tachys::html::attribute::custom::custom_attribute;

/// Something chosen by a big button: its stable code (for tests and styles) and its label.
pub trait Choice: Copy + Ord + Send + Sync + 'static {
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
    mimamori_core::kinds::Outcome,
    mimamori_core::kinds::WarningSign,
    mimamori_core::kinds::Need,
    mimamori_core::kinds::Action,
    mimamori_core::kinds::WatchStatus
);

/// One button per option, the chosen one pressed (`aria-pressed`, shown also by its border
/// and weight, not by colour alone). `data-<attribute>` carries each option's code.
/// `on_choose` hears each tap (緊急 acts at once).
#[component]
pub fn ChoiceGroup<T: Choice>(
    legend: &'static str,
    options: Vec<T>,
    chosen: RwSignal<T>,
    /// The data attribute naming the options: `"outcome"` gives `data-outcome="fine"`.
    attribute: &'static str,
    #[prop(optional)] on_choose: Option<Callback<T>>,
) -> impl IntoView {
    view! {
        <fieldset class="choices">
            <legend>{legend}</legend>
            {options.into_iter().map(|option| {
                let button = view! {
                    <button type="button" class="choice"
                        aria-pressed=move || (chosen.get() == option).to_string()
                        on:click=move |_| {
                            chosen.set(option);
                            if let Some(on_choose) = on_choose {
                                on_choose.run(option);
                            }
                        }>{option.label()}</button>
                };
                button.add_any_attr(custom_attribute(format!("data-{attribute}"), option.code()))
            }).collect_view()}
        </fieldset>
    }
}

/// One button per option, any number pressed (a checklist: 気づき, 困りごと, 対応).
#[component]
pub fn ChecklistGroup<T: Choice>(
    legend: &'static str,
    options: Vec<T>,
    chosen: RwSignal<BTreeSet<T>>,
    attribute: &'static str,
) -> impl IntoView {
    view! {
        <fieldset class="choices">
            <legend class="sr-only">{legend}</legend>
            {options.into_iter().map(|option| {
                let button = view! {
                    <button type="button" class="choice"
                        aria-pressed=move || chosen.with(|c| c.contains(&option)).to_string()
                        on:click=move |_| chosen.update(|c| {
                            if !c.remove(&option) {
                                c.insert(option);
                            }
                        })>{option.label()}</button>
                };
                button.add_any_attr(custom_attribute(format!("data-{attribute}"), option.code()))
            }).collect_view()}
        </fieldset>
    }
}
