//! Big buttons to choose from, by code: one for 中止・変更, several for weekdays. Not generic
//! on purpose: every group of every screen runs the same compiled code (a generic group, or
//! buttons written out per screen, compiled the reactive machinery again for each), and the
//! screen turns the chosen codes into its own types when it saves.

use leptos::prelude::*;
use leptos::tachys::html::attribute::custom::custom_attribute;

/// One option: its code (in `data-<attribute>`), what the button says, and a second, smaller
/// line (a member's よみがな), if any.
#[derive(Clone, Debug, PartialEq)]
pub struct Chip {
    pub code: String,
    pub label: String,
    pub detail: String,
}

impl Chip {
    pub fn new(code: impl ToString, label: impl ToString) -> Self {
        Self {
            code: code.to_string(),
            label: label.to_string(),
            detail: String::new(),
        }
    }
}

/// One button per option, the chosen ones pressed (`aria-pressed`, also shown by a check and
/// a thicker border, not by colour alone). `single`: choosing one unchooses the others.
/// `on_tap` hears each tap with the option's code and whether it is now chosen.
#[component]
pub fn Chips(
    legend: &'static str,
    /// The data attribute naming the options: `"weekday"` gives `data-weekday="2"`.
    attribute: &'static str,
    options: Vec<Chip>,
    chosen: RwSignal<Vec<String>>,
    #[prop(optional)] single: bool,
    #[prop(optional)] on_tap: Option<Callback<(String, bool)>>,
    /// Extra class on the group (`member-ticks`).
    #[prop(optional)]
    class: &'static str,
) -> impl IntoView {
    view! {
        <fieldset class=format!("choices {class}")>
            <legend>{legend}</legend>
            {options.into_iter().map(|option| {
                let code = StoredValue::new(option.code.clone());
                let pressed = move || chosen.with(|c| code.with_value(|code| c.contains(code)));
                let tap = move |_| {
                    let code = code.get_value();
                    let now = !pressed();
                    chosen.update(|c| {
                        if single {
                            c.clear();
                        } else {
                            c.retain(|x| *x != code);
                        }
                        if now || single {
                            c.push(code.clone());
                        }
                    });
                    if let Some(on_tap) = on_tap {
                        on_tap.run((code, now || single));
                    }
                };
                let detail = (!option.detail.is_empty())
                    .then(|| view! { <span class="member-kana">{option.detail.clone()}</span> });
                let button = view! {
                    <button type="button" class="choice"
                        aria-pressed=move || pressed().to_string()
                        on:click=tap>
                        <span class="chip-label">{option.label}</span>{detail}
                    </button>
                };
                button.add_any_attr(custom_attribute(format!("data-{attribute}"), option.code))
            }).collect_view()}
        </fieldset>
    }
}
