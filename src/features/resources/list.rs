//! `/resources`: the directory, searched as it is typed. One box that forgives how people
//! type (the core's `search`), a category to narrow to, the user's districts (with the
//! city-wide entries) or the whole city; the best matches first, each saying where its
//! match is when that is not in its name. A search finds in every district: the user's
//! own matches first, then the other districts' below them, each named by its district,
//! so that a search never answers 「見つかりませんでした」 for what another district keeps.

use leptos::prelude::*;
use mimamori_core::search::{self, Hit};

use super::queries::{self, ResourceItem, KANA, NAME};
use crate::app::AppStore;
use crate::widgets::{load, Chip, Chips, Loading};
use crate::{local_time, text};

/// How many entries are drawn at first (a search narrows; "more" draws the rest).
const FIRST_ROWS: usize = 40;

#[derive(Clone)]
struct Directory {
    signed_in: bool,
    /// The person keeps some of the directory (a district's SC, the city).
    keeper: bool,
    items: Vec<ResourceItem>,
    index: Vec<Vec<search::Field>>,
    my_districts: Vec<mimamori_core::record::DistrictId>,
    districts: Vec<mimamori_core::api::District>,
}

impl PartialEq for Directory {
    fn eq(&self, other: &Self) -> bool {
        self.items == other.items && self.signed_in == other.signed_in
    }
}

#[component]
pub fn ResourcesPage() -> impl IntoView {
    let store = expect_context::<AppStore>();
    let data = load(
        || (),
        move |()| async move {
            let store = store.get()?;
            let session = store.session().await.ok().flatten();
            let items = queries::resources(&store).await;
            let index = queries::index(&items);
            Some(Directory {
                signed_in: session.is_some(),
                keeper: session.as_ref().is_some_and(|s| {
                    queries::keeps(&s.me, None)
                        || s.me
                            .districts
                            .iter()
                            .any(|d| queries::keeps(&s.me, Some(*d)))
                }),
                my_districts: session
                    .as_ref()
                    .map(|s| s.me.districts.clone())
                    .unwrap_or_default(),
                districts: session.map(|s| s.all_districts).unwrap_or_default(),
                items,
                index,
            })
        },
    );
    view! {
        <section class="page">
            <h2 class="page-title">{text::RESOURCES_TITLE}</h2>
            {crate::widgets::dynamic(move || match data.get() {
                None => view! { <Loading /> }.into_any(),
                Some(None) => view! { <p class="empty-message">{text::SIGN_IN_FIRST}</p> }.into_any(),
                Some(Some(directory)) if !directory.signed_in => view! {
                    <div class="empty-state">
                        <p class="empty-message">{text::RESOURCES_SIGN_IN_HINT}</p>
                        <a href="/settings" class="button">{text::GO_TO_SETTINGS}</a>
                    </div>
                }.into_any(),
                Some(Some(directory)) if directory.items.is_empty() => view! {
                    <p class="empty-message">{text::RESOURCES_EMPTY}</p>
                    {directory.keeper.then(|| view! {
                        <a href="/resources/new" class="button wide" data-action="add-resource">{text::RESOURCE_ADD}</a>
                    })}
                }.into_any(),
                Some(Some(directory)) => view! { <DirectoryView directory=directory /> }.into_any(),
            })}
        </section>
    }
}

/// A row: the entry, and where its match is when not in its name (the excerpt is cut only
/// for the rows drawn: a short query can match most of 2,000 entries).
#[derive(Clone)]
struct Row {
    item: ResourceItem,
    found: Option<search::Found>,
}

/// What the list shows: rows, and where the other districts' matches begin (`None` when
/// the list is one: no search, or the whole city asked for).
struct Listed {
    rows: Vec<Row>,
    others_from: Option<usize>,
}

#[component]
fn DirectoryView(directory: Directory) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let category = RwSignal::new(vec!["all".to_owned()]);
    let scope = RwSignal::new(vec!["mine".to_owned()]);
    let shown_rows = RwSignal::new(FIRST_ROWS);
    let Directory {
        items,
        index,
        my_districts,
        districts,
        keeper,
        ..
    } = directory;
    let items = StoredValue::new(items);
    let index = StoredValue::new(index);
    let districts = StoredValue::new(districts);
    let mine = StoredValue::new(my_districts);
    let today = local_time::today();
    let place = move |item: &ResourceItem| -> String {
        match item.district {
            None => text::CITY_WIDE.to_owned(),
            Some(d) => districts.with_value(|all| {
                all.iter()
                    .find(|x| x.id == d.0)
                    .map(|x| format!("{}地区", x.name))
                    .unwrap_or_default()
            }),
        }
    };
    let whole_city = move || scope.with(|s| s.iter().any(|c| c == "city"));
    let listed = move || -> Listed {
        let category = category.with(|c| c.first().cloned().unwrap_or_default());
        let whole_city = whole_city();
        let of_category = |item: &ResourceItem| category == "all" || item.has_category(&category);
        let nearby = |item: &ResourceItem| {
            item.district
                .is_none_or(|d| mine.with_value(|m| m.contains(&d)))
        };
        let terms = query.with(|q| search::query_terms(q, &queries::browser_nfkc));
        items.with_value(|items| {
            if terms.is_empty() {
                let rows = items
                    .iter()
                    .filter(|i| of_category(i) && (whole_city || nearby(i)))
                    .map(|item| Row {
                        item: item.clone(),
                        found: None,
                    })
                    .collect();
                return Listed {
                    rows,
                    others_from: None,
                };
            }
            let hits: Vec<Hit> = index.with_value(|index| search::search(&terms, index));
            let (mut near, far): (Vec<Row>, Vec<Row>) = hits
                .into_iter()
                .filter(|hit| of_category(&items[hit.index]))
                .map(|hit| Row {
                    item: items[hit.index].clone(),
                    found: Some(hit.found).filter(|f| f.field != NAME && f.field != KANA),
                })
                .partition(|row| whole_city || nearby(&row.item));
            let others_from = (!far.is_empty()).then_some(near.len());
            near.extend(far);
            Listed {
                rows: near,
                others_from,
            }
        })
    };
    let categories: Vec<Chip> = std::iter::once(Chip::new("all", text::RESOURCES_ALL_CATEGORIES))
        .chain(queries::category_codes().map(|(code, label)| Chip::new(code, label)))
        .collect();
    view! {
        <label class="field search-field">
            <span class="field-label">{text::RESOURCES_SEARCH}</span>
            <input type="search" name="resource_search" inputmode="search" enterkeyhint="search"
                autocomplete="off" placeholder=text::RESOURCES_SEARCH_EXAMPLE
                prop:value=move || query.get()
                on:input=move |ev| { query.set(event_target_value(&ev)); shown_rows.set(FIRST_ROWS); } />
        </label>
        // Where to look is two chips in sight; the ten categories fold away.
        <Chips legend=text::RESOURCES_SCOPE attribute="scope" single=true chosen=scope
            options=vec![Chip::new("mine", text::RESOURCES_MINE), Chip::new("city", text::SALONS_CITY)] />
        <details class="category-filter">
            <summary data-action="filters">{move || text::resources_filter_summary(
                category.with(|c| c.first().and_then(|code| queries::category_codes().find(|(c, _)| c == code).map(|(_, l)| l))),
            )}</summary>
            <Chips legend=text::RESOURCES_CATEGORY attribute="category" single=true chosen=category options=categories />
        </details>
        {move || {
            let Listed { rows, others_from } = listed();
            let total = rows.len();
            if total == 0 {
                let every_category = category.with(|c| c.first().is_none_or(|c| c == "all"));
                let searched = query.with(|q| !q.trim().is_empty());
                return view! {
                    <p class="empty-message" role="status">
                        {text::resources_none_found(every_category, whole_city() || searched)}
                    </p>
                }.into_any();
            }
            let limit = shown_rows.get();
            let near = others_from.unwrap_or(total);
            view! {
                <p class="result-count" role="status">{if near == 0 {
                    text::RESOURCES_NONE_NEARBY.to_owned()
                } else {
                    text::resources_count(near)
                }}</p>
                <ul class="list resource-list">
                    {rows.into_iter().take(limit).enumerate().map(|(n, row)| {
                        let heading = (Some(n) == others_from).then(|| view! {
                            <li class="list-heading" data-other-districts="">
                                <h3 class="section-title">{text::resources_other_districts(total - near)}</h3>
                            </li>
                        });
                        let Row { item, found } = row;
                        let excerpt = found.map(|found| {
                            let shown = search::excerpt(
                                &item.field_text(found.field),
                                found,
                                12,
                                &queries::browser_nfkc,
                            );
                            (text::resource_field_label(found.field), shown)
                        });
                        let stale = item.entry.is_stale(today);
                        view! {
                            {heading}
                            <li class="list-item">
                                <a href=format!("/resources/{}", item.id) class="resource-link" data-resource=item.id.to_string()>
                                    <span class="watch-name">{item.name()}</span>
                                    <span class="resource-meta">{format!("{}｜{}", item.categories_ja(), place(&item))}</span>
                                    {excerpt.map(|(label, shown)| view! {
                                        <span class="resource-match">{label}"："{shown.before}<mark>{shown.matched}</mark>{shown.after}</span>
                                    })}
                                    {(!item.public()).then(|| view! { <span class="resource-internal">{text::RESOURCE_INTERNAL_SHORT}</span> })}
                                    {stale.then(|| view! { <span class="resource-stale">{text::RESOURCE_STALE_SHORT}</span> })}
                                </a>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                {(total > limit).then(|| view! {
                    <button type="button" class="button wide" data-action="more-resources"
                        on:click=move |_| shown_rows.update(|n| *n += FIRST_ROWS * 5)>
                        {text::resources_more(total - limit)}
                    </button>
                })}
            }.into_any()
        }}
        {keeper.then(|| view! {
            <a href="/resources/new" class="button wide" data-action="add-resource">{text::RESOURCE_ADD}</a>
            <a href="/resources/import" class="button wide" data-action="resource-spreadsheets">{text::RESOURCE_SPREADSHEETS_LINK}</a>
        })}
    }
}
