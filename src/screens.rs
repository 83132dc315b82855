//! Which screen a path shows: the app's routes in one place, one `match` on the path that
//! `nav.rs` keeps (leptos_router's `<Routes>` was 22 KB of the wasm on the wire, measured).

use leptos::prelude::*;
use mimamori_core::record::RecordId;

use crate::features::reports::ReportsPage;
use crate::features::resources::{ResourcePage, ResourceShowPage, ResourcesPage};
use crate::features::salons::{
    AttendancePage, ExtraSessionPage, SalonPage, SalonsPage, SessionChangePage,
};
use crate::features::settings::SettingsPage;
use crate::features::watch::{
    FollowUpsPage, NewResidentPage, ResidentEditPage, ResidentPage, VisitEditPage, VisitPage,
    WatchPage,
};
use crate::text;
// The coordinators' screens, in their build only.
#[cfg(feature = "coordinator")]
use crate::features::{
    resources::{ResourceEditPage, ResourceImportPage},
    salons::SalonEditPage,
    watch::{DeskPage, ResidentManagePage},
};

/// The parameters of the path a screen was opened with (`:id`, `:date`), read when it is
/// drawn (a screen is drawn afresh for every path).
#[derive(Clone, Copy)]
pub struct RouteParams(StoredValue<Vec<(&'static str, String)>>);

impl RouteParams {
    pub fn read(&self) -> Self {
        *self
    }

    pub fn read_untracked(&self) -> Self {
        *self
    }

    pub fn get(&self, name: &str) -> Option<String> {
        self.0
            .with_value(|all| all.iter().find(|(n, _)| *n == name).map(|(_, v)| v.clone()))
    }
}

thread_local! {
    /// The parameters of the screen being drawn.
    static CURRENT: std::cell::RefCell<Vec<(&'static str, String)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The parameters of the path this screen was opened with.
pub fn use_params_map() -> RouteParams {
    RouteParams(StoredValue::new(CURRENT.with(|c| c.borrow().clone())))
}

/// The record the path names (`:id`), if it is one.
pub fn id_param() -> Option<RecordId> {
    use_params_map()
        .read_untracked()
        .get("id")
        .and_then(|id| id.parse().ok())
}

/// The screen the current path names.
#[component]
pub fn Screens() -> impl IntoView {
    let location = crate::nav::use_location();
    crate::widgets::dynamic(move || screen(&location.path.get()))
}

fn screen(path: &str) -> AnyView {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let with = |params: Vec<(&'static str, &str)>, draw: fn() -> AnyView| {
        CURRENT.with(|c| {
            *c.borrow_mut() = params.into_iter().map(|(n, v)| (n, v.to_owned())).collect();
        });
        untrack(draw)
    };
    match parts.as_slice() {
        #[cfg(not(feature = "coordinator"))]
        ["desk"]
        | ["residents", _, "manage"]
        | ["salons", "new"]
        | ["salons", _, "edit"]
        | ["resources", "new" | "import"]
        | ["resources", _, "edit"] => with(vec![], || view! { <ForCoordinators /> }.into_any()),
        [] => with(vec![], || view! { <WatchPage /> }.into_any()),
        ["residents", "new"] => with(vec![], || view! { <NewResidentPage /> }.into_any()),
        ["residents", id] => with(vec![("id", id)], || view! { <ResidentPage /> }.into_any()),
        ["residents", id, "edit"] => with(vec![("id", id)], || {
            view! { <ResidentEditPage /> }.into_any()
        }),
        ["residents", id, "visit"] => with(vec![("id", id)], || view! { <VisitPage /> }.into_any()),
        #[cfg(feature = "coordinator")]
        ["residents", id, "manage"] => with(vec![("id", id)], || {
            view! { <ResidentManagePage /> }.into_any()
        }),
        ["visits", id, "edit"] => with(vec![("id", id)], || view! { <VisitEditPage /> }.into_any()),
        ["follow-ups"] => with(vec![], || view! { <FollowUpsPage /> }.into_any()),
        #[cfg(feature = "coordinator")]
        ["desk"] => with(vec![], || view! { <DeskPage /> }.into_any()),
        ["salons"] => with(vec![], || view! { <SalonsPage /> }.into_any()),
        #[cfg(feature = "coordinator")]
        ["salons", "new"] => with(vec![], || view! { <SalonEditPage /> }.into_any()),
        ["salons", id] => with(vec![("id", id)], || view! { <SalonPage /> }.into_any()),
        #[cfg(feature = "coordinator")]
        ["salons", id, "edit"] => with(vec![("id", id)], || view! { <SalonEditPage /> }.into_any()),
        ["salons", id, "extra"] => with(vec![("id", id)], || {
            view! { <ExtraSessionPage /> }.into_any()
        }),
        ["salons", id, "dates", date] => with(vec![("id", id), ("date", date)], || {
            view! { <SessionChangePage /> }.into_any()
        }),
        ["salons", id, "sessions", date] => with(vec![("id", id), ("date", date)], || {
            view! { <AttendancePage /> }.into_any()
        }),
        ["resources"] => with(vec![], || view! { <ResourcesPage /> }.into_any()),
        #[cfg(feature = "coordinator")]
        ["resources", "new"] => with(vec![], || view! { <ResourceEditPage /> }.into_any()),
        #[cfg(feature = "coordinator")]
        ["resources", "import"] => with(vec![], || view! { <ResourceImportPage /> }.into_any()),
        ["resources", id] => with(vec![("id", id)], || view! { <ResourcePage /> }.into_any()),
        #[cfg(feature = "coordinator")]
        ["resources", id, "edit"] => with(vec![("id", id)], || {
            view! { <ResourceEditPage /> }.into_any()
        }),
        ["resources", id, "show"] => with(vec![("id", id)], || {
            view! { <ResourceShowPage /> }.into_any()
        }),
        ["reports"] => with(vec![], || view! { <ReportsPage /> }.into_any()),
        ["settings"] => with(vec![], || view! { <SettingsPage /> }.into_any()),
        _ => with(vec![], || view! { <NotFound /> }.into_any()),
    }
}

/// A coordinator's screen opened in the volunteers' build: anyone else is told whose screen
/// it is (a coordinator is moved to the coordinators' build by the app, wherever they are).
#[cfg(not(feature = "coordinator"))]
#[component]
fn ForCoordinators() -> impl IntoView {
    view! {
        <section class="page">
            <h2 class="page-title">{text::FOR_COORDINATORS_TITLE}</h2>
            <p class="empty-message">{text::FOR_COORDINATORS}</p>
            <a href="/" class="button">{text::NOT_FOUND_LINK}</a>
        </section>
    }
}

/// Who works in the coordinators' build: a district's SC and the city.
pub fn uses_coordinators_build(role: mimamori_core::account::Role) -> bool {
    use mimamori_core::account::Role;
    matches!(role, Role::Coordinator | Role::City)
}

#[component]
fn NotFound() -> impl IntoView {
    view! {
        <section class="page">
            <h2 class="page-title">{text::NOT_FOUND_TITLE}</h2>
            <a href="/" class="button">{text::NOT_FOUND_LINK}</a>
        </section>
    }
}
