//! `/resources/:id`: one entry as the newsletter would print it, with a call button, 見せる
//! (the view to turn towards a resident), and, for public entries, ways to hand it on with
//! no server: a QR code a phone camera reads as text, and the phone's share sheet.

use leptos::prelude::*;
use mimamori_core::qr::qr_drawing;
use wasm_bindgen::{JsCast as _, JsValue};

use super::queries::{self, ResourceItem};
use crate::app::AppStore;
use crate::screens::id_param;
use crate::widgets::{load, Loading};
use crate::{local_time, text};

#[derive(Clone, PartialEq)]
struct Page {
    item: ResourceItem,
    place: String,
    /// The person keeps this entry (its district's SC, or the city for a city-wide one).
    keeper: bool,
}

#[component]
pub fn ResourcePage() -> impl IntoView {
    let store = expect_context::<AppStore>();
    let id = id_param();
    // The entry the path names, with where it is (市内全域 or its district).
    let page = load(
        move || id,
        move |id| async move {
            let store = store.get()?;
            let item = queries::resource(&store, id?).await?;
            let session = store.session().await.ok().flatten();
            let keeper = session
                .as_ref()
                .is_some_and(|s| queries::keeps(&s.me, item.district));
            let place = match item.district {
                None => text::CITY_WIDE.to_owned(),
                Some(d) => session
                    .and_then(|s| s.all_districts.into_iter().find(|x| x.id == d.0))
                    .map(|x| format!("{}地区", x.name))
                    .unwrap_or_default(),
            };
            Some(Page {
                item,
                place,
                keeper,
            })
        },
    );
    view! {
        <section class="page">
            {crate::widgets::dynamic(move || match page.get() {
                None => view! { <Loading /> }.into_any(),
                Some(None) => view! {
                    <h2 class="page-title">{text::RESOURCES_TITLE}</h2>
                    <p class="empty-message">{text::RESOURCE_NOT_FOUND}</p>
                }.into_any(),
                Some(Some(page)) => view! { <EntryView page=page /> }.into_any(),
            })}
            <a href="/resources" class="button">{text::BACK_TO_RESOURCES}</a>
        </section>
    }
}

#[component]
fn EntryView(page: Page) -> impl IntoView {
    let Page {
        item,
        place,
        keeper,
    } = page;
    let entry = item.entry.clone();
    let id = item.id;
    let today = local_time::today();
    let yes_no = |v: Option<bool>, yes: &'static str, no: &'static str| {
        v.map(|v| if v { yes } else { no }.to_owned())
    };
    let details: Vec<(&'static str, String)> = [
        (text::RESOURCE_CATEGORIES, Some(item.categories_ja())),
        (text::RESOURCE_PLACE, Some(place)),
        (text::RESOURCE_OPERATOR, entry.operator.clone()),
        (text::RESOURCE_WHEN, entry.when.clone()),
        (text::RESOURCE_ADDRESS, entry.address.clone()),
        (text::RESOURCE_AUDIENCE, entry.audience.clone()),
        (text::RESOURCE_CAPACITY, entry.capacity.clone()),
        (text::RESOURCE_FEE, entry.fee.clone()),
        (
            text::RESOURCE_APPLY,
            yes_no(entry.apply_first, "必要", "不要"),
        ),
        (text::RESOURCE_PICKUP, yes_no(entry.pickup, "あり", "なし")),
        (
            text::RESOURCE_BARRIER_FREE,
            yes_no(entry.barrier_free, "あり", "なし"),
        ),
        (text::RESOURCE_DESCRIPTION, entry.description.clone()),
        (text::RESOURCE_CHECKED, entry.checked_on.map(text::date_ja)),
    ]
    .into_iter()
    .filter_map(|(label, value)| Some((label, value.filter(|v| !v.trim().is_empty())?)))
    .collect();
    let public = item.public();
    let handout = entry.handout_ja();
    view! {
        <h2 class="page-title" data-resource=id.to_string()>{item.name()}</h2>
        {(!public).then(|| view! { <p class="notice" data-internal="">{text::RESOURCE_INTERNAL}</p> })}
        {entry.is_stale(today).then(|| view! { <p class="notice" data-stale="">{text::RESOURCE_STALE}</p> })}
        {public.then(|| view! {
            <a href=format!("/resources/{id}/show") class="button primary wide" data-action="show-resource">{text::RESOURCE_SHOW}</a>
        })}
        {entry.phone.clone().filter(|p| !p.trim().is_empty()).map(|phone| view! {
            <a href=crate::features::watch::tel(&phone) class="button call-button" data-action="call-resource">
                <span>{text::RESOURCE_CALL}</span><span class="call-number">{phone.clone()}</span>
            </a>
        })}
        <dl class="details">
            {details.into_iter().map(|(label, value)| view! {
                <div class="detail"><dt>{label}</dt><dd>{value}</dd></div>
            }).collect_view()}
        </dl>
        {entry.salon().map(|salon| view! {
            <a href=format!("/salons/{salon}") class="button" data-action="resource-salon">{text::RESOURCE_SALON}</a>
        })}
        {public.then(|| view! { <Handout text=handout /> })}
        {keeper.then(|| view! {
            <a href=format!("/resources/{id}/edit") class="button" data-action="edit-resource">{text::RESOURCE_EDIT}</a>
        })}
    }
}

/// Handing the entry on: its QR code and, where the browser has one, the share sheet.
#[component]
fn Handout(text: String) -> impl IntoView {
    let drawing = qr_drawing(&text);
    let can_share = web_sys::window()
        .map(|w| js_sys::Reflect::has(&w.navigator(), &JsValue::from_str("share")).unwrap_or(false))
        .unwrap_or(false);
    let shared = StoredValue::new(text);
    view! {
        <h3 class="section-title">{text::RESOURCE_HAND_ON}</h3>
        {drawing.map(|qr| view! { <QrFigure qr=qr /> })}
        {can_share.then(|| view! {
            <button type="button" class="button wide" data-action="share-resource"
                on:click=move |_| shared.with_value(|t| share(t))>{text::RESOURCE_SHARE}</button>
        })}
    }
}

/// A QR code of an entry's essentials, with what a camera will show.
#[component]
pub fn QrFigure(qr: mimamori_core::qr::QrDrawing) -> impl IntoView {
    let view_box = format!("0 0 {0} {0}", qr.width);
    view! {
        <figure class="qr" data-qr="">
            <svg viewBox=view_box role="img" aria-label=text::RESOURCE_QR_LABEL shape-rendering="crispEdges">
                <rect width="100%" height="100%" fill="#fff"></rect>
                <path d=qr.path fill="#000"></path>
            </svg>
            <figcaption class="setting-note">{text::RESOURCE_QR_NOTE}</figcaption>
        </figure>
    }
}

/// Opens the phone's share sheet with `text` (the browser's `navigator.share`).
fn share(text: &str) {
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return;
    };
    let data = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&data, &JsValue::from_str("text"), &JsValue::from_str(text));
    let Ok(share) = js_sys::Reflect::get(&navigator, &JsValue::from_str("share")) else {
        return;
    };
    if let Ok(share) = share.dyn_into::<js_sys::Function>() {
        // The promise is the sheet's answer; a cancel is not a problem worth telling.
        if let Ok(promise) = share.call1(&navigator, &data) {
            if let Ok(promise) = promise.dyn_into::<js_sys::Promise>() {
                wasm_bindgen_futures::spawn_local(async move {
                    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
                });
            }
        }
    }
}
