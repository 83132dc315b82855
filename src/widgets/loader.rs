use std::any::Any;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;

use leptos::prelude::*;

use crate::engine::SyncStatus;
use crate::text;

/// What a screen read, whatever its type: every screen's resource is one `LocalResource`
/// of this, so the reactive machinery behind it is compiled once, not once per screen
/// (each screen's own future and value type made another copy: tens of KB of wasm).
type Erased = Rc<dyn Any>;
type Fetch = Rc<dyn Fn() -> Pin<Box<dyn Future<Output = Erased>>>>;

/// A screen's read, typed again for the screen (see [`load`]).
pub struct Loaded<T> {
    resource: LocalResource<Erased>,
    value: PhantomData<fn() -> T>,
}

impl<T> Clone for Loaded<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Loaded<T> {}

impl<T: Clone + 'static> Loaded<T> {
    /// `None` until the first read has ended (tracked, like a signal).
    pub fn get(&self) -> Option<T> {
        self.resource
            .get()
            .and_then(|value| value.downcast_ref::<T>().cloned())
    }

    /// Reads again now.
    pub fn refetch(&self) {
        self.resource.refetch();
    }
}

/// The one resource behind every screen's read.
fn erased(fetch: Fetch) -> LocalResource<Erased> {
    LocalResource::new(move || fetch())
}

fn erase<T: 'static>(
    read: impl Future<Output = T> + 'static,
) -> Pin<Box<dyn Future<Output = Erased>>> {
    Box::pin(async move { Rc::new(read.await) as Erased })
}

/// Reads what a screen shows, keyed on what it depends on (`key`, read reactively: a new id
/// reads again), and again whenever sync stores something or a change is saved. `None`
/// until the first read has ended: a screen says "loading" then, never a false "not
/// found". Later reads keep the last value until they end, so nothing flickers.
pub fn load<K, T, Fut>(
    key: impl Fn() -> K + 'static,
    read: impl Fn(K) -> Fut + 'static,
) -> Loaded<T>
where
    K: 'static,
    T: 'static,
    Fut: Future<Output = T> + 'static,
{
    let status = use_context::<SyncStatus>();
    Loaded {
        resource: erased(Rc::new(move || {
            if let Some(status) = status {
                status.last_success_ms.track();
                status.unsent.track();
            }
            erase(read(key()))
        })),
        value: PhantomData,
    }
}

/// Reads once what a form starts from: a sync while someone types must not undo what they
/// chose (see [`load`] for the rest).
pub fn load_once<T, Fut>(read: impl Fn() -> Fut + 'static) -> Loaded<T>
where
    T: 'static,
    Fut: Future<Output = T> + 'static,
{
    Loaded {
        resource: erased(Rc::new(move || erase(read()))),
        value: PhantomData,
    }
}

/// The line a screen shows while its first read is under way.
#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="loading" role="status" aria-live="polite">{text::LOADING}</p> }
}
