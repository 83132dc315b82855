//! `/resources/new` and `/resources/:id/edit`: the form of those who keep the directory (a
//! district's SC its district's entries, the city the city-wide ones): what it is, for whom,
//! when, where, what it costs, whom to call, whether it is public, and when it was last
//! checked. An edit sends only what changed, so two people editing different fields offline
//! both keep theirs.

use leptos::prelude::*;
use mimamori_core::api::District;
use mimamori_core::calendar::CivilDate;
use mimamori_core::kinds::{limits, normalize_phone, Category, ResourcePatch};
use mimamori_core::record::{Body, DistrictId, RecordId};

use super::queries::{self, keeps, ResourceItem};
use crate::app::{AppStore, AppSync, Flash};
use crate::features::{changed, save_form, text_of};
use crate::screens::id_param;
use crate::store::Draft;
use crate::widgets::{Chip, Chips, FieldErrors, FormField, FormMessage, Loading, Message};
use crate::{local_time, text};

#[derive(Clone)]
struct Setup {
    item: Option<ResourceItem>,
    /// The districts the person keeps entries of (none for the city: city-wide entries).
    districts: Vec<District>,
}

#[component]
pub fn ResourceEditPage() -> impl IntoView {
    let store = expect_context::<AppStore>();
    let id = id_param();
    let setup = crate::widgets::load_once(move || async move {
        let store = store.get()?;
        let session = store.session().await.ok().flatten()?;
        let item = match id {
            Some(id) => Some(queries::resource(&store, id).await?),
            None => None,
        };
        let allowed = match &item {
            Some(item) => keeps(&session.me, item.district),
            None => {
                keeps(&session.me, None)
                    || session
                        .me
                        .districts
                        .iter()
                        .any(|d| keeps(&session.me, Some(*d)))
            }
        };
        allowed.then_some(Setup {
            item,
            districts: if session.me.role == mimamori_core::account::Role::City {
                Vec::new()
            } else {
                session.districts
            },
        })
    });
    view! {
        <section class="page">
            <h2 class="page-title">{if id.is_some() { text::RESOURCE_EDIT } else { text::RESOURCE_ADD }}</h2>
            {crate::widgets::dynamic(move || match setup.get() {
                None => view! { <Loading /> }.into_any(),
                Some(None) => view! { <p class="empty-message">{text::RESOURCE_EDIT_KEEPERS_ONLY}</p> }.into_any(),
                Some(Some(setup)) => view! { <ResourceForm setup=setup /> }.into_any(),
            })}
        </section>
    }
}

#[component]
fn ResourceForm(setup: Setup) -> impl IntoView {
    let sync = expect_context::<AppSync>();
    let flash = expect_context::<Flash>();
    let nav = crate::nav::use_location();
    let Setup { item, districts } = setup;
    let held = item.as_ref().map(|i| i.entry.clone()).unwrap_or_default();
    let editing: Option<RecordId> = item.as_ref().map(|i| i.id);
    let today = local_time::today();
    let field = |value: &Option<String>| RwSignal::new(text_of(value));
    let name = field(&held.name);
    let kana = field(&held.kana);
    let operator = field(&held.operator);
    let when = field(&held.when);
    let address = field(&held.address);
    let audience = field(&held.audience);
    let capacity = field(&held.capacity);
    let fee = field(&held.fee);
    let phone = field(&held.phone);
    let description = field(&held.description);
    let apply_first = RwSignal::new(held.apply_first == Some(true));
    let pickup = RwSignal::new(held.pickup == Some(true));
    let barrier_free = RwSignal::new(held.barrier_free == Some(true));
    // A new entry is checked today; an edit says when it was, and 今日確認した moves it.
    let checked = RwSignal::new(
        held.checked_on
            .or(editing.is_none().then_some(today))
            .map(|d| d.to_string())
            .unwrap_or_default(),
    );
    let categories = RwSignal::new(
        held.categories
            .iter()
            .flatten()
            .map(|c| c.code().to_owned())
            .collect::<Vec<_>>(),
    );
    let visibility = RwSignal::new(vec![if held.public == Some(true) {
        "public"
    } else {
        "internal"
    }
    .to_owned()]);
    let district = RwSignal::new(
        districts
            .first()
            .map(|d| vec![d.id.to_string()])
            .unwrap_or_default(),
    );
    let errors = RwSignal::new(FieldErrors::default());
    let message = RwSignal::new(None::<Message>);
    let saving = RwSignal::new(false);
    let base = item.as_ref().and_then(|i| i.base);

    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        if saving.get_untracked() {
            return;
        }
        let checked_on = checked.get_untracked().trim().parse::<CivilDate>().ok();
        let chosen: Vec<Category> = Category::ALL
            .iter()
            .copied()
            .filter(|c| categories.with_untracked(|l| l.iter().any(|x| x == c.code())))
            .collect();
        let public = visibility.with_untracked(|v| v.iter().any(|x| x == "public"));
        let mut patch = ResourcePatch {
            name: changed(&held.name, name.get_untracked()),
            kana: changed(&held.kana, kana.get_untracked()),
            operator: changed(&held.operator, operator.get_untracked()),
            when: changed(&held.when, when.get_untracked()),
            address: changed(&held.address, address.get_untracked()),
            audience: changed(&held.audience, audience.get_untracked()),
            capacity: changed(&held.capacity, capacity.get_untracked()),
            fee: changed(&held.fee, fee.get_untracked()),
            phone: changed(&held.phone, normalize_phone(&phone.get_untracked())),
            description: changed(&held.description, description.get_untracked()),
            ..ResourcePatch::default()
        };
        if held.categories.clone().unwrap_or_default() != chosen || editing.is_none() {
            patch.categories = Some(chosen);
        }
        for (field, was, now) in [
            (
                &mut patch.apply_first,
                held.apply_first,
                apply_first.get_untracked(),
            ),
            (&mut patch.pickup, held.pickup, pickup.get_untracked()),
            (
                &mut patch.barrier_free,
                held.barrier_free,
                barrier_free.get_untracked(),
            ),
        ] {
            // An unticked box on a new entry is not known, not なし: the entry shows
            // nothing rather than contradict its own text (「送り迎えします」).
            if was.unwrap_or(false) != now {
                *field = Some(now);
            }
        }
        // Who may see it is always decided, never left unknown.
        if held.public != Some(public) {
            patch.public = Some(public);
        }
        if held.checked_on != checked_on && checked_on.is_some() {
            patch.checked_on = checked_on;
        }
        let mut draft = Draft::new(Body::Resource(patch));
        match editing {
            Some(id) => {
                draft.id = Some(id);
                draft.base = base;
            }
            None => {
                draft.district = district
                    .with_untracked(|d| d.first().and_then(|d| d.parse().ok()).map(DistrictId));
            }
        }
        let said = text::resource_saved(name.get_untracked().trim());
        saving.set(true);
        leptos::task::spawn_local(async move {
            let fields = [
                "name",
                "kana",
                "categories",
                "operator",
                "when",
                "address",
                "audience",
                "capacity",
                "fee",
                "phone",
                "description",
                "checked_on",
            ];
            if let Some(id) = save_form(sync, draft, &fields, errors, message).await {
                flash.show(said);
                nav.navigate(&format!("/resources/{id}"));
            }
            saving.set(false);
        });
    };

    let input = move |label: &'static str,
                      field: &'static str,
                      value: RwSignal<String>,
                      max: usize,
                      kind: &'static str| {
        view! {
            <FormField label=label field=field errors=errors>
                <input type=kind name=field maxlength=max.to_string() bind:value=value />
            </FormField>
        }
    };
    use limits::resource as max;
    view! {
        <form class="form" on:submit=submit>
            {input(text::RESOURCE_NAME, "name", name, max::MAX_NAME_CHARS, "text")}
            {input(text::RESOURCE_KANA, "kana", kana, max::MAX_NAME_CHARS, "text")}
            {(editing.is_none() && districts.len() > 1).then(|| view! {
                <Chips legend=text::DISTRICT attribute="district" single=true chosen=district
                    options=districts.into_iter().map(|d| Chip::new(d.id, d.name)).collect() />
            })}
            <Chips legend=text::RESOURCE_CATEGORIES attribute="category" chosen=categories
                options=Category::ALL.iter().map(|c| Chip::new(c.code(), c.label_ja())).collect() />
            {move || errors.with(|e| e.get("categories")).map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
            <Chips legend=text::RESOURCE_VISIBILITY attribute="visibility" single=true chosen=visibility
                options=vec![Chip::new("public", text::RESOURCE_PUBLIC), Chip::new("internal", text::RESOURCE_INTERNAL_SHORT)] />
            {input(text::RESOURCE_OPERATOR, "operator", operator, max::MAX_SHORT_CHARS, "text")}
            {input(text::RESOURCE_WHEN, "when", when, max::MAX_WHEN_CHARS, "text")}
            {input(text::RESOURCE_ADDRESS, "address", address, max::MAX_ADDRESS_CHARS, "text")}
            {input(text::RESOURCE_AUDIENCE, "audience", audience, max::MAX_SHORT_CHARS, "text")}
            {input(text::RESOURCE_CAPACITY, "capacity", capacity, max::MAX_SHORT_CHARS, "text")}
            {input(text::RESOURCE_FEE, "fee", fee, max::MAX_SHORT_CHARS, "text")}
            {input(text::RESOURCE_PHONE, "phone", phone, 30, "tel")}
            <label class="field checkbox"><input type="checkbox" name="apply_first" bind:checked=apply_first />
                <span>{text::RESOURCE_APPLY_FIRST}</span></label>
            <label class="field checkbox"><input type="checkbox" name="pickup" bind:checked=pickup />
                <span>{text::RESOURCE_HAS_PICKUP}</span></label>
            <label class="field checkbox"><input type="checkbox" name="barrier_free" bind:checked=barrier_free />
                <span>{text::RESOURCE_IS_BARRIER_FREE}</span></label>
            <FormField label=text::RESOURCE_DESCRIPTION field="description" errors=errors>
                <textarea name="description" rows="4" maxlength=max::MAX_DESCRIPTION_CHARS.to_string() bind:value=description></textarea>
            </FormField>
            <FormField label=text::RESOURCE_CHECKED field="checked_on" errors=errors>
                <div class="button-row">
                    <input type="date" name="checked_on" bind:value=checked />
                    <button type="button" class="button" data-action="checked-today"
                        on:click=move |_| checked.set(today.to_string())>{text::RESOURCE_CHECKED_TODAY}</button>
                </div>
            </FormField>
            <FormMessage message=message />
            <div class="save-bar">
                <button type="submit" class="button primary save-button" data-action="save-resource"
                    disabled=move || saving.get()>{text::SAVE}</button>
            </div>
        </form>
    }
}
