//! `/resources/import`: the directory in and out of spreadsheets, for those who keep it.
//! 書き出す saves the entries they keep as a CSV Excel opens. 読み込む sends a file to the
//! server, which says row by row what it would do (新規, 更新, 変更なし, or what is wrong,
//! with the row number); nothing is saved until every row is right, and then all of it at
//! once, through the phone's outbox like any change made here. Both need a signal.

use leptos::prelude::*;
use mimamori_core::directory_csv::{ImportAction, ImportPreview, ImportRow};
use mimamori_core::kinds::ResourcePatch;
use mimamori_core::record::{Body, DistrictId};
use wasm_bindgen::JsCast as _;

use super::queries;
use crate::app::{AppStore, AppSync, Flash};
use crate::store::Draft;
use crate::widgets::{load_once, Chip, Chips, FormMessage, Loading, Message};
use crate::{api, local_time, text};

#[derive(Clone)]
struct Keeper {
    token: String,
    /// The entries they keep: a district's (an SC), or the city-wide ones (`None`).
    scopes: Vec<(Option<DistrictId>, String)>,
}

#[component]
pub fn ResourceImportPage() -> impl IntoView {
    let store = expect_context::<AppStore>();
    let keeper = load_once(move || async move {
        let session = store.get()?.session().await.ok().flatten()?;
        let mut scopes: Vec<(Option<DistrictId>, String)> = Vec::new();
        if queries::keeps(&session.me, None) {
            scopes.push((None, text::CITY_WIDE.to_owned()));
        }
        for district in &session.districts {
            let id = DistrictId(district.id);
            if queries::keeps(&session.me, Some(id)) {
                scopes.push((Some(id), format!("{}地区", district.name)));
            }
        }
        (!scopes.is_empty()).then_some(Keeper {
            token: session.token,
            scopes,
        })
    });
    view! {
        <section class="page">
            <h2 class="page-title">{text::RESOURCE_SPREADSHEETS}</h2>
            {crate::widgets::dynamic(move || match keeper.get() {
                None => view! { <Loading /> }.into_any(),
                Some(None) => view! { <p class="empty-message">{text::RESOURCE_EDIT_KEEPERS_ONLY}</p> }.into_any(),
                Some(Some(keeper)) => view! { <Spreadsheets keeper=keeper /> }.into_any(),
            })}
            <a href="/resources" class="button">{text::BACK_TO_RESOURCES}</a>
        </section>
    }
}

fn scope_code(scope: Option<DistrictId>) -> String {
    scope.map_or_else(|| "city".to_owned(), |d| d.0.to_string())
}

#[component]
fn Spreadsheets(keeper: Keeper) -> impl IntoView {
    let sync = expect_context::<AppSync>();
    let store = expect_context::<AppStore>();
    let flash = expect_context::<Flash>();
    let nav = crate::nav::use_location();
    let Keeper { token, scopes } = keeper;
    let token = StoredValue::new(token);
    let chosen_scope = RwSignal::new(vec![scope_code(scopes[0].0)]);
    let scope = move || -> Option<DistrictId> {
        chosen_scope.with(|c| c.first().and_then(|c| c.parse().ok()).map(DistrictId))
    };
    let encoding = RwSignal::new(vec!["auto".to_owned()]);
    let message = RwSignal::new(None::<Message>);
    let preview = RwSignal::new(None::<ImportPreview>);
    let busy = RwSignal::new(false);

    let export = move |_| {
        let district = untrack(scope);
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api::export_resources(&token.get_value(), district).await {
                Ok(csv) => {
                    let file = format!("社会資源まとめ-{}.csv", local_time::today());
                    message.set(Some(
                        if crate::features::download(&file, &csv, "text/csv;charset=utf-8") {
                            Message::Done(text::resources_exported(&file))
                        } else {
                            Message::Problem(text::EXPORT_FAILED.to_owned())
                        },
                    ));
                }
                Err(api::ApiFailure::Offline) => {
                    message.set(Some(Message::Problem(text::NEEDS_SIGNAL.to_owned())))
                }
                Err(failure) => message.set(Some(Message::Problem(failure.message_ja()))),
            }
            busy.set(false);
        });
    };

    let read_file = move |event: leptos::ev::Event| {
        let Some(input) = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        let district = untrack(scope);
        let encoding =
            encoding.with_untracked(|e| e.first().cloned().unwrap_or_else(|| "auto".into()));
        preview.set(None);
        message.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            let bytes = match wasm_bindgen_futures::JsFuture::from(file.array_buffer()).await {
                Ok(buffer) => js_sys::Uint8Array::new(&buffer).to_vec(),
                Err(_) => {
                    message.set(Some(Message::Problem(text::FILE_UNREADABLE.to_owned())));
                    busy.set(false);
                    return;
                }
            };
            match api::preview_import(&token.get_value(), district, &encoding, &bytes).await {
                Ok(plan) => {
                    preview.set(Some(plan));
                    // The verdict is under the file field, often below the fold: bring it up.
                    gloo_timers::callback::Timeout::new(50, || {
                        if let Some(found) = web_sys::window()
                            .and_then(|w| w.document())
                            .and_then(|d| d.query_selector("[data-preview]").ok().flatten())
                        {
                            found.scroll_into_view();
                        }
                    })
                    .forget();
                }
                Err(api::ApiFailure::Offline) => {
                    message.set(Some(Message::Problem(text::NEEDS_SIGNAL.to_owned())))
                }
                // A file refused as a whole: the server says why (its encoding, a broken
                // UTF-16 file) in Japanese, which the code's own words would not.
                Err(api::ApiFailure::Server {
                    code: Some(mimamori_core::api::ErrorCode::InvalidBody),
                    message: said,
                }) => message.set(Some(Message::Problem(said))),
                Err(failure) => message.set(Some(Message::Problem(failure.message_ja()))),
            }
            busy.set(false);
        });
    };

    let save = move |_| {
        let Some(plan) = preview.get_untracked() else {
            return;
        };
        let district = untrack(scope);
        busy.set(true);
        leptos::task::spawn_local(async move {
            let mut drafts = Vec::new();
            for row in plan.rows {
                let (Some(entry), action) = (row.entry, row.action) else {
                    continue;
                };
                let mut draft = Draft::new(Body::Resource(entry));
                match (action, row.id) {
                    (ImportAction::Update, Some(id)) => {
                        draft.id = Some(id);
                        draft.base = match store.get() {
                            Some(store) => queries::resource(&store, id).await.and_then(|r| r.base),
                            None => None,
                        };
                    }
                    _ => draft.district = district,
                }
                drafts.push(draft);
            }
            let count = drafts.len();
            match sync.save_changes(drafts, None).await {
                Ok(_) => {
                    flash.show(text::resources_imported(count));
                    nav.navigate("/resources");
                }
                Err(error) => message.set(Some(Message::Problem(error.message_ja()))),
            }
            busy.set(false);
        });
    };

    view! {
        {(scopes.len() > 1).then(|| view! {
            <Chips legend=text::RESOURCE_SCOPE_OF_FILE attribute="scope" single=true chosen=chosen_scope
                options=scopes.iter().map(|(d, label)| Chip::new(scope_code(*d), label)).collect() />
        })}
        <h3 class="section-title">{text::RESOURCE_EXPORT_TITLE}</h3>
        <p class="setting-note">{text::RESOURCE_EXPORT_NOTE}</p>
        <button type="button" class="button wide" data-action="export-resources"
            disabled=move || busy.get() on:click=export>{text::RESOURCE_EXPORT}</button>
        <h3 class="section-title">{text::RESOURCE_IMPORT_TITLE}</h3>
        <p class="setting-note">{text::RESOURCE_IMPORT_NOTE}</p>
        <Chips legend=text::RESOURCE_ENCODING attribute="encoding" single=true chosen=encoding
            options=vec![Chip::new("auto", text::ENCODING_AUTO), Chip::new("utf-8", "UTF-8"), Chip::new("shift_jis", "Shift_JIS")] />
        <label class="field">
            <span class="field-label">{text::RESOURCE_CHOOSE_FILE}</span>
            <input type="file" name="resource_file" accept=".csv,text/csv" on:change=read_file />
        </label>
        <FormMessage message=message />
        {move || busy.get().then(|| view! { <Loading /> })}
        {move || preview.get().map(|plan| {
            let ok = plan.ok;
            let saving = plan.rows.iter().filter(|r| r.entry.is_some()).count();
            view! {
                <div class="import-preview" data-preview="" data-ok=ok.to_string()>
                    <p class=if ok { "notice" } else { "alert" } role="status">{text::import_summary(&plan)}</p>
                    {plan.headings.iter().map(|p| view! {
                        <p class="field-error" role="alert">{format!("{}：{}", p.column, p.message)}</p>
                    }).collect_view()}
                    <ul class="list">
                        {plan.rows.into_iter().map(|row| view! { <PreviewRow row=row /> }).collect_view()}
                    </ul>
                    {(ok && saving > 0).then(|| view! {
                        <button type="button" class="button primary wide" data-action="save-import"
                            disabled=move || busy.get() on:click=save>{text::import_save(saving)}</button>
                    })}
                </div>
            }
        })}
    }
}

#[component]
fn PreviewRow(row: ImportRow) -> impl IntoView {
    let (label, class) = match row.action {
        ImportAction::Create => (text::IMPORT_CREATE, "import-create"),
        ImportAction::Update => (text::IMPORT_UPDATE, "import-update"),
        ImportAction::Unchanged => (text::IMPORT_UNCHANGED, "import-unchanged"),
        ImportAction::Refused => (text::IMPORT_REFUSED, "import-refused"),
    };
    let changed = row.entry.as_ref().map(changed_words).unwrap_or_default();
    view! {
        <li class=format!("import-row {class}") data-row=row.row.to_string()>
            <span class="watch-name">{text::import_row(row.row, &row.name)}</span>
            <span class="import-action">{label}{(!changed.is_empty()).then(|| format!("：{changed}"))}</span>
            {row.problems.into_iter().map(|p| view! {
                <span class="field-error">{if p.column.is_empty() { p.message } else { format!("{}：{}", p.column, p.message) }}</span>
            }).collect_view()}
        </li>
    }
}

/// The columns an update changes, in words.
fn changed_words(entry: &ResourcePatch) -> String {
    let mut words = Vec::new();
    for (label, set) in [
        ("名称", entry.name.is_some()),
        ("分類", entry.categories.is_some()),
        ("運営主体", entry.operator.is_some()),
        ("とき", entry.when.is_some()),
        ("住所", entry.address.is_some()),
        ("費用", entry.fee.is_some()),
        ("電話", entry.phone.is_some()),
        ("説明", entry.description.is_some()),
        ("最終確認日", entry.checked_on.is_some()),
        ("公開", entry.public.is_some()),
    ] {
        if set {
            words.push(label);
        }
    }
    words.join("・")
}
