//! Choosing the directory's entries introduced at a visit (対応 → 資源を紹介): the chosen
//! ones first, each with はずす; then a search over the directory (the same folding and
//! ranking as its screen) with a button per entry. Choosing one also ticks 資源を紹介.

use std::collections::BTreeSet;
use std::rc::Rc;

use leptos::prelude::*;
use mimamori_core::kinds::Action;
use mimamori_core::record::RecordId;
use mimamori_core::search;

use super::queries::{self, ResourceItem};
use crate::app::AppStore;
use crate::text;
use crate::widgets::load_once;

/// How many matches the picker offers at once (the search narrows).
const OFFERED: usize = 6;

#[derive(Default)]
struct Directory {
    items: Vec<ResourceItem>,
    index: Vec<Vec<search::Field>>,
}

#[component]
pub fn ResourcePicker(
    chosen: RwSignal<Vec<RecordId>>,
    actions: RwSignal<BTreeSet<Action>>,
) -> impl IntoView {
    let store = expect_context::<AppStore>();
    // Read once (a sync while the form is open must not redraw it), shared, not copied.
    let directory = load_once(move || async move {
        let Some(store) = store.get() else {
            return Rc::new(Directory::default());
        };
        let items = queries::resources(&store).await;
        let index = queries::index(&items);
        Rc::new(Directory { items, index })
    });
    let query = RwSignal::new(String::new());
    let toggle = move |id: RecordId| {
        let now = !chosen.with_untracked(|c| c.contains(&id));
        chosen.update(|c| {
            c.retain(|x| *x != id);
            if now {
                c.push(id);
            }
        });
        if now {
            actions.update(|a| {
                a.insert(Action::IntroducedResource);
            });
        }
    };
    let name_of = move |id: RecordId| -> String {
        directory
            .get()
            .and_then(|d| d.items.iter().find(|i| i.id == id).map(ResourceItem::name))
            .unwrap_or_else(|| text::RESOURCE_UNKNOWN.to_owned())
    };
    let offered = move || -> Vec<(RecordId, String, String)> {
        let Some(directory) = directory.get() else {
            return Vec::new();
        };
        let terms = query.with(|q| search::query_terms(q, &queries::browser_nfkc));
        search::search(&terms, &directory.index)
            .into_iter()
            .take(OFFERED)
            .map(|hit| {
                let item = &directory.items[hit.index];
                (item.id, item.name(), item.categories_ja())
            })
            .collect()
    };
    view! {
        <div class="resource-picker">
            {move || {
                let ids = chosen.get();
                (!ids.is_empty()).then(|| view! {
                    <ul class="list" data-chosen-resources="">
                        {ids.into_iter().map(|id| view! {
                            <li class="chosen-resource" data-resource=id.to_string()>
                                <span class="watch-name">{name_of(id)}</span>
                                <button type="button" class="button small" data-action="unchoose-resource"
                                    on:click=move |_| toggle(id)>{text::RESOURCE_UNCHOOSE}</button>
                            </li>
                        }).collect_view()}
                    </ul>
                })
            }}
            <label class="field">
                <span class="field-label">{text::RESOURCE_PICK}</span>
                <input type="search" name="resource_pick" autocomplete="off"
                    placeholder=text::RESOURCES_SEARCH_EXAMPLE
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev)) />
            </label>
            {move || offered().into_iter().map(|(id, name, categories)| {
                let pressed = move || chosen.with(|c| c.contains(&id));
                view! {
                    <button type="button" class="choice resource-choice" data-pick=id.to_string()
                        aria-pressed=move || pressed().to_string() on:click=move |_| toggle(id)>
                        <span class="chip-label">{name}</span>
                        <span class="member-kana">{categories}</span>
                    </button>
                }
            }).collect_view()}
        </div>
    }
}
